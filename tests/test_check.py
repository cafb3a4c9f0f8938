"""`nudgebot check` tells the truth: it refuses wherever `serve` would, with the same line, reads the
decision log without writing it, and warns about NUDGEBOT_* names that are no setting."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from sqlite_utils import Database
from test_cli import Nudgebot

from bot.schema import migrations
from bot.store import Store

NEWEST = "m013_inbox_outbox"  # the last migration this version knows
SERVE_TIMEOUT = 30  # `serve` refuses at once; one that starts instead is stopped after this


@pytest.fixture
def nudgebot(tmp_path) -> Nudgebot:
    return Nudgebot(tmp_path)


@pytest.fixture
def read_only():
    """Make a file or folder unwritable for the CLI's user: its mode, or for root (whom modes do not
    stop) the immutable attribute; undone afterwards."""
    undo = []

    def make(path):
        if os.geteuid() != 0:
            mode = path.stat().st_mode
            path.chmod(mode & ~0o222)
            undo.append(lambda: path.chmod(mode))
            return
        chattr = shutil.which("chattr")
        if not chattr or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
            pytest.skip("running as root, and `chattr +i` is not available to make a file read-only")
        undo.append(lambda: subprocess.run([chattr, "-i", str(path)], check=True))

    yield make
    for step in reversed(undo):
        step()


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def serve(nudgebot: Nudgebot, env: dict[str, str], *args: str) -> tuple[int | None, str]:
    """`nudgebot serve` as the Procfile's web process runs it: its exit code and stderr (None when it
    started serving instead of refusing)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0", *args],
            capture_output=True, cwd=nudgebot.cwd, env={**nudgebot.env, **env}, timeout=SERVE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return None, "serve started instead of refusing"
    return done.returncode, done.stderr.decode("utf-8")


def write_newer_log(nudgebot: Nudgebot) -> None:
    """A log migrated by a later Nudgebot: its schema has a step this version does not know."""
    Store.open(nudgebot.db).close()
    conn = sqlite3.connect(nudgebot.db)
    with conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('nudgebot', 'm099_from_the_future', '2030-01-01 00:00:00+00:00')")
    conn.close()


# -- settings serve cannot start with: exit 2, one line naming the variable -------------------------

MISSING_PASSWORD = ("Error: Configuration error: MicrosoftAppId is set without MicrosoftAppPassword "
                    "(the Azure Bot's client secret)")
MISSING_TENANT = ("Error: Configuration error: MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId "
                  "(the Azure AD tenant of the bot)")
MISSING_SIGNING_SECRET = (
    "Error: Configuration error: SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET, so Slack's requests "
    "cannot be verified: set SLACK_SIGNING_SECRET (Basic Information → App Credentials), or SLACK_APP_TOKEN "
    "for Socket Mode")
MISSING_TOKEN = ("Error: Configuration error: SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN (one workspace) "
                 "or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (installs through /slack/install)")
MISSING_APP_ID = ("Error: Configuration error: MicrosoftAppPassword is set without MicrosoftAppId "
                  "(the Azure Bot's app id)")

BAD_SETTINGS = {
    "app id without password": ({"MicrosoftAppId": "app-1"}, MISSING_PASSWORD),
    "single tenant without tenant id": (
        {"MicrosoftAppId": "app-1", "MicrosoftAppPassword": "pw-not-shown", "MicrosoftAppType": "SingleTenant"},
        MISSING_TENANT),
    "bot token without signing secret": ({"SLACK_BOT_TOKEN": "xoxb-not-shown"}, MISSING_SIGNING_SECRET),
    "signing secret without a token": ({"SLACK_SIGNING_SECRET": "shh-not-shown"}, MISSING_TOKEN),
    "password without app id": ({"MicrosoftAppPassword": "pw-not-shown"}, MISSING_APP_ID),
}


def test_check_refuses_an_app_id_without_its_password(nudgebot):
    """MicrosoftAppId without MicrosoftAppPassword fails `check` with exit 2 and one line naming the password."""
    result = nudgebot("check", env={"MicrosoftAppId": "app-1"})

    assert (result.code, result.out, error_lines(result.err)) == (2, "", [MISSING_PASSWORD])


