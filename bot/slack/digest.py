"""The weekly digest in Slack: Block Kit posted with chat.postMessage, the chart uploaded beside it
(files_upload_v2), and the digest's "Add customer rationale" buttons.

Each workspace's digest is posted with that workspace's own bot token: from slack-sdk's installation
store in the decision log's file (installs through /slack/install), or SLACK_BOT_TOKEN, which serves
only the workspace it belongs to (auth.test says which), so another workspace's digest is never
posted with it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chart import describe
from bot.config import Settings
from bot.digest_post import NotSent
from bot.digest_render import MRKDWN, parts
from bot.digest_report import WeeklyDigest
from bot.slack import blocks, oauth
from bot.slack.calls import failure, quietly
from bot.slack.payloads import PLATFORM, web_client, workspace_of

log = logging.getLogger("nudgebot.slack.digest")

ClientFor = Callable[[str], Awaitable[AsyncWebClient | None]]


def installed_clients(settings: Settings, database: Path) -> ClientFor:
    """A client with `workspace`'s bot token, for a process without the Slack app (`nudgebot digest
    --post` from cron): SLACK_BOT_TOKEN, or the workspace's installation in the log's file."""
    if not settings.slack_oauth:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        client = web_client(settings, token)

        async def single(_workspace: str) -> AsyncWebClient | None:
            return client if token else None

        return single
    installations = oauth.installation_store(settings, database)

    async def installed(workspace: str) -> AsyncWebClient | None:
        bot = installations.find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            bot = installations.find_bot(enterprise_id=workspace, team_id=None, is_enterprise_install=True)
        return web_client(settings, bot.bot_token) if bot is not None else None

    return installed


class SlackDigests:
    """The Slack `Sender` of bot/digest_post.py."""

    platform = PLATFORM

    def __init__(self, settings: Settings, client_for: ClientFor):
        self.settings = settings
        self.client_for = client_for
        self._home: list[str | None] = []  # learnt once: the single token's workspace

    async def home_workspace(self) -> str | None:
        if self.settings.slack_oauth or not self.settings.slack_bot_token:
            return None
        if not self._home:
            client = await self.client_for("")
            answer = await quietly(client.auth_test, "auth.test") if client is not None else None
            if answer is None:
                return None  # not learnt: asked again next time
            self._home.append(answer.get("team_id"))
        return self._home[0]

    async def send(self, digest: WeeklyDigest, chart: bytes | None) -> str:
        d = digest.destination
        if not self.settings.slack_oauth and d.workspace != await self.home_workspace():
            raise NotSent("SLACK_BOT_TOKEN belongs to another workspace (or Slack could not say which)")
        client = await self.client_for(d.workspace)
        if client is None:
            raise NotSent("no bot token for this workspace (the app is not installed there)")
        p = parts(digest, MRKDWN)
        message = blocks.digest(p.title, p.summary, [(line, item.id) for line, item in p.items], p.after)
        try:
            posted = await client.chat_postMessage(channel=d.channel if d.kind == "channel" else d.user,
                                                   unfurl_links=False, unfurl_media=False, **message)
        except SlackApiError as exc:
            if getattr(exc.response, "status_code", 200) >= 500:
                raise  # Slack may have posted it before failing: the outcome is unknown
            raise NotSent(failure(exc)) from None
        except aiohttp.ClientConnectorError as exc:  # never reached Slack
            raise NotSent(failure(exc)) from None
        if chart is not None:
            await quietly(client.files_upload_v2, "files_upload_v2", channel=posted["channel"], content=chart,
                          filename=f"customer-rationale-{digest.week}.png",
                          title=f"Share with a customer rationale, {len(digest.trend)} weeks to {digest.week}",
                          alt_txt=describe(digest.trend)[:1000])
        return posted["ts"]


def register(slack) -> SlackDigests:
    """The digest's "Add customer rationale" buttons, on the running Slack app (a bot/slack/app.py SlackBot);
    the sender posting digests with its workspaces' tokens. The button opens the nudge's form; saving it
    updates the log only: the digest message stays as it is."""

    async def on_digest_rationale(ack, body: dict, action: dict, client: AsyncWebClient, context) -> None:
        await ack()
        decision_id = int(action.get("value") or 0)
        row = await slack.run(slack.engine.decision, PLATFORM, workspace_of(context), decision_id)
        view = blocks.rationale_modal(decision_id, {"digest": True}, row["text"] if row else None)
        await quietly(client.views_open, "views.open", trigger_id=body["trigger_id"], view=view)

    slack.app.action(blocks.DIGEST_RATIONALE)(on_digest_rationale)
    return SlackDigests(slack.settings, slack.client_for)
