"""Installing the app in many workspaces: Slack's OAuth flow over HTTP, and each workspace kept apart."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from slack_harness import SECRET, SlackSender, message_event

from bot.slack.oauth import SCOPES

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret-do-not-log"
UNCLEAR = "We decided to move the launch to next Friday."
COOKIE = "slack-app-oauth-state"


class Browser:
    """An admin's browser on our install pages: keeps the state cookie Slack's flow relies on."""

    def __init__(self, base: str):
        self.base = base
        self.cookie: str | None = None

    async def get(self, path: str, cookie: str | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        async with aiohttp.ClientSession() as session:
            async with session.get(self.base + path, headers=headers, allow_redirects=False) as response:
                return response.status, await response.text(), dict(response.headers)

    async def start_install(self) -> tuple[str, dict]:
        """Open /slack/install; the Add-to-Slack link's query, with the state cookie kept."""
        status, page, headers = await self.get("/slack/install")
        assert status == 200, page
        link = html.unescape(re.search(r'href="([^"]+oauth/v2/authorize[^"]+)"', page).group(1))
        self.cookie = re.search(rf"{COOKIE}=([^;]+)", headers["Set-Cookie"]).group(1)
        return link, {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}

    async def install(self, team: str) -> tuple[int, str]:
        """The whole round trip: the install page, Slack's consent (simulated), the redirect back."""
        _, query = await self.start_install()
        status, page, _ = await self.get(f"/slack/oauth_redirect?code=code-{team}&state={query['state']}",
                                         cookie=self.cookie)
        return status, page


@pytest.fixture
async def installs(fake_slack, engine):
    """The server configured for multi-workspace installs (client id and secret, no bot token)."""
    from aiohttp import web

    from bot.config import load_settings
    from bot.server import create_app

    settings = load_settings(env_file=None, slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET,
                             slack_signing_secret=SECRET, slack_api_url=fake_slack.base_url)
    runner = web.AppRunner(create_app(settings, engine))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    yield Browser(base), SlackSender(f"{base}/slack/events", fake_slack)
    await runner.cleanup()


def bots(store) -> list[tuple]:
    return [tuple(r) for r in store.db.execute(
        "SELECT team_id, bot_token, bot_user_id, bot_id FROM slack_bots ORDER BY team_id").fetchall()]


async def test_install_page_links_to_slacks_consent_screen_with_our_scopes(installs, fake_slack):
    """/slack/install offers an Add-to-Slack link with our client id, our bot scopes and a fresh state."""
    browser, _ = installs
    link, query = await browser.start_install()
    assert link.startswith(f"http://127.0.0.1:{fake_slack.port}/oauth/v2/authorize?")
    assert query["client_id"] == CLIENT_ID
    assert query["scope"].split(",") == list(SCOPES)
    assert query["state"] == browser.cookie


async def test_finishing_the_install_stores_the_workspaces_bot(installs, fake_slack, store):
    """Slack's redirect back with a code stores the workspace's bot token and identity in our SQLite file."""
    browser, _ = installs
    status, page = await browser.install("T_TWO")
    assert status == 200 and "Thank you" in page
    assert bots(store) == [("T_TWO", "xoxb-T_TWO-installed", "U_BOT_T_TWO", "B_BOT_T_TWO")]
    [exchange] = fake_slack.calls_to("oauth.v2.access")
    assert exchange.params["code"] == "code-T_TWO"


async def test_a_redirect_without_the_installers_state_cookie_stores_nothing(installs, fake_slack, store):
    """A forged or replayed redirect (state not from this browser) is refused and nothing is stored."""
    browser, _ = installs
    _, query = await browser.start_install()
    status, _, _ = await browser.get(f"/slack/oauth_redirect?code=code-T_EVIL&state={query['state']}",
                                     cookie="another-state")
    assert status >= 400
    status, _, _ = await browser.get("/slack/oauth_redirect?code=code-T_EVIL&state=made-up", cookie="made-up")
    assert status >= 400
    assert bots(store) == [] and fake_slack.calls_to("oauth.v2.access") == []


async def test_a_state_is_good_for_one_install_only(installs, fake_slack, store):
    """Using the same state twice installs once."""
    browser, _ = installs
    _, query = await browser.start_install()
    path = f"/slack/oauth_redirect?code=code-T_TWO&state={query['state']}"
    assert (await browser.get(path, cookie=browser.cookie))[0] == 200
    assert (await browser.get(path.replace("T_TWO", "T_EVIL"), cookie=browser.cookie))[0] >= 400
    assert [b[0] for b in bots(store)] == ["T_TWO"]


