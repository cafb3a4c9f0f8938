"""All of Nudgebot's Adaptive Cards, built from the engine's plain actions.

The engine writes Slack-flavoured markup (`*bold*`, `<@U1>`, `` `/nudgebot mute` ``); here it becomes what
an Adaptive Card shows: Markdown with double asterisks, people's names, commands as they are typed in
Teams. Words a person typed are never put through Markdown: they are shown as plain text runs.
"""

from __future__ import annotations

import re

from botbuilder.core import CardFactory
from botbuilder.schema import Activity, ActivityTypes

from bot.actions import Action, Nudge, Reminder, Reply, TwoWayDoor, UpdateNudge
from bot.text import excerpt

CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.4"  # Action.Execute (Universal Actions) needs 1.4; Teams renders up to 1.5
CUSTOMER_INPUT = "customer"
BENEFIT_INPUT = "benefit"
MAX_INPUT = 1000
TEXT_LIMIT = 20_000  # Teams refuses messages past about 28 KB

_MENTION = re.compile(r"<@([^>|]+)(?:\|([^>]*))?>")
_GROUP = re.compile(r"<!subteam\^[^>|]+(?:\|@?([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|\s]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")
_CODE = re.compile(r"`([^`\n]+)`")
_SLASH = re.compile(r"(?<![\w.])/(?:nudgebot\s+|(?=(?:prfaq|decision|digest)\b))")  # not inside a link
_TEAMS_ID = re.compile(r"^(?:\d+:|[0-9a-f]{8}-[0-9a-f]{4}-)", re.I)


def teams_id(value: str) -> bool:
    """A Teams user id ("29:1a…", an AAD object id) rather than a display name."""
    return bool(_TEAMS_ID.match(value))


def mentioned_ids(actions: list[Action]) -> set[str]:
    """The people the actions' texts mention by id: their names are looked up before rendering."""
    texts = [getattr(a, "text", None) or getattr(a, "markdown", None) or "" for a in actions]
    return {m.group(1) for text in texts for m in _MENTION.finditer(text) if teams_id(m.group(1))}


def markdown(text: str, names: dict[str, str]) -> str:
    """The engine's markup as the Markdown Adaptive Cards render."""
    def person(match: re.Match) -> str:
        who, label = match.group(1), match.group(2)
        return names.get(who) or label or ("someone" if teams_id(who) else who)

    text = _MENTION.sub(person, text)
    text = _GROUP.sub(lambda m: "@" + (m.group(1) or "group"), text)
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _SLASH.sub("", text)  # commands are typed without a slash in Teams
    text = _CODE.sub(r"**\1**", text)  # Adaptive Cards have no inline code
    return _BOLD.sub(r"**\1**", text)


def _text(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _blocks(body: str, names: dict[str, str]) -> list[dict]:
    """Markdown (headings, quotes, paragraphs) as TextBlocks; Adaptive Cards have no headings of their own."""
    blocks, paragraph = [], []

    def flush() -> None:
        if paragraph:
            blocks.append(_text(markdown("\n\n".join(paragraph), names)))
            paragraph.clear()

    for line in body[:TEXT_LIMIT].splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,3})\s+(.*)$", stripped)
        if heading:
            flush()
            size = "Large" if len(heading.group(1)) == 1 else "Medium"
            blocks.append(_text(markdown(heading.group(2), names), size=size, weight="Bolder"))
        elif stripped.startswith(">"):
            flush()
            blocks.append(_text(markdown(stripped.lstrip("> "), names), isSubtle=True, spacing="Small"))
        elif stripped:
            paragraph.append(stripped)
        else:
            flush()
    flush()
    return blocks


def card(body: list[dict], actions: list[dict] | None = None) -> dict:
    content = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body,
               "msteams": {"width": "Full"}}
    if actions:
        content["actions"] = actions
    return content


DIGEST_VERB = "digest_add_rationale"  # the digest's form: saves without replacing the digest card
DECISION_INPUT = "decision_id"


