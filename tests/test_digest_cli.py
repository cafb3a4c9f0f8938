"""`nudgebot digest` as a user (or cron) runs it: a subprocess, against a seeded log and the fake Slack."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from digest_seed import DM_SECRET, HR_SECRET, MONDAY_AFTER, OTHER_SECRET, WEEK, at, log, seed
from slack_harness import TOKEN

from bot import digest_store
from bot.digest_report import Destination
from bot.digest_store import DigestSettings
from bot.store import Store

THEIR_VARIABLES = ("NUDGEBOT_", "SLACK_", "OPENAI_", "MicrosoftApp", "MICROSOFT_APP", "PORT")
TIMEOUT = 120
AUTHORS = ("U_ANN", "U_BOB", "U_CAT", "U_DAN", "U_EVE")  # those with items of W47 lacking a customer


@pytest.fixture
def log_file(tmp_path):
    """A seeded decision log, closed again: the commands open it themselves."""
    path = tmp_path / "nudgebot.db"
    store = Store.open(path)
    seed(store)
    digest_store.save_settings(store, "slack", "T_ONE", DigestSettings(dms=True), MONDAY_AFTER)
    store.close()
    return path


def environment(log_file, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(THEIR_VARIABLES)}
    return {**env, "NUDGEBOT_DB": str(log_file), **extra}


def nudgebot(log_file, *args, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          cwd=log_file.parent, env=environment(log_file, **extra), timeout=TIMEOUT)


def test_json_groups_each_workspaces_public_digest_by_destination(log_file):
    """`digest --format json`: one destination per workspace, the public view, with its items."""
    result = nudgebot(log_file, "digest", "--week", WEEK, "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert data["week"] == WEEK
    assert [(d["workspace"], d["destination"]["kind"], d["decisions"], len(d["items"])) for d in data["destinations"]] \
        == [("T_ONE", "public", 5, 4), ("T_TWO", "public", 3, 3)]
    assert HR_SECRET not in result.stdout and DM_SECRET not in result.stdout


def test_one_conversations_digest_includes_its_own_items(log_file):
    """`--channel G_HR` prints what #hr would get: its own decision too, and T_ONE's only."""
    result = nudgebot(log_file, "digest", "--week", WEEK, "--channel", "G_HR", "--format", "markdown")
    assert result.returncode == 0
    assert result.stdout.startswith(f"# Customer rationale digest — {WEEK}\n")
    assert HR_SECRET in result.stdout and DM_SECRET not in result.stdout and OTHER_SECRET not in result.stdout


def test_post_without_any_destination_says_how_to_choose_one(tmp_path):
    """Nothing configured: `--post` names `/nudgebot digest here` and NUDGEBOT_DIGEST_CHANNEL, exit 0."""
    path = tmp_path / "nudgebot.db"
    store = Store.open(path)
    seed(store)
    store.close()
    result = nudgebot(path, "digest", "--post", "--week", WEEK)
    assert result.returncode == 0
    assert "No digest destinations for 2026-W47" in result.stdout and "NUDGEBOT_DIGEST_CHANNEL" in result.stdout


def test_a_bad_digest_schedule_stops_start_up_naming_the_setting(log_file):
    """NUDGEBOT_DIGEST_SCHEDULE must be five cron fields: `nudgebot check` says so and exits 2."""
    result = nudgebot(log_file, "check", NUDGEBOT_DIGEST_SCHEDULE="every monday")
    assert result.returncode == 2
    assert "NUDGEBOT_DIGEST_SCHEDULE" in result.stderr and "for example '0 9 * * mon'" in result.stderr