async def test_each_workspace_is_answered_with_its_own_token(installs, fake_slack, store):
    """After two installs, a decision in each workspace is asked about with that workspace's bot token."""
    browser, slack = installs
    await browser.install("T_TWO")
    await browser.install("T_THREE")
    await slack.event(message_event(UNCLEAR, ts="1763460000.100001"), team="T_TWO")
    await slack.event(message_event(UNCLEAR, ts="1763460000.100002"), team="T_THREE")
    posts = await fake_slack.wait_for("chat.postMessage", count=2)
    assert sorted(p.token for p in posts) == ["xoxb-T_THREE-installed", "xoxb-T_TWO-installed"]
    assert [r["workspace"] for r in store.decisions("slack", "T_TWO")] == ["T_TWO"]
    assert [r["workspace"] for r in store.decisions("slack", "T_THREE")] == ["T_THREE"]
    assert "auth.test" not in [c.method for c in fake_slack.calls if c.token != "xoxb-T_TWO-installed"
                               and c.token != "xoxb-T_THREE-installed"]


async def test_one_workspaces_items_never_show_in_anothers_home_tab(installs, fake_slack, store):
    """The same user id in two workspaces sees only that workspace's open items on the App Home tab."""
    browser, slack = installs
    await browser.install("T_TWO")
    await browser.install("T_THREE")
    await slack.event(message_event(UNCLEAR, user="U_ANN", ts="1763460000.200001"), team="T_TWO")
    await fake_slack.wait_for("chat.postMessage")
    home = {"type": "app_home_opened", "user": "U_ANN", "channel": "D_HOME", "tab": "home",
            "event_ts": "1763460000.200009"}
    await slack.event(home, team="T_THREE")
    [other] = await fake_slack.wait_for("views.publish")
    await slack.event(home, team="T_TWO")
    [_, own] = await fake_slack.wait_for("views.publish", count=2)
    assert other.token == "xoxb-T_THREE-installed" and "move the launch" not in json.dumps(other.params["view"])
    assert own.token == "xoxb-T_TWO-installed" and "move the launch" in json.dumps(own.params["view"])


async def test_a_workspace_that_never_installed_is_not_served(installs, fake_slack, store):
    """A signed event from a workspace with no installation is logged nowhere and answered nowhere."""
    _, slack = installs
    answer = await slack.event(message_event(UNCLEAR), team="T_NOBODY")
    assert answer.status == 200
    assert store.decisions("slack", "T_NOBODY") == [] and fake_slack.calls_to("chat.postMessage") == []


async def test_the_installed_bots_own_messages_are_ignored(installs, fake_slack, store):
    """In an installed workspace the bot recognises its own user from the installation."""
    browser, slack = installs
    await browser.install("T_TWO")
    await slack.event(message_event(UNCLEAR, user="U_BOT_T_TWO"), team="T_TWO")
    await slack.event(message_event("We decided to go with Postgres for the new service.", user="U_ANN"), team="T_TWO")
    await fake_slack.wait_for("chat.postMessage")
    assert [r["author"] for r in store.decisions("slack", "T_TWO")] == ["U_ANN"]


async def test_uninstalling_forgets_the_token_and_keeps_the_log(installs, fake_slack, store):
    """app_uninstalled deletes the workspace's token; its logged decisions stay for the admin."""
    browser, slack = installs
    await browser.install("T_TWO")
    await slack.event(message_event(UNCLEAR, ts="1763460000.300001"), team="T_TWO")
    await fake_slack.wait_for("chat.postMessage")
    await slack.event({"type": "app_uninstalled", "event_ts": "1763460000.300002"}, team="T_TWO")
    await wait_for_no_bots(store)
    await slack.event(message_event("Going with Postgres for the new service.", ts="1763460000.300003"),
                      team="T_TWO")
    assert [r["ts"] for r in store.decisions("slack", "T_TWO")] == ["1763460000.300001"]


async def wait_for_no_bots(store) -> None:
    import asyncio

    async def gone() -> None:
        while bots(store):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(gone(), 5)


async def test_secrets_never_reach_the_pages_or_the_log(installs, fake_slack, store, caplog):
    """The client secret and the installed tokens appear in no page and no log line."""
    browser, slack = installs
    _, page = await browser.install("T_TWO")
    await slack.event(message_event(UNCLEAR), team="T_TWO")
    await fake_slack.wait_for("chat.postMessage")
    for secret in (CLIENT_SECRET, "xoxb-T_TWO-installed"):
        assert secret not in page and secret not in caplog.text
