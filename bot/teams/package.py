"""The Teams app package: manifest.json and the two icons, zipped, ready to upload in Teams.

The manifest follows the current schema (v1.22): the bot in personal chats, teams and group chats, the
commands Teams suggests after @Nudgebot, and the resource-specific consent to read a team's channel
messages, without which the bot only sees the messages that @mention it.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from bot.errors import ConfigError

ICONS = Path(__file__).resolve().parent / "icons"
MANIFEST_VERSION = "1.22"
SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", re.I)
_VERSION = re.compile(r"^\d{1,4}\.\d{1,4}\.\d{1,4}$")

COMMANDS = (
    ("prfaq", "Draft a PR/FAQ for an idea: prfaq A meal planner for busy parents"),
    ("decision", "Log a decision: decision We ship dark mode on Monday because…"),
    ("digest", "This week's decisions that still lack a customer rationale"),
    ("status", "Whether I'm muted here, and what was logged in this conversation"),
    ("mute", "Stop my questions here for a while: mute 2h, mute 3d, mute forever"),
    ("unmute", "Ask about the customer here again"),
    ("sensitivity", "How readily I ask here: sensitivity quiet, normal or eager"),
    ("help", "What I do, and the commands"),
)
DESCRIPTION = (
    "Nudgebot keeps a team honest about customer obsession: start with the customer and work backwards. "
    "When a decision or an approval request in a channel does not say who its customer is, it asks once, "
    "in the reply chain: who is the customer, and how does this help them? Buttons on the question add "
    "the answer, say it is not customer-facing, dismiss it, or mute the bot in the channel. It logs every "
    "decision and approval request in the organisation's own database, tracks approvals until they are "
    "answered, drafts PR/FAQs on request, and lists the decisions still lacking a customer.\n\n"
    "With the team owner's consent (ChannelMessage.Read.Group) it reads the messages of the team's "
    "standard channels to find decisions and approval requests; it stores only those messages, never the "
    "conversation around them, and nothing leaves the organisation's server. Without that consent it "
    "sees only the messages that mention it."
)


def manifest(app_id: str, domain: str | None = None, version: str = "1.0.0",
             developer: str = "Nudgebot", website: str | None = None) -> dict:
    """manifest.json for the Azure Bot `app_id` (the Teams app shares the bot's id)."""
    if not _GUID.match(app_id or ""):
        raise ConfigError(f"the Microsoft App ID must be a GUID such as 3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b, "
                          f"not {app_id!r}")
    if domain is not None and not _HOST.match(domain):
        raise ConfigError(f"--domain takes a host name such as nudgebot.example.com, not {domain!r}")
    if not _VERSION.match(version):
        raise ConfigError(f"--version takes three numbers such as 1.0.0, not {version!r}")
    site = website or (f"https://{domain}/" if domain else "https://www.example.com/")
    if not site.startswith("https://"):
        raise ConfigError("--website must be an https:// address")
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {"name": developer[:32], "websiteUrl": site, "privacyUrl": site, "termsOfUseUrl": site},
        "name": {"short": "Nudgebot", "full": "Nudgebot: who is the customer?"},
        "description": {"short": "Asks who the customer is when a decision doesn't say, and logs it.",
                        "full": DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#1F6F78",
        "bots": [{
            "botId": app_id,
            "scopes": ["personal", "team", "groupChat"],
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": [{"scopes": ["personal", "team", "groupChat"],
                              "commands": [{"title": t, "description": d} for t, d in COMMANDS]}],
        }],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain] if domain else [],
        "webApplicationInfo": {"id": app_id, "resource": f"api://botid-{app_id}"},  # needed for the consent
        "authorization": {"permissions": {"resourceSpecific": [
            {"name": "ChannelMessage.Read.Group", "type": "Application"},
        ]}},
    }


def write_package(path: Path, app_manifest: dict) -> None:
    """The zip Teams takes: manifest.json and the icons it names, at the top level."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(app_manifest, indent=2, ensure_ascii=False) + "\n")
        for name in app_manifest["icons"].values():
            package.write(ICONS / name, name)