async def test_two_post_runs_at_once_send_each_destination_once(log_file, fake_slack):
    """Two `nudgebot digest --post` processes started together, both past start-up before either may send:
    each destination (the channel and five authors' DMs) gets one message, and the chart goes up once."""
    env = environment(log_file, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.base_url,
                      NUDGEBOT_DIGEST_CHANNEL="C_DIGEST")
    fake_slack.hold()  # both processes wait at their first Slack call (auth.test), then race for the claims
    runs = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", "--post", "--week", WEEK, "--format", "json", cwd=log_file.parent,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    try:
        await fake_slack.wait_for("auth.test", count=2, timeout=TIMEOUT)
        fake_slack.release()
        outputs = [await asyncio.wait_for(run.communicate(), TIMEOUT) for run in runs]
    finally:
        for run in runs:
            if run.returncode is None:
                run.kill()
                await run.wait()
    assert [run.returncode for run in runs] == [0, 0], [err.decode() for _, err in outputs]
    posted = [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")]
    assert sorted(posted) == ["C_DIGEST", *AUTHORS]
    assert len(fake_slack.uploads) == 1
    statuses = [[d["status"] for d in json.loads(out)["destinations"]] for out, _ in outputs]
    assert sorted(s for run in statuses for s in run).count("posted") == 6
    assert all(len(run) == 6 for run in statuses)


async def test_post_again_reports_what_was_already_sent(log_file, fake_slack):
    """A retried `--post` (cron ran twice) prints each destination as already posted and posts nothing."""
    store = Store.open(log_file)
    for destination in [Destination("slack", "T_ONE", "channel", "C_DIGEST"),
                        *(Destination("slack", "T_ONE", "dm", user=u) for u in AUTHORS)]:
        digest_store.claim(store, destination, WEEK, MONDAY_AFTER, "earlier")
        digest_store.finish(store, destination, WEEK, digest_store.SENT, MONDAY_AFTER, reference="1800000000.000001")
    store.close()
    run = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", "--post", "--week", WEEK, cwd=log_file.parent,
        env=environment(log_file, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.base_url,
                        NUDGEBOT_DIGEST_CHANNEL="C_DIGEST"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(run.communicate(), TIMEOUT)
    assert run.returncode == 0, err.decode()
    assert out.decode().splitlines() == [f"Digest {WEEK}:", "  slack/T_ONE, #C_DIGEST: already posted"] + [
        f"  slack/T_ONE, DM to {u}: already posted" for u in AUTHORS]
    assert fake_slack.calls_to("chat.postMessage") == []


def test_post_with_a_channel_is_a_usage_error(log_file):
    """`--post` goes to the configured destinations: with `--channel` it is refused, exit 2, nothing sent."""
    result = nudgebot(log_file, "digest", "--post", "--channel", "C_GENERAL")
    assert result.returncode == 2 and "--channel only prints one conversation's digest" in result.stderr


def test_markdown_digest_is_paragraphs_and_real_list_items(log_file):
    """`--format markdown`: each item a "- " list item, one list with blank lines around it, and each
    figure line its own paragraph (Markdown joins lines that are not separated by a blank one)."""
    result = nudgebot(log_file, "digest", "--week", WEEK, "--workspace", "T_ONE", "--format", "markdown")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert "•" not in result.stdout
    items = [i for i, line in enumerate(lines) if line.startswith("- ")]
    assert len(items) == 4 and items == list(range(items[0], items[0] + 4))  # one tight list
    assert lines[items[0] - 1] == "" and lines[items[-1] + 1] == ""
    assert lines[items[0] - 2].startswith("**Still without a customer rationale**")
    assert lines[:4] == [f"# Customer rationale digest — {WEEK}", "",
                         "5 decisions logged; 2 (40%) say who the customer is (-10 points on the week before).", ""]
    # No two lines of text in a row: each is a paragraph of its own.
    assert all(not (a and b) for a, b in zip(lines, lines[1:], strict=False) if not a.startswith("- "))


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_digest_excerpts_show_emoji_not_internal_tokens(log_file, fmt):
    """A decision written with :thumbsup: (Slack) and 👍 (Teams, the console) shows 👍 in the digest."""
    store = Store.open(log_file)
    log(store, "We will ship the new onboarding on Monday :thumbsup: 👍 :white_check_mark:", at(18, 15))
    store.close()
    result = nudgebot(log_file, "digest", "--week", WEEK, "--workspace", "T_ONE", "--format", fmt)
    assert result.returncode == 0 and result.stderr == ""
    assert "We will ship the new onboarding on Monday 👍 👍 ✅" in result.stdout
    assert "emoji_" not in result.stdout


def test_a_lowercase_iso_week_is_accepted(log_file):
    """`--week 2026-w47` is the same week as `--week 2026-W47`."""
    lower = nudgebot(log_file, "digest", "--week", WEEK.lower(), "--format", "json")
    upper = nudgebot(log_file, "digest", "--week", WEEK, "--format", "json")
    assert (lower.returncode, lower.stderr) == (0, "")
    assert json.loads(lower.stdout) == json.loads(upper.stdout)


def test_an_unknown_workspace_is_named_with_the_ones_the_log_has(log_file):
    """`--workspace T_NOPE` says no workspace with that id has anything logged and lists the known ids (exit 4,
    as an unknown `--channel`), instead of "nothing logged yet"."""
    result = nudgebot(log_file, "digest", "--week", WEEK, "--workspace", "T_NOPE")
    assert result.returncode == 4 and result.stdout == ""
    assert result.stderr.strip() == ("Error: no workspace with id T_NOPE has anything logged; the log has "
                                     "T_ONE (slack), T_TWO (slack)")
    assert "Nothing logged yet" not in result.stderr