def test_check_refuses_a_single_tenant_bot_without_its_tenant(nudgebot):
    """MicrosoftAppType=SingleTenant without MicrosoftAppTenantId fails `check` with exit 2, naming the tenant id."""
    result = nudgebot("check", env={"MicrosoftAppId": "app-1", "MicrosoftAppPassword": "pw-not-shown",
                                    "MicrosoftAppType": "SingleTenant"})

    assert (result.code, result.out, error_lines(result.err)) == (2, "", [MISSING_TENANT])
    assert "pw-not-shown" not in result.err


def test_check_refuses_a_slack_token_without_its_signing_secret(nudgebot):
    """SLACK_BOT_TOKEN alone fails `check` with exit 2 naming SLACK_SIGNING_SECRET, not "Platforms: none"."""
    result = nudgebot("check", env={"SLACK_BOT_TOKEN": "xoxb-not-shown"})

    assert (result.code, result.out, error_lines(result.err)) == (2, "", [MISSING_SIGNING_SECRET])
    assert "xoxb-not-shown" not in result.err


def test_check_refuses_a_signing_secret_without_a_token(nudgebot):
    """SLACK_SIGNING_SECRET with neither a bot token nor an OAuth app fails `check` with exit 2."""
    result = nudgebot("check", env={"SLACK_SIGNING_SECRET": "shh-not-shown"})

    assert (result.code, result.out, error_lines(result.err)) == (2, "", [MISSING_TOKEN])


def test_check_refuses_a_teams_password_without_an_app_id(nudgebot):
    """MicrosoftAppPassword without MicrosoftAppId fails `check` with exit 2, naming MicrosoftAppId."""
    result = nudgebot("check", env={"MicrosoftAppPassword": "pw-not-shown"})

    assert (result.code, result.out, error_lines(result.err)) == (2, "", [MISSING_APP_ID])


def test_check_for_socket_mode_names_the_missing_app_token(nudgebot):
    """`check --slack-socket-mode` without SLACK_APP_TOKEN fails as `serve --slack-socket-mode` does."""
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "shh"}

    result = nudgebot("check", "--slack-socket-mode", env=env)
    served = serve(nudgebot, env, "--slack-socket-mode")

    line = "Error: Configuration error: --slack-socket-mode needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN (xoxb-…)"
    assert (result.code, error_lines(result.err)) == (2, [line])
    assert (served[0], error_lines(served[1])) == (2, [line])


# -- the decision log, read-only: exit 3 ------------------------------------------------------------


def test_check_refuses_a_corrupt_log_and_leaves_it_untouched(nudgebot):
    """A NUDGEBOT_DB that is not a SQLite file fails `check` with exit 3, and nothing is written beside it."""
    nudgebot.db.write_text("These are my meeting notes, not a database.\n", encoding="utf-8")

    result = nudgebot("check")

    assert (result.code, result.out) == (3, "")
    assert error_lines(result.err) == [
        f"Error: {nudgebot.db} is not a SQLite database (or is corrupt); it was left untouched. "
        "Point NUDGEBOT_DB at another file or restore this one from a backup."]
    assert nudgebot.db.read_text(encoding="utf-8") == "These are my meeting notes, not a database.\n"
    assert [p.name for p in nudgebot.cwd.iterdir()] == [nudgebot.db.name]


def test_check_refuses_a_log_in_a_folder_that_does_not_exist(nudgebot):
    """A NUDGEBOT_DB in a missing folder fails `check` with exit 3, naming the folder; nothing is created."""
    missing = nudgebot.cwd / "no-such-folder"

    result = nudgebot("check", env={"NUDGEBOT_DB": str(missing / "log.db")})

    assert (result.code, result.out) == (3, "")
    assert error_lines(result.err) == [
        f"Error: {missing / 'log.db'}: the folder {missing} does not exist; create it or change NUDGEBOT_DB"]
    assert not missing.exists()


