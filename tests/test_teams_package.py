"""`nudgebot teams-package`: a zip Teams accepts, with the manifest's required fields and icons of the right sizes."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile

import pytest
from teams_harness import APP_ID

PNG = b"\x89PNG\r\n\x1a\n"


def nudgebot(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MicrosoftApp", "MICROSOFT_APP", "NUDGEBOT_"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def png_size(data: bytes) -> tuple[int, int, int, int]:
    """Width, height, bit depth and colour type from a PNG's IHDR chunk."""
    assert data[:8] == PNG
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


@pytest.fixture
def package(tmp_path):
    """The package written with the app id from MicrosoftAppId; returns the zip's members and manifest."""
    result = nudgebot(tmp_path, "teams-package", "--domain", "nudgebot.example.com", MicrosoftAppId=APP_ID)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote nudgebot-teams.zip")
    with zipfile.ZipFile(tmp_path / "nudgebot-teams.zip") as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    return files, json.loads(files["manifest.json"])


def test_the_zip_holds_the_manifest_and_its_icons_at_the_top(package):
    """manifest.json and the two icons it names, nothing else and no folders."""
    files, manifest = package

    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_the_manifest_has_every_required_field(package):
    """The fields the v1.22 schema requires, with values within its limits."""
    _, manifest = package

    assert manifest["$schema"] == "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    assert manifest["manifestVersion"] == "1.22"
    assert {"manifestVersion", "version", "id", "developer", "name", "description", "icons",
            "accentColor"} <= set(manifest)
    assert manifest["id"] == APP_ID and manifest["version"] == "1.0.0"
    assert set(manifest["developer"]) == {"name", "websiteUrl", "privacyUrl", "termsOfUseUrl"}
    assert all(url.startswith("https://") for k, url in manifest["developer"].items() if k != "name")
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80 and len(manifest["description"]["full"]) <= 4000
    assert manifest["accentColor"].startswith("#") and len(manifest["accentColor"]) == 7
    assert manifest["validDomains"] == ["nudgebot.example.com"]


def test_the_bot_is_in_every_scope_with_its_commands(package):
    """The bot runs in personal chats, teams and group chats, and Teams suggests its commands."""
    _, manifest = package

    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    [commands] = bot["commandLists"]
    assert commands["scopes"] == ["personal", "team", "groupChat"]
    titles = [c["title"] for c in commands["commands"]]
    assert {"prfaq", "decision", "help", "mute", "unmute", "status"} <= set(titles)
    assert len(titles) <= 10
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands["commands"])


def test_the_manifest_asks_consent_to_read_channel_messages(package):
    """ChannelMessage.Read.Group (resource-specific consent) lets the bot see messages that don't mention it."""
    _, manifest = package

    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "ChannelMessage.Read.Group", "type": "Application"}]
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    assert "ChannelMessage.Read.Group" in manifest["description"]["full"]


def test_the_icons_have_the_sizes_teams_requires(package):
    """The colour icon is 192×192 and the outline icon 32×32, both PNG with transparency."""
    files, _ = package

    assert png_size(files["color.png"]) == (192, 192, 8, 6)
    assert png_size(files["outline.png"]) == (32, 32, 8, 6)


def test_app_id_and_output_can_be_given(tmp_path):
    """--app-id stands in for MicrosoftAppId and --output names the file."""
    result = nudgebot(tmp_path, "teams-package", "--app-id", APP_ID, "--output", "custom.zip")

    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "custom.zip") as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    assert (manifest["id"], manifest["validDomains"]) == (APP_ID, [])


def test_without_a_domain_the_placeholder_links_are_said(tmp_path):
    """Without --domain or --website the package's links are a placeholder, and the command says so;
    with --domain it says nothing of the kind."""
    with_domain = nudgebot(tmp_path, "teams-package", "--app-id", APP_ID, "--domain", "nudgebot.example.com")
    result = nudgebot(tmp_path, "teams-package", "--app-id", APP_ID)

    assert result.returncode == 0
    assert result.stderr.strip() == (
        "Note: without --domain or --website, the app's website, privacy and terms links point at "
        "https://www.example.com/; pass --domain HOST (your server) before your organisation sees the app.")
    assert (with_domain.returncode, with_domain.stderr) == (0, "")


@pytest.mark.parametrize(("args", "message"), [
    ((), "teams-package needs the Azure Bot's app id: set MicrosoftAppId or pass --app-id"),
    (("--app-id", "my-bot"), "the Microsoft App ID must be a GUID"),
    (("--app-id", APP_ID, "--domain", "https://nudgebot.example.com"), "--domain takes a host name"),
])
def test_a_missing_or_malformed_app_id_is_a_clear_error(tmp_path, args, message):
    """Without a usable app id (or with a URL for a domain) the command exits 2 and writes nothing."""
    result = nudgebot(tmp_path, "teams-package", *args)

    assert result.returncode == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []
