"""The weekly digest in words: plain text (the CLI), Markdown, and Slack mrkdwn (chat replies; the
Block Kit in bot/slack/blocks.py is built from the same parts). Every version carries the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.digest import Item, WeekShare
from bot.digest_report import Bottlenecks, WeeklyDigest


@dataclass(frozen=True, slots=True)
class Style:
    name: str

    def bold(self, text: str) -> str:
        return {"markdown": f"**{text}**", "mrkdwn": f"*{text}*"}.get(self.name, text)

    def link(self, url: str, label: str) -> str:
        return {"markdown": f"[{label}]({url})", "mrkdwn": f"<{url}|{label}>"}.get(self.name, url)

    def words(self, text: str) -> str:
        """Text people wrote, made inert: in mrkdwn no mention, link or @channel can come from it."""
        if self.name != "mrkdwn":
            return text
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def person(self, user: str, name: str | None) -> str:
        if name:
            return self.words(name)
        return f"<@{user}>" if self.name == "mrkdwn" else user


MRKDWN = Style("mrkdwn")
MARKDOWN = Style("markdown")
TEXT = Style("text")


@dataclass
class Parts:
    """A digest cut into what any chat layout needs: a title, the summary, the items (each with its
    decision, for a button), and what comes after them."""

    title: str
    summary: list[str]
    items: list[tuple[str, Item]] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _points(change: int | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return " (same as the week before)"
    return f" ({'+' if change > 0 else ''}{change} points on the week before)"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _weeks(shares: list[WeekShare]) -> str:
    return ", ".join(f"{w.week[-3:]} {pct(w.share) if w.decisions else '–'}" for w in shares)


def title(d: WeeklyDigest) -> str:
    if d.destination.kind == "dm":
        return f"Your decisions lacking a customer rationale — {d.week}"
    return f"Customer rationale digest — {d.week}"


def parts(d: WeeklyDigest, style: Style = MRKDWN) -> Parts:
    f = d.figures
    dm = d.destination.kind == "dm"
    summary = []
    if f.decisions:
        logged = f"You logged {_count(f.decisions, 'decision')}" if dm else f"{_count(f.decisions, 'decision')} logged"
        summary.append(f"{logged}; {f.with_rationale} ({pct(f.share)}) say who the customer is"
                       f"{_points(d.change_points)}.")
    else:
        summary.append("You logged no decisions this week." if dm else "No decisions logged this week.")
    if d.recent and any(w.decisions for w in d.recent):
        summary.append(f"Last {len(d.recent)} weeks: {_weeks(d.recent)}; {pct(d.recent_share)} together.")
    if f.requests_opened:
        median = (f"; median time to approval {hours(f.median_hours_to_approval)} working hours"
                  if f.median_hours_to_approval is not None else "")
        summary.append(f"{_count(f.requests_opened, 'approval request')}, {f.requests_resolved} resolved{median}.")
    if d.week_line:
        summary.append(f"{style.bold('In a line')} (written by the LLM, from the figures and excerpts above): "
                       f"{style.words(d.week_line)}")
    out = Parts(title(d), summary)
    if f.items:
        out.summary += ["", style.bold("Still without a customer rationale") + " (oldest, then most discussed, first):"]
        out.items = [(item_line(i, style), i) for i in f.items]
        if f.more:
            out.after.append(f"…and {f.more} more.")
    elif f.decisions or f.requests_opened:
        out.after.append("Everything logged this week says who its customer is. :tada:")
    if d.approvals:
        out.after += bottleneck_lines(d.approvals, style)
    if d.principles_touched or (f.decisions and d.principles_untouched):
        out.after += principle_lines(d, style)
    if d.trend and any(w.decisions for w in d.trend):
        out.after += ["", f"{style.bold(f'Share with a customer rationale, last {len(d.trend)} weeks')}: "
                      f"{_weeks(d.trend)}."]
    return out


def item_line(item: Item, style: Style = MRKDWN) -> str:
    label = "approval request" if item.kind == "approval_request" else "decision"
    who = style.person(item.author, item.author_name)
    age = "under a day ago" if item.age_days == 0 else f"{_count(item.age_days, 'day')} ago"
    replies = f", {item.replies} {'reply' if item.replies == 1 else 'replies'}" if item.replies else ""
    link = f" {style.link(item.permalink, 'open')}" if item.permalink else ""
    return (f"• {where(item, style)} · {who} · {item.written} ({age}{replies}) · "
            f"{label}: “{style.words(item.excerpt)}”{link}")


def where(item: Item, style: Style = MRKDWN) -> str:
    return "a DM" if item.visibility == "dm" else f"#{style.words(item.channel_name or item.channel)}"


def bottleneck_lines(b: Bottlenecks, style: Style = MRKDWN) -> list[str]:
    lines = []
    for o in b.overdue:
        who = style.person(o.requester, o.requester_name)
        waiting = f", waiting for {style.words(', '.join(o.waiting_for))}" if o.waiting_for else ""
        link = f" {style.link(o.permalink, 'open')}" if o.permalink else ""
        lines.append(f"• #{style.words(o.channel_name or o.channel)} · {who} · {hours(o.working_hours)} working "
                     f"hours{waiting}: “{style.words(o.excerpt)}”{link}")
    if b.more_overdue:
        lines.append(f"…and {b.more_overdue} more past the goal.")
    if b.slowest_approvers:
        lines.append("Slowest approvers: " + ", ".join(
            f"{style.words(a.label)} {hours(a.median_hours)} working hours median ({a.count} approved)"
            for a in b.slowest_approvers) + ".")
    if b.flags:
        lines.append("Flags raised: " + ", ".join(f"{name} {n}" for name, n in b.flags.items()) + ".")
    if not lines:
        return []
    head = (f"{style.bold('Approval bottlenecks')} (goal {hours(b.sla_hours)} working hours, {b.working_time})"
            + (", open past the goal:" if b.overdue else ":"))
    return ["", head, *lines]


def principle_lines(d: WeeklyDigest, style: Style = MRKDWN) -> list[str]:
    # " · " between names: some principles' names have commas of their own ("Are Right, A Lot").
    touched = " · ".join(f"{p.name} {p.decisions}" for p in d.principles_touched) or "none"
    lines = ["", f"{style.bold('Principles touched')}: {touched}"]
    if d.principles_untouched:
        lines.append(f"Not touched by any decision: {' · '.join(p.name for p in d.principles_untouched)}")
    return lines


def render_markdown(d: WeeklyDigest, style: Style = MRKDWN) -> str:
    """Slack mrkdwn (chat replies) by default; `MARKDOWN` for a document."""
    p = parts(d, style)
    if style is MARKDOWN:
        return document([f"# {p.title}", *p.summary, *(line for line, _ in p.items), *p.after])
    return "\n".join([style.bold(p.title), *p.summary, *(line for line, _ in p.items), *p.after])


def document(lines: list[str]) -> str:
    """Chat lines as a Markdown document: each line its own paragraph, and each run of "•" lines a
    list of "- " items, with the blank lines Markdown needs around them (it joins lines otherwise)."""
    out: list[str] = []
    listing = False
    for line in lines:
        if not line.strip():
            continue
        item = line.startswith("• ")
        if out and not (item and listing):
            out.append("")
        out.append(f"- {line[2:]}" if item else line)
        listing = item
    return "\n".join(out)


def render_text(d: WeeklyDigest) -> str:
    """Plain text for a terminal: the same figures and items, one per line."""
    f, dest = d.figures, d.destination
    header = f"Digest {d.week} — {dest.describe()}"
    lines = [header, "=" * len(header)]
    change = f" ({d.change_points:+d} points)" if d.change_points is not None else ""
    lines.append(f"Decisions: {f.decisions}   with customer rationale: {f.with_rationale} ({pct(f.share)})   "
                 f"previous week: {pct(f.previous_share)}{change}")
    if d.recent:
        lines.append(f"Last {len(d.recent)} weeks: {_weeks(d.recent)}; together {pct(d.recent_share)}")
    median = f", median time to approval {hours(f.median_hours_to_approval)} working hours" \
        if f.median_hours_to_approval is not None else ""
    lines.append(f"Approval requests: {f.requests_opened} opened, {f.requests_resolved} resolved{median}")
    if d.week_line:
        lines.append(f"In a line (written by the LLM): {d.week_line}")
    if f.items:
        lines.append("Lacking a customer rationale (oldest, then most discussed, first):")
        for item in f.items:
            lines.append(f"  - [{item.kind}] {where(item, TEXT)} {item.author_name or item.author}, "
                         f"{item.written} ({item.age_days} d, {item.replies} replies): {item.excerpt}")
            if item.permalink:
                lines.append(f"      {item.permalink}")
        if f.more:
            lines.append(f"  …and {f.more} more")
    else:
        lines.append("Nothing lacks a customer rationale.")
    if d.approvals:
        lines += [line for line in bottleneck_lines(d.approvals, TEXT) if line]
    if d.principles_touched or d.principles_untouched:
        lines += [line for line in principle_lines(d, TEXT) if line]
    if d.trend:
        lines.append(f"Share with a customer rationale, last {len(d.trend)} weeks: {_weeks(d.trend)}")
    return "\n".join(lines)
