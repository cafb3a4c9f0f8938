"""manifest.yml and the app agree: every command and event it subscribes is handled at one URL."""

from __future__ import annotations

import yaml
from conftest import ROOT

from bot.slack.app import COMMANDS

MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_registers_exactly_the_slash_commands_the_app_handles():
    """The manifest's slash commands are the ones the app answers."""
    assert sorted(c["command"] for c in MANIFEST["features"]["slash_commands"]) == sorted(COMMANDS)


def test_every_slack_url_in_the_manifest_is_the_one_events_endpoint():
    """Events, interactivity and commands all point at /slack/events."""
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls += [MANIFEST["settings"]["event_subscriptions"]["request_url"],
             MANIFEST["settings"]["interactivity"]["request_url"]]
    assert {u.rsplit("/", 2)[-2:] == ["slack", "events"] for u in urls} == {True}


def test_manifest_subscribes_to_messages_wherever_the_bot_is_invited():
    """Messages and reactions wherever the bot is invited reach it, with the scopes to read them."""
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    scopes = MANIFEST["oauth_config"]["scopes"]["bot"]
    assert events == ["message.channels", "message.groups", "message.im", "message.mpim", "reaction_added",
                      "app_home_opened", "app_uninstalled", "tokens_revoked"]
    assert {"channels:history", "groups:history", "im:history", "mpim:history", "chat:write",
            "reactions:write", "reactions:read", "commands", "channels:read", "groups:read",
            "users:read", "files:write"} == set(scopes)


def test_people_can_write_to_the_bot_since_it_reads_its_direct_messages():
    """The bot subscribes to its direct messages, so its Messages tab takes what people write."""
    home = MANIFEST["features"]["app_home"]
    assert "message.im" in MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False


def test_an_oauth_install_asks_for_exactly_the_manifests_scopes():
    """/slack/install requests the scopes the manifest declares, and Slack returns to our redirect path."""
    from bot.slack.oauth import REDIRECT_PATH, SCOPES

    assert list(SCOPES) == MANIFEST["oauth_config"]["scopes"]["bot"]
    assert [u.split("HOST", 1)[1] for u in MANIFEST["oauth_config"]["redirect_urls"]] == [REDIRECT_PATH]


def test_manifest_shortcuts_are_the_ones_the_app_handles():
    """The manifest's one message shortcut is the "Log as decision" the app answers."""
    from bot.slack.blocks import LOG_AS_DECISION

    assert [(s["type"], s["callback_id"]) for s in MANIFEST["features"]["shortcuts"]] == [("message", LOG_AS_DECISION)]
