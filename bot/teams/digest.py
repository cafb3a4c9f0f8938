"""The weekly digest in Teams: an Adaptive Card with the chart as its image, sent unprompted through the
conversation references the bot stored (bot/teams/proactive.py): to the channel chosen with
`nudgebot digest here`, or to an author's own chat with the bot.

Its one rationale form (pick the decision, say who the customer is) saves with the verb
`digest_add_rationale`, which answers without replacing the card: the digest stays as it was posted.
"""

from __future__ import annotations

import asyncio
import base64

from botbuilder.core import CardFactory
from botbuilder.schema import Activity, ActivityTypes

from bot.chart import compact, describe
from bot.digest_post import NotSent
from bot.digest_render import MARKDOWN, parts
from bot.digest_report import WeeklyDigest
from bot.teams import cards
from bot.teams.proactive import PLATFORM, Proactive


class NotConfirmed(Exception):
    """The connector did not confirm the post (refused, or no answer): it may have been delivered."""


def _text(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def digest_card(digest: WeeklyDigest, chart: bytes | None) -> dict:
    """The digest as an Adaptive Card: title, figures, the items lacking a customer rationale, the rest,
    then the chart (a PNG data URI; its alt text carries the same numbers)."""
    p = parts(digest, MARKDOWN)
    body = [_text(p.title, size="Large", weight="Bolder")]
    body += [_text(line) for line in p.summary if line]
    body += [_text(line, spacing="Small") for line, _ in p.items]
    body += [_text(line) for line in p.after if line]
    if chart is not None:
        body.append({"type": "Image", "url": "data:image/png;base64," + base64.b64encode(chart).decode(),
                     "altText": describe(digest.trend), "size": "Stretch"})
    if not p.items:
        return cards.card(body)
    choices = [{"title": _choice(item), "value": str(item.id)} for _, item in p.items]
    pick = {"type": "Input.ChoiceSet", "id": cards.DECISION_INPUT, "label": "Which decision?", "isRequired": True,
            "errorMessage": "Please pick a decision.", "choices": choices, "value": choices[0]["value"]}
    save = {"type": "Action.Execute", "verb": cards.DIGEST_VERB, "title": "Save", "style": "positive"}
    return cards.card(body, [cards.rationale_form("Add a customer rationale", [pick], save)])


def _choice(item) -> str:
    words = item.excerpt if len(item.excerpt) <= 60 else item.excerpt[:59] + "…"
    return f"{item.channel_name or 'a channel'}: {words}"


class TeamsDigests:
    """The Teams `Sender` of bot/digest_post.py."""

    platform = PLATFORM

    def __init__(self, proactive: Proactive):
        self.proactive = proactive

    async def home_workspace(self) -> str | None:
        return None  # NUDGEBOT_DIGEST_CHANNEL is a Slack channel; Teams channels are chosen from chat

    async def send(self, digest: WeeklyDigest, chart: bytes | None) -> str:
        d, run, stored = digest.destination, self.proactive.run, self.proactive.conversations
        image = await asyncio.to_thread(compact, chart) if chart is not None else None
        activity = Activity(type=ActivityTypes.message, summary=parts(digest, MARKDOWN).title,
                            attachments=[CardFactory.adaptive_card(digest_card(digest, image))])
        if d.kind == "channel":
            if await run(stored.get, d.workspace, d.channel) is None:
                raise NotSent("the bot has not seen this conversation yet (mention it there once)")
            delivered = await self.proactive.send(d.workspace, d.channel, activity)
        else:
            if await run(stored.any_in, d.workspace) is None:
                raise NotSent("no conversation of this tenant is known, so no chat can be started")
            delivered = await self.proactive.to_person(d.workspace, d.user, activity)
        if not delivered:
            raise NotConfirmed("the Bot Framework connector did not confirm the post")
        return d.channel or d.user or ""
