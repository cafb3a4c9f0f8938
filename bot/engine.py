"""Message → actions and log writes. The one place where detection, policy and the log meet."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot import digest as digests
from bot import digest_command, learning, policy, prfaq, sensitivity
from bot.actions import ANSWERS, Action, Logged, Nudge, React, Reply, UpdateNudge
from bot.approval_notices import Notices
from bot.approvals import ApprovalRules, Approvals
from bot.detector.judge import Detector
from bot.detector.model import shipped_model
from bot.digest_render import render_markdown
from bot.digest_report import Destination, compose
from bot.errors import InputError
from bot.llm_ledger import Access, Ledger, llm_command
from bot.models import ChannelSettings, Command, Kind, Message, Principle, Verdict, iso
from bot.opinion import Opinion, merge
from bot.prompts import Prompts
from bot.store import Store
from bot.text import clean_control, normalise
from bot.workhours import WorkingTime

LOGGED_KINDS = (Kind.DECISION, Kind.APPROVAL_REQUEST)
COMMANDS = {
    "prfaq": "`/prfaq IDEA` drafts a PR/FAQ skeleton for an idea",
    "decision": "`/decision TEXT` logs a decision explicitly",
    "digest": "`/digest` shows this week's decisions that lack a customer rationale",
    "nudgebot": "`/nudgebot help | mute [30m|2h|3d|1w|forever] | unmute | status`",
    "nudgebot digest": "`/nudgebot digest here | off | dms on | dms off` sets where the weekly digest goes",
    "nudgebot sensitivity": "`/nudgebot sensitivity quiet | normal | eager` sets how readily I ask here "
                            "(`/nudgebot sensitivity default …` for the whole workspace)",
}


LLM_HELP = "`/nudgebot llm on | off | status` lets likely decisions here go to the configured LLM, or not"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class Engine:
    def __init__(
        self,
        store: Store,
        principles: Sequence[Principle],
        prompts: Prompts,
        rules: policy.Politeness,
        retention_days: int = 365,
        clock: Callable[[], datetime] = utc_now,
        approval_rules: ApprovalRules | None = None,
        llm: Access | None = None,
        detector: Detector | None = None,
    ):
        self.store = store
        self.principles = tuple(principles)
        self.detector = detector or Detector(self.principles, model=shipped_model())
        self.matcher = self.detector.matcher
        self.learned = learning.WorkspaceDetectors(store, self.detector)  # corrected by each workspace's answers
        self.prompts = prompts
        self.rules = rules
        self.retention_days = retention_days
        self.clock = clock
        self._explicit = itertools.count(1)
        approval_rules = approval_rules or ApprovalRules(WorkingTime(rules.zone))
        self.approvals = Approvals(store, approval_rules, clock)
        self.notices = Notices(self.approvals, prompts, rules)
        self.llm = Ledger(store, llm or Access(), rules.zone, clock)  # the LLM's opt-ins, budget and cache

    @property
    def question(self) -> str:
        return self.principles[0].question

    def judge(self, text: str, platform: str | None = None, workspace: str | None = None) -> Verdict:
        return self.learned.detector(platform, workspace).judge(text)

    # -- messages -------------------------------------------------------------------------

    def handle(self, message: Message, *, posting: bool = True, opinion: Opinion | None = None) -> list[Action]:
        """A new message someone wrote. Retries of the same event produce nothing. With posting off
        (history being imported) it is logged as usual, but nobody is asked and no nudge is recorded.
        An `opinion` (the LLM's, bot/assist.py) decides kind and customer rationale, and its question
        names the decision in the nudge."""
        now = self.clock()
        text = clean_control(message.text)
        verdict = self.judge(text, message.platform, message.workspace)
        if opinion is not None:
            verdict = merge(verdict, opinion, text, self.matcher, self.principles)
        if not message.is_reply and verdict.kind not in LOGGED_KINDS:
            return []  # most chat: nothing is written, so a redelivery has nothing to double
        with self.store.transaction():  # the event counts as handled only together with what it wrote
            return self._handle(message, verdict, text, now, posting, opinion)

    def _handle(self, message: Message, verdict: Verdict, text: str, now: datetime, posting: bool,
                opinion: Opinion | None) -> list[Action]:
        if message.event_id and not self.store.mark_event(message.platform, message.event_id, now):
            return []
        if message.is_reply:  # an answer, a hop or a second ask in an approval request's thread
            self.store.count_reply(message.platform, message.workspace, message.channel, message.thread)
            followed = self.approvals.reply(message, text, verdict)
            if followed is not None or verdict.kind in (Kind.APPROVAL, Kind.OTHER):
                return followed or []
        if verdict.kind not in LOGGED_KINDS:
            return []
        if verdict.wording and self.store.is_dismissed(message.platform, message.workspace, verdict.wording):
            return []  # people here said this wording is not a decision
        actions = self._log_and_nudge(message, verdict, text, now, posting, opinion and opinion.question)
        if verdict.kind == Kind.APPROVAL_REQUEST:
            actions = self.notices.with_door_note(actions, message, text, posting)
        return actions

    def _log_and_nudge(
        self, message: Message, verdict: Verdict, text: str, now: datetime, posting: bool = True,
        question: str | None = None, explicit: bool = False,
    ) -> list[Action]:
        """Log the message and ask about its customer when the detector is sure enough at the channel's
        sensitivity. `explicit`: someone said it is a decision (`/decision`, "Log as decision"), so it is
        asked about whenever it names no customer."""
        decision_id, created = self.store.log(message, verdict, text, now)
        if not created:
            return []
        if not posting:
            held = "posting is off" if verdict.nudge else None
            return [Logged(decision_id, verdict.kind, bool(verdict.customer_rationale), held=held)]
        if verdict.customer_rationale is not False:  # it names its customer: nothing to ask at any sensitivity
            return [
                React(message.channel, message.ts),
                Logged(decision_id, verdict.kind, bool(verdict.customer_rationale), held=None),
            ]
        channel = self.store.channel_settings(message.platform, message.workspace, message.channel)
        unsure = None if explicit else sensitivity.unsure(self.store, self.detector, message, verdict, channel)
        if unsure:
            return [Logged(decision_id, verdict.kind, False, held=unsure)]
        context = self._context(message, now, channel)
        held = policy.hold_reason(replace(verdict, nudge=True), context, self.rules, now)
        if held is None and self.store.record_nudge(message, decision_id, now) is None:
            held = "this thread was already asked once"
        logged = Logged(decision_id, verdict.kind, False, held=held)
        if held:
            return [logged]
        nudge = Nudge(
            decision_id=decision_id,
            channel=message.channel,
            thread=message.thread,
            author=message.author,
            kind=verdict.kind,
            text=self.prompts.render("nudge.md", kind=verdict.kind.value, question=question or self.question),
            ephemeral=context.channel.ephemeral,
        )
        return [nudge, logged]

    def _context(self, message: Message, now: datetime, channel: ChannelSettings) -> policy.NudgeContext:
        scope = (message.platform, message.workspace)
        return policy.NudgeContext(
            thread_nudged=self.store.thread_nudged(*scope, message.channel, message.thread),
            channel=channel,
            last_nudge_to_author=self.store.last_nudge_for(*scope, message.author),
            nudges_today=self.store.nudges_since(
                *scope, message.channel, policy.start_of_day(now, self.rules.zone)
            ),
        )

    def reaction(
        self, platform: str, workspace: str, channel: str, ts: str, user: str, emoji: str, when: datetime
    ) -> list[Action]:
        """A reaction on a message: ✅/👍 (❌/👎) by anyone but the requester answers its approval request."""
        return self.approvals.reaction(platform, workspace, channel, ts, user, emoji, when)

    def answer_request(self, platform: str, workspace: str, request_id: int, user: str, answer: str,
                       user_name: str | None = None) -> str:
        """Approve/Decline pressed under an approval reminder; the line to show the person who pressed it."""
        return self.approvals.button(platform, workspace, request_id, user, user_name, answer, self.clock())

    def edit(self, message: Message) -> list[Action]:
        """An edited message: its logged row follows the new text; nobody is asked again."""
        now = self.clock()
        text = clean_control(message.text)
        verdict = self.judge(text, message.platform, message.workspace)
        row = self.store.find(message.platform, message.workspace, message.channel, message.ts)
        if row is None:
            if verdict.kind not in LOGGED_KINDS:
                return []
            decision_id, _ = self.store.log(message, verdict, text, now)
            self.store.update(message.platform, message.workspace, decision_id, edited_at=iso(now))
            return [Logged(decision_id, verdict.kind, bool(verdict.customer_rationale), updated=True)]
        if row["status"] in ("deleted", "dismissed"):
            return []
        if verdict.kind not in LOGGED_KINDS:
            self.store.update(
                message.platform, message.workspace, row["id"],
                status="withdrawn", text=text, edited_at=iso(now), updated_at=iso(now),
            )
            return []
        answered = row["rationale"] is not None
        self.store.update(
            message.platform,
            message.workspace,
            row["id"],
            text=text,
            kind=verdict.kind.value,
            customer_rationale=int(bool(verdict.customer_rationale) or answered),
            customer=verdict.customer or row["customer"],
            principles=json.dumps(list(verdict.principles)),
            probability=verdict.probability,
            nudge_score=verdict.nudge_score,
            status="active",
            edited_at=iso(now),
            updated_at=iso(now),
        )
        return [Logged(row["id"], verdict.kind, bool(verdict.customer_rationale) or answered, updated=True)]

    def delete(self, platform: str, workspace: str, channel: str, ts: str) -> list[Action]:
        """A deleted message: its row is marked deleted and its words are forgotten, with its examples."""
        row = self.store.find(platform, workspace, channel, ts)
        if row is not None:
            self.store.update(platform, workspace, row["id"], status="deleted", text=None, updated_at=iso(self.clock()))
            self.store.forget_examples(platform, workspace, row["id"])
        return []

    def decision(self, platform: str, workspace: str, decision_id: int) -> dict | None:
        """One logged row of this workspace, or None."""
        return self.store.get(platform, workspace, decision_id)

    def annotate(self, platform: str, workspace: str, decision_id: int, **details: str | None) -> None:
        """Details a front end learns after logging (a permalink, names); nothing else is changed."""
        allowed = {"permalink", "channel_name", "author_name"}
        unknown = set(details) - allowed
        if unknown:
            raise ValueError(f"cannot annotate {', '.join(sorted(unknown))}")
        fields = {k: v for k, v in details.items() if v}
        if fields:
            self.store.update(platform, workspace, decision_id, **fields)

    # -- answers to a nudge ---------------------------------------------------------------

    def answer(
        self,
        platform: str,
        workspace: str,
        decision_id: int,
        choice: str,
        user: str,
        rationale: str | None = None,
    ) -> list[Action]:
        """Someone pressed one of the nudge's buttons (or saved the rationale form)."""
        if choice not in ANSWERS:
            raise InputError(f"unknown answer {choice!r}")
        row = self.store.get(platform, workspace, decision_id)
        if row is None:
            raise InputError("That decision is no longer in the log.")
        now = self.clock()
        stamp = iso(now)
        if choice == "add_rationale":
            rationale = clean_control(rationale or "").strip()
            if not rationale:
                raise InputError("Please say who the customer is and how this helps them.")
            self.store.update(
                platform, workspace, decision_id,
                rationale=rationale, rationale_by=user, rationale_at=stamp,
                customer_rationale=1, updated_at=stamp,
            )
            text = f"Thanks <@{user}>: customer rationale added. _{rationale}_"
        elif choice == "not_customer_facing":
            self.store.update(
                platform, workspace, decision_id, not_customer_facing_by=user, updated_at=stamp
            )
            text = f"Noted by <@{user}>: not customer-facing."
        elif choice == "not_a_decision":
            self.store.update(platform, workspace, decision_id, status="dismissed", updated_at=stamp)
            wording = self.judge(row["text"] or "").wording
            if wording:
                self.store.record_dismissal(platform, workspace, wording, now)
            text = f"Thanks <@{user}>: dismissed, not a decision."
        else:
            settings = self.store.channel_settings(platform, workspace, row["channel"])
            muted = policy.mute(settings, policy.DEFAULT_MUTE, user, now)
            self.store.save_channel_settings(platform, workspace, row["channel"], muted, now)
            text = f"<@{user}> muted me in this channel {policy.describe_mute(muted, self.rules.zone)}."
        learning.keep(self.store, row, choice, user, now)  # the row as logged: its words, not the rationale
        self.store.answer_nudge(platform, workspace, decision_id, choice, user, now)
        return [UpdateNudge(decision_id, text, quoted=rationale if choice == "add_rationale" else None)]

    # -- commands -------------------------------------------------------------------------

    def command(self, cmd: Command) -> list[Action]:
        cmd = replace(cmd, text=clean_control(cmd.text))
        name = cmd.name.lstrip("/").lower()
        if name == "prfaq":
            return [self._prfaq(cmd)]
        if name == "decision":
            return self._decision(cmd)
        if name == "digest":
            return [self._digest(cmd)]
        if name == "nudgebot":
            return [self._nudgebot(cmd)]
        return [Reply(f"I don't know `/{name}`. Try `/nudgebot help`.")]

    def _prfaq(self, cmd: Command) -> Reply:
        idea = " ".join(cmd.text.split())
        if not idea:
            return Reply("Tell me the idea: `/prfaq A meal-planning feature for busy parents`")
        body = prfaq.draft(self.prompts, idea, cmd.time.astimezone(self.rules.zone).date())
        return Reply(body, title=f"PR/FAQ: {prfaq.headline(idea)}")

    def _decision(self, cmd: Command) -> list[Action]:
        text = cmd.text.strip()
        if not text:
            return [Reply("Tell me the decision: `/decision We will ship dark mode on Monday because…`")]
        ts = cmd.thread or f"cmd-{iso(cmd.time)}-{next(self._explicit)}"
        message = Message(platform=cmd.platform, workspace=cmd.workspace, channel=cmd.channel,
                          visibility=cmd.visibility, thread=ts, ts=ts, author=cmd.user, text=text,
                          time=cmd.time, channel_name=cmd.channel_name)
        # The reply is the one confirmation: no reaction as well (in Slack there is no message to react to).
        return [a for a in self._log_explicitly(message, "decision_command") if not isinstance(a, React)]

    def log_as_decision(self, message: Message, by: str | None = None) -> list[Action]:
        """Someone (`by`, else the author) marked a message already written as a decision ("Log as decision")."""
        row = self.store.find(message.platform, message.workspace, message.channel, message.ts)
        if row is None:
            return self._log_explicitly(message, by=by)
        learning.keep(self.store, row, "log_as_decision", by or message.author, self.clock(),
                      self.judge(row["text"] or ""))
        if row["kind"] == Kind.DECISION and row["status"] == "active":
            return [Reply(f"That message is already logged as decision #{row['id']}.")]
        self.store.update(message.platform, message.workspace, row["id"], kind=Kind.DECISION.value,
                          status="active", approval_state=None, updated_at=iso(self.clock()))
        return [Reply(f"Logged as decision #{row['id']}.")]

    def _log_explicitly(self, message: Message, answer: str = "log_as_decision", by: str | None = None) -> list[Action]:
        """Log a message as a decision whatever its wording, asking about the customer if needed (an example)."""
        text = clean_control(message.text)
        judged = self.judge(text, message.platform, message.workspace)
        verdict = Verdict(
            kind=Kind.DECISION,
            customer_rationale=bool(judged.customer_rationale),
            principles=judged.principles or self.matcher.match(normalise(text)),
            nudge=not judged.customer_rationale,
            customer=judged.customer,
            probability=judged.probability,
            nudge_score=judged.nudge_score,
        )
        actions = self._log_and_nudge(message, verdict, text, self.clock(), explicit=True)
        logged = next((a for a in actions if isinstance(a, Logged)), None)
        if logged is None:
            return [Reply("That decision is already in the log.")]
        learning.keep_logged(self.store, message, logged.decision_id, answer, by, self.clock(), verdict)
        note = " It names its customer." if verdict.customer_rationale else ""
        return [Reply(f"Logged decision #{logged.decision_id}.{note}"), *actions]

    def _digest(self, cmd: Command) -> Reply:
        now = self.clock()
        week = digests.week_of(now, self.rules.zone)
        destination = Destination(cmd.platform, cmd.workspace, "channel", channel=cmd.channel)
        view = compose(self.store, self.principles, self.approvals.rules, destination, week, self.rules.zone, now)
        return Reply(render_markdown(view), title=f"Digest for {week.label}")

    def _nudgebot(self, cmd: Command) -> Reply:
        verb, _, rest = cmd.text.strip().partition(" ")
        verb = verb.lower()
        scope = (cmd.platform, cmd.workspace, cmd.channel)
        now = self.clock()
        settings = self.store.channel_settings(*scope)
        if verb in ("", "help"):
            lines = [*COMMANDS.values(), *([LLM_HELP] if self.llm.access.configured else [])]
            commands = "\n".join(f"• {line}" for line in lines)
            return Reply(self.prompts.render("help.md", question=self.question, commands=commands))
        if verb == "mute":
            try:
                duration = policy.parse_duration(rest)
            except InputError as exc:
                return Reply(str(exc))
            muted = policy.mute(settings, duration, cmd.user, now)
            self.store.save_channel_settings(*scope, muted, now)
            return Reply(
                f"Muted in this channel {policy.describe_mute(muted, self.rules.zone)}. "
                "Decisions are still logged; `/nudgebot unmute` to undo.",
                ephemeral=False,
            )
        if verb == "llm":
            return Reply(llm_command(self.llm, cmd, rest), ephemeral=False)
        if verb == "unmute":
            if not settings.muted_at(now):  # nothing to undo, and nothing is changed
                return Reply("This channel isn't muted: I already ask about the customer here.")
            self.store.save_channel_settings(*scope, policy.unmute(settings), now)
            return Reply("Unmuted: I'll ask about the customer again in this channel.", ephemeral=False)
        if verb == "status":
            return Reply(self._status(cmd, settings, now))
        if verb == "digest":
            return digest_command.answer(self.store, cmd, rest, now)
        if verb == "sensitivity":
            return sensitivity.answer(self.store, cmd, rest, now, self.detector.thresholds)
        return Reply(f"Unknown option `{verb}`. Try `/nudgebot help`.")

    def _status(self, cmd: Command, settings, now: datetime) -> str:
        counts = self.store.channel_counts(cmd.platform, cmd.workspace, cmd.channel)
        if settings.muted_at(now):
            mute_line = f"Muted {policy.describe_mute(settings, self.rules.zone)} (by <@{settings.muted_by}>)."
        else:
            mute_line = "Not muted."
        quiet = self.rules.quiet
        quiet_line = f"{quiet[0]:%H:%M}–{quiet[1]:%H:%M}" if quiet else "none"
        return "\n".join(
            [
                "*Nudgebot in this channel*",
                mute_line,
                f"Questions go {'privately to the author' if settings.ephemeral else 'in the thread'}; "
                f"approval requests {'are' if settings.approval_nudges else 'are not'} asked about.",
                f"Quiet hours: {quiet_line}. At most {self.rules.daily_cap} questions a day; "
                f"one per person every {int(self.rules.cooldown.total_seconds() // 60)} min.",
                sensitivity.status_line(self.store, cmd.platform, cmd.workspace, settings),
                f"Logged here: {_count(counts['decisions'], 'decision')} ({counts['lacking']} without a "
                f"customer rationale), {_count(counts['requests'], 'approval request')} "
                f"({counts['open_requests']} open), {_count(counts['nudges'], 'question')} asked.",
                *learning.status_lines(self.store, cmd.platform, cmd.workspace),
            ]
        )

    def home(self, platform: str, workspace: str, user: str) -> list[dict]:
        """What a person's home tab lists: their decisions lacking a customer, their open requests."""
        return self.store.open_items_for(platform, workspace, user)

    def due_reminders(self, now: datetime | None = None, platform: str | None = None) -> list[Action]:
        """For a front end's timer (every few minutes): approval reminders and two-way-door notes due
        now on `platform` (every platform when None). Each is returned once, across restarts."""
        return self.notices.due(now or self.clock(), platform)

    # -- housekeeping ---------------------------------------------------------------------

    def purge_old_text(self) -> int:
        """Forget message text past the retention period (0 keeps it forever), and event ids
        older than a week."""
        now = self.clock()
        self.store.forget_events(now - timedelta(days=7))
        if not self.retention_days:
            return 0
        return self.store.purge_text(now - timedelta(days=self.retention_days), now)