def _execute(verb: str, title: str, decision_id: int, **style) -> dict:
    return {"type": "Action.Execute", "verb": verb, "title": title, "data": {"decision_id": decision_id}, **style}


def nudge(action: Nudge) -> dict:
    """The question under a decision: the rationale form behind its first button, then the three others."""
    actions = []
    for button in action.buttons:
        if button.action != "add_rationale":
            actions.append(_execute(button.action, button.label, action.decision_id))
            continue
        actions.append(rationale_form(button.label, [], _execute("add_rationale", "Save", action.decision_id,
                                                                  style="positive")))
    return card(_blocks(action.text, {}), actions)


def rationale_form(title: str, before: list[dict], save: dict) -> dict:
    """A button that opens the rationale form inside the card: `before` (e.g. which decision), who the
    customer is, how it helps them, and `save`."""
    form = card([
        *before,
        {"type": "Input.Text", "id": CUSTOMER_INPUT, "label": "Who is the customer?", "isRequired": True,
         "errorMessage": "Please say who the customer is.", "maxLength": 200,
         "placeholder": "e.g. Resellers in the EU"},
        {"type": "Input.Text", "id": BENEFIT_INPUT, "label": "How does this help them?", "isMultiline": True,
         "maxLength": MAX_INPUT},
    ], [save])
    del form["$schema"], form["version"], form["msteams"]
    return {"type": "Action.ShowCard", "title": title, "card": form}


def rationale_from(data: dict) -> str:
    """The rationale typed into the card's form: "customer: how it helps them"; empty without a customer."""
    def typed(key: str) -> str:
        value = data.get(key)
        return " ".join(value.split())[:MAX_INPUT] if isinstance(value, str) else ""

    who, how = typed(CUSTOMER_INPUT), typed(BENEFIT_INPUT)
    if not who:
        return ""
    return f"{who}: {how}" if how else who


def updated(action: UpdateNudge, names: dict[str, str]) -> dict:
    """The nudge after someone answered it: the outcome, no buttons. A typed rationale is shown as typed."""
    if not action.quoted or action.quoted not in action.text:
        return card([_text(markdown(action.text, names))])
    head = action.text.rpartition(action.quoted)[0].rstrip(" _")
    quote = {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": action.quoted, "italic": True}]}
    return card([_text(markdown(head, names)), quote])


def reply(action: Reply, names: dict[str, str]) -> dict:
    """A command's answer (help, status, a PR/FAQ, a digest), with its title when it has one."""
    body = _blocks(action.markdown, names)
    if action.title:
        body.insert(0, _text(markdown(action.title, names), size="Large", weight="Bolder"))
    return card(body)


def render(action: Action, names: dict[str, str]) -> Activity | None:
    """The message showing one action; None for actions that show nothing in Teams (reactions, log notes)."""
    if isinstance(action, Nudge):
        content, summary = nudge(action), action.text
    elif isinstance(action, Reply):
        content, summary = reply(action, names), action.title or action.markdown
    elif isinstance(action, UpdateNudge):
        content, summary = updated(action, names), action.text
    elif isinstance(action, Reminder):
        buttons = [{"type": "Action.Execute", "verb": b.action, "title": b.label,
                    "data": {"request_id": action.request_id}} for b in action.buttons]
        content, summary = card(_blocks(action.text, names), buttons), action.text
    elif isinstance(action, TwoWayDoor):
        content, summary = card(_blocks(action.text, names)), action.text
    else:
        return None
    # The summary is what notifications and the chat list show: the first line, as plain words.
    return Activity(type=ActivityTypes.message, attachments=[CardFactory.adaptive_card(content)],
                    summary=excerpt(markdown(summary.splitlines()[0] if summary else "", names), 200))


def invoke_card(content: dict) -> dict:
    """The answer to a card's Action.Execute that replaces the card."""
    return {"statusCode": 200, "type": CARD, "value": content}


def invoke_message(text: str) -> dict:
    """The answer to a card's Action.Execute that leaves the card as it is and tells the person why."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}
