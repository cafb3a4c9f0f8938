"""All of Nudgebot's Block Kit, built from the engine's plain actions.

Text the engine writes is already Slack mrkdwn. Words a person typed into a modal reach us raw,
so they are escaped wherever we echo them; message and command text arrive escaped by Slack.
"""

from __future__ import annotations

import json

from bot.actions import Nudge, Reply, UpdateNudge

SECTION_LIMIT = 3000  # characters of mrkdwn in one section block
RATIONALE_VIEW = "rationale"
POST_PRFAQ = "post_prfaq"
LOG_AS_DECISION = "log_as_decision"  # the message shortcut's callback id
DIGEST_RATIONALE = "digest_add_rationale"  # a digest item's button: the rationale form, the digest left as is
CUSTOMER_BLOCK = "customer"
BENEFIT_BLOCK = "benefit"
MAX_INPUT = 1000


def escape(text: str) -> str:
    """Make typed text inert in mrkdwn: no mentions, links or @channel from a modal field."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(markdown: str) -> list[dict]:
    """Long text split at line breaks into sections Slack accepts."""
    blocks, chunk = [], ""
    for line in markdown.splitlines():
        while len(line) > SECTION_LIMIT:
            blocks.append(_section(line[:SECTION_LIMIT]))
            line = line[SECTION_LIMIT:]
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(_section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk.strip():
        blocks.append(_section(chunk))
    return blocks


def _button(action_id: str, label: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label},
              "value": value}
    if style:
        button["style"] = style
    return button


def nudge(action: Nudge) -> dict:
    """The question under a decision, with its four buttons; `value` carries the decision id."""
    buttons = [
        _button(b.action, b.label, str(action.decision_id), "primary" if b.action == "add_rationale" else None)
        for b in action.buttons
    ]
    return {
        "text": action.text.splitlines()[0],
        "blocks": [
            *_sections(action.text),
            {"type": "actions", "block_id": f"nudge-{action.decision_id}", "elements": buttons},
        ],
    }


def home(items: list[dict], buttons) -> dict:
    """The App Home tab: the person's decisions lacking a customer rationale and open requests,
    each with the nudge's buttons (`buttons` are the engine's NUDGE_BUTTONS)."""
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Your decisions and requests"}}]
    if not items:
        blocks.append(_section("Nothing waiting for you: every decision you logged says who its customer is. :tada:"))
    for item in items:
        label = "Approval request" if item["kind"] == "approval_request" else "Decision"
        where = f"<#{item['channel']}>" if item["channel"].startswith(("C", "G")) else "a direct message"
        text = item["text"] or "(text removed after the retention period)"
        link = f" <{item['permalink']}|open>" if item.get("permalink") else ""
        blocks.append(_section(f"*{label}* in {where}: {text[:500]}{link}"))
        blocks.append({
            "type": "actions",
            "block_id": f"home-{item['id']}",
            "elements": [
                _button(b.action, b.label, str(item["id"]), "primary" if b.action == "add_rationale" else None)
                for b in buttons
                if item["kind"] == "decision" or b.action != "not_customer_facing"
            ],
        })
    return {"type": "home", "blocks": blocks[:100]}


def updated(action: UpdateNudge) -> dict:
    """The nudge after someone answered it: the outcome, no buttons."""
    text = action.text
    if action.quoted:
        head, sep, tail = text.rpartition(action.quoted)
        if sep:
            text = head + escape(action.quoted) + tail
    return {"text": text, "blocks": _sections(text)}


def reply(action: Reply) -> dict:
    blocks = _sections(action.markdown)
    if action.title:
        blocks.insert(0, {"type": "header", "text": {"type": "plain_text", "text": action.title[:150]}})
    return {"text": action.title or action.markdown[:SECTION_LIMIT], "blocks": blocks}


def notice(text: str, request_id: int | None = None, buttons=()) -> dict:
    """An approval reminder or a two-way-door note: the engine's text, its mentions kept as mentions; a
    reminder has Approve and Decline (`value` carries the request's id)."""
    blocks = _sections(text)
    if buttons:
        blocks.append({"type": "actions", "block_id": f"request-{request_id}", "elements": [
            _button(b.action, b.label, str(request_id), "primary" if b.action == "approve_request" else None)
            for b in buttons]})
    return {"text": text[:SECTION_LIMIT], "blocks": blocks}


def prfaq(action: Reply, idea: str, shareable: bool = True) -> dict:
    """The PR/FAQ as real Markdown, with a button that posts it to the channel for everyone."""
    blocks = [{"type": "markdown", "text": action.markdown[:12000]}]
    if shareable:
        blocks.append(
            {"type": "actions", "block_id": "prfaq",
             "elements": [_button(POST_PRFAQ, "Post to channel", idea[:2000], "primary")]}
        )
    return {"text": action.title or "PR/FAQ", "blocks": blocks}


def rationale_modal(decision_id: int, metadata: dict, decision_text: str | None) -> dict:
    """The form behind "Add customer rationale"; `metadata` says which nudge to update afterwards."""
    blocks = []
    if decision_text:
        quoted = decision_text if len(decision_text) <= 600 else decision_text[:600] + "…"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"> {quoted}"}]})
    blocks += [
        {"type": "input", "block_id": CUSTOMER_BLOCK,
         "label": {"type": "plain_text", "text": "Who is the customer?"},
         "element": {"type": "plain_text_input", "action_id": "value", "max_length": 200,
                     "placeholder": {"type": "plain_text", "text": "e.g. Resellers in the EU"}}},
        {"type": "input", "block_id": BENEFIT_BLOCK, "optional": True,
         "label": {"type": "plain_text", "text": "How does this help them?"},
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                     "max_length": MAX_INPUT}},
    ]
    return {
        "type": "modal",
        "callback_id": RATIONALE_VIEW,
        "private_metadata": json.dumps({"decision_id": decision_id, **metadata}),
        "title": {"type": "plain_text", "text": "Customer rationale"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def rationale_from(view: dict) -> str:
    """The rationale typed into the modal: "customer: how it helps them"; empty without a customer."""
    values = view.get("state", {}).get("values", {})

    def typed(block: str) -> str:
        return " ".join(((values.get(block, {}).get("value") or {}).get("value") or "").split())

    who, how = typed(CUSTOMER_BLOCK), typed(BENEFIT_BLOCK)
    if not who:
        return ""
    return f"{who}: {how}" if how else who


def digest(title: str, summary: list[str], items: list[tuple[str, int]], after: list[str]) -> dict:
    """The weekly digest: the figures, then each item lacking a customer rationale with a button that
    opens the rationale form (`items` are mrkdwn lines with their decision ids), then the rest."""
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}, *_sections("\n".join(summary))]
    for line, decision_id in items:
        blocks.append({**_section(line[:SECTION_LIMIT]), "block_id": f"digest-{decision_id}",
                       "accessory": _button(DIGEST_RATIONALE, "Add customer rationale", str(decision_id))})
    blocks += _sections("\n".join(after))
    return {"text": title, "blocks": blocks[:50]}