def test_check_refuses_a_log_that_is_a_folder(nudgebot):
    """A NUDGEBOT_DB naming a directory fails `check` with exit 3."""
    nudgebot.db.mkdir()

    result = nudgebot("check")

    assert (result.code, error_lines(result.err)) == (
        3, [f"Error: {nudgebot.db} is a directory; NUDGEBOT_DB must name a file"])


def test_check_refuses_a_log_written_by_a_newer_version_and_leaves_it_untouched(nudgebot):
    """A log with a migration this version does not know fails `check` with exit 3, naming both schema
    versions; the file is not changed."""
    write_newer_log(nudgebot)
    before = nudgebot.db.read_bytes()

    result = nudgebot("check")

    assert (result.code, result.out) == (3, "")
    assert error_lines(result.err) == [
        f"Error: {nudgebot.db} was written by a newer Nudgebot (its schema is at m099_from_the_future, this "
        f"version knows up to {NEWEST}); it was left untouched. Upgrade Nudgebot, or point NUDGEBOT_DB at "
        "another file."]
    assert nudgebot.db.read_bytes() == before
    assert [p.name for p in nudgebot.cwd.iterdir()] == [nudgebot.db.name]


def test_every_command_refuses_a_log_written_by_a_newer_version(nudgebot):
    """`shell` (any command that opens the log) refuses a newer log with exit 3, writing nothing to it."""
    write_newer_log(nudgebot)
    before = nudgebot.db.read_bytes()

    result = nudgebot.shell("We decided to move the launch to next Friday.")

    assert (result.code, result.out) == (3, "")
    assert f"{nudgebot.db} was written by a newer Nudgebot (its schema is at m099_from_the_future" in result.err
    assert nudgebot.db.read_bytes() == before


def test_check_refuses_a_log_this_user_cannot_write(nudgebot, read_only):
    """A read-only NUDGEBOT_DB fails `check` with exit 3: `serve` could not log anything to it."""
    Store.open(nudgebot.db).close()
    read_only(nudgebot.db)

    result = nudgebot("check")

    assert (result.code, result.out) == (3, "")
    assert error_lines(result.err) == [
        f"Error: {nudgebot.db} is read-only for this user, and the bot must write to it; "
        "make it writable or change NUDGEBOT_DB"]
    assert [p.name for p in nudgebot.cwd.iterdir()] == [nudgebot.db.name]


def test_check_refuses_a_new_log_in_a_folder_this_user_cannot_write(nudgebot, tmp_path, read_only):
    """A NUDGEBOT_DB still to be created, in a folder this user cannot write, fails `check` with exit 3."""
    folder = tmp_path / "locked"
    folder.mkdir()
    read_only(folder)

    result = nudgebot("check", env={"NUDGEBOT_DB": str(folder / "log.db")})

    assert (result.code, result.out) == (3, "")
    assert error_lines(result.err) == [
        f"Error: {folder / 'log.db'} does not exist and its folder {folder} is not writable, so it cannot be "
        "created; make the folder writable or change NUDGEBOT_DB"]


def test_check_does_not_create_a_missing_log(nudgebot):
    """With no log yet (in a writable folder) `check` exits 0, says `serve` or `shell` creates it, and
    creates nothing."""
    result = nudgebot("check")

    assert (result.code, result.err) == (0, "")
    assert (f"Decision log: {nudgebot.db} (not created yet: serve or shell creates it). Time zone: UTC."
            in result.out.splitlines())
    assert list(nudgebot.cwd.iterdir()) == []


def test_check_does_not_migrate_an_older_log(nudgebot):
    """A log from an older version passes `check` unchanged: migrating it is left to `serve` and the others."""
    db = Database(nudgebot.db)
    migrations.apply(db, stop_before=NEWEST)
    db.close()
    before = nudgebot.db.read_bytes()

    result = nudgebot("check")

    assert (result.code, result.err) == (0, "")
    assert f"Decision log: {nudgebot.db}. Time zone: UTC." in result.out.splitlines()
    assert nudgebot.db.read_bytes() == before
    assert nudgebot.rows("SELECT count(*) FROM sqlite_master WHERE name = 'inbox'") == [(0,)]


