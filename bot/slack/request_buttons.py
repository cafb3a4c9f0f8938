"""Approve and Decline under an approval reminder in Slack: the press is the presser's answer to the
request, exactly as a reply in its thread would be, and only they are told what it did."""

from __future__ import annotations

import re

from bot.actions import REQUEST_ANSWERS
from bot.errors import InputError
from bot.slack.calls import quietly
from bot.slack.payloads import PLATFORM, workspace_of

ACTIONS = re.compile(f"^({'|'.join(REQUEST_ANSWERS)})$")


def answerer(slack):
    """The Bolt listener for the buttons, on a bot/slack/app.py SlackBot (its engine thread and engine)."""

    async def on_request_answer(ack, body: dict, action: dict, respond, context) -> None:
        await ack()
        user = body.get("user") or {}
        try:
            said = await slack.run(slack.engine.answer_request, PLATFORM, workspace_of(context),
                                   int(action.get("value") or 0), user.get("id", ""),
                                   REQUEST_ANSWERS[action["action_id"]], user.get("name"))
        except (InputError, ValueError) as exc:
            said = str(exc) if isinstance(exc, InputError) else "That approval request is unknown."
        await quietly(respond, "response_url", text=said, response_type="ephemeral", replace_original=False)

    return on_request_answer