# -- unknown NUDGEBOT_* names: a warning, not a failure ---------------------------------------------


def test_check_warns_about_a_misspelt_setting_with_the_closest_name(nudgebot):
    """NUDGEBOT_TIMEZOME is warned about on stderr, naming NUDGEBOT_TIMEZONE; `check` still exits 0."""
    result = nudgebot("check", env={"NUDGEBOT_TIMEZOME": "Europe/Berlin"})

    assert result.code == 0 and "Configuration OK" in result.out
    assert error_lines(result.err) == [
        "Warning: NUDGEBOT_TIMEZOME is not a Nudgebot setting and is ignored; did you mean NUDGEBOT_TIMEZONE?"]
    assert "Europe/Berlin" not in result.err


def test_check_warns_about_a_misspelt_setting_in_the_env_file(nudgebot):
    """A misspelt name in `.env` is warned about like one in the environment."""
    (nudgebot.cwd / ".env").write_text("NUDGEBOT_DIGEST_CHANEL=C123\n", encoding="utf-8")

    result = nudgebot("check")

    assert result.code == 0
    assert error_lines(result.err) == [
        "Warning: NUDGEBOT_DIGEST_CHANEL is not a Nudgebot setting and is ignored; "
        "did you mean NUDGEBOT_DIGEST_CHANNEL?"]


def test_check_warns_about_an_unknown_setting_with_nothing_close(nudgebot):
    """A NUDGEBOT_* name like no setting is warned about, pointing to the README's table."""
    result = nudgebot("check", env={"NUDGEBOT_FROBNICATE": "1"})

    assert result.code == 0
    assert error_lines(result.err) == [
        "Warning: NUDGEBOT_FROBNICATE is not a Nudgebot setting and is ignored; "
        "the README's configuration table lists them"]


# -- check and serve agree ---------------------------------------------------------------------------


def _corrupt(nudgebot, read_only):
    nudgebot.db.write_text("These are my meeting notes, not a database.\n", encoding="utf-8")


def _read_only(nudgebot, read_only):
    Store.open(nudgebot.db).close()
    read_only(nudgebot.db)


def _newer(nudgebot, read_only):
    write_newer_log(nudgebot)


BAD_LOGS = {"corrupt log": _corrupt, "read-only log": _read_only, "newer log": _newer}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_serve_refuses_bad_settings_with_the_line_check_gives(nudgebot, case):
    """For each setting `check` refuses, `serve` refuses too, with the same exit code and line."""
    env, line = BAD_SETTINGS[case]

    checked = nudgebot("check", env=env)
    served = serve(nudgebot, env)

    assert (checked.code, error_lines(checked.err)) == (2, [line])
    assert (served[0], error_lines(served[1])) == (2, [line])


@pytest.mark.parametrize("case", sorted(BAD_LOGS))
def test_serve_refuses_a_bad_log_with_the_line_check_gives(nudgebot, read_only, case):
    """For each log `check` refuses, `serve` (with Teams configured, so it would otherwise start) refuses
    with the same exit code and line, before writing anything."""
    BAD_LOGS[case](nudgebot, read_only)
    env = {"NUDGEBOT_TEAMS_DEV": "1"}
    before = nudgebot.db.read_bytes()

    checked = nudgebot("check", env=env)
    served = serve(nudgebot, env)

    assert checked.code == 3 and len(error_lines(checked.err)) == 1
    assert (served[0], error_lines(served[1])) == (3, error_lines(checked.err))
    assert nudgebot.db.read_bytes() == before


def test_serve_warns_about_a_misspelt_setting_as_check_does(nudgebot):
    """`serve` names a misspelt NUDGEBOT_* variable on stderr with the closest setting, as `check` does."""
    env = {"NUDGEBOT_TIMEZOME": "UTC", "MicrosoftAppId": "app-1"}  # the missing password stops it after the warning

    code, err = serve(nudgebot, env)

    assert (code, error_lines(err)) == (2, [
        "Warning: NUDGEBOT_TIMEZOME is not a Nudgebot setting and is ignored; did you mean NUDGEBOT_TIMEZONE?",
        MISSING_PASSWORD])
