"""`/nudgebot sensitivity quiet|normal|eager`: how sure the detector must be before the bot asks, per channel
and per workspace, and the detector's probabilities kept with each decision.

The engine, the store and the front ends are the real ones. Only the detector's probabilities are chosen:
`Scored` is the real Detector with real thresholds, giving chosen texts the nudge score a model would.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
import teams_harness
from builders import command, message
from slack_harness import message_event
from sqlite_utils import Database
from teams_harness import BEN

from bot.actions import Logged, Nudge, Reply
from bot.config import PROMPTS_DIR
from bot.console import Console
from bot.detector.judge import Detector
from bot.engine import Engine
from bot.models import Kind, Sensitivity, Verdict
from bot.opinion import Opinion
from bot.prompts import Prompts
from bot.store import Store, migrations

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

THRESHOLDS = {Sensitivity.QUIET: 0.9, Sensitivity.NORMAL: 0.7, Sensitivity.EAGER: 0.5}
SURE = "We decided to drop the legacy importer."  # asked at every sensitivity
LIKELY = "We decided to move the launch to next Friday."  # asked at normal and eager, not at quiet
MID = "Going with the blue logo."  # asked at eager only
HELD_BACK = "Should we decide on the vendor today? Going with Acme."  # no decision to the rules
SCORES = {SURE: (0.98, 0.95), LIKELY: (0.9, 0.8), MID: (0.7, 0.6)}  # text: (probability, nudge score)
CLEAR = "We decided to add CSV export because customers keep asking to get their data into Excel."
QUESTION = "Who is the customer, and how does this help them?"

QUIET_MEANS = ("I ask only when very sure, so about 9 in 10 of my questions are about a real decision that "
               "names no customer; some such decisions go unasked")
EAGER_MEANS = "I ask more often, so fewer decisions slip by, but more of my questions will be off"
USAGE = ("`/nudgebot sensitivity quiet|normal|eager` sets this channel; "
         "`/nudgebot sensitivity default quiet|normal|eager` sets the workspace default")
RULES_NOTE = " (For now this server decides with its rules alone, which ask the same at every sensitivity.)"


class Scored(Detector):
    """The rules' verdicts, with the probabilities a model would give the texts in SCORES."""

    def judge(self, text: str) -> Verdict:
        verdict = super().judge(text)
        if text not in SCORES:
            return verdict
        probability, score = SCORES[text]
        return replace(verdict, probability=probability, nudge_score=score,
                       nudge=score >= self.thresholds[Sensitivity.NORMAL])


@pytest.fixture
def engine(store, principles, rules, clock) -> Engine:
    """The engine every test here uses (the Slack and Teams servers too), with the scoring detector."""
    return Engine(store, principles, Prompts(PROMPTS_DIR), rules, clock=clock,
                  detector=Scored(principles, thresholds=THRESHOLDS))


@pytest.fixture
def rules_engine(store, principles, rules, clock) -> Engine:
    """The engine without a model: the rules alone decide."""
    return Engine(store, principles, Prompts(PROMPTS_DIR), rules, clock=clock, detector=Detector(principles))


def say(engine, clock, words: str, **where) -> Reply:
    [reply] = engine.command(command("/nudgebot", words, clock=clock, **where))
    return reply


def asked(engine, clock, text: str, **where) -> bool:
    """Whether a new top-level message gets the question; every one is a new thread from a new author."""
    asked.authors += 1
    actions = engine.handle(message(text, clock=clock, author=f"U_{asked.authors}", **where))
    return any(isinstance(a, Nudge) for a in actions)


asked.authors = 0


# -- the command ------------------------------------------------------------------------------

def test_a_channel_is_normal_until_someone_chooses(engine, clock):
    """`/nudgebot sensitivity` alone says the channel's value, where it comes from and what each one means."""
    reply = say(engine, clock, "sensitivity")

    assert reply == Reply(
        "Sensitivity in this channel: *normal* (the workspace default).\n"
        f"• `quiet`: {QUIET_MEANS}.\n"
        "• `normal`: about 8 in 10 of my questions are right.\n"
        f"• `eager`: {EAGER_MEANS}.\n"
        f"Decisions are logged at every sensitivity. {USAGE}."
    )


def test_choosing_a_channels_sensitivity_is_said_to_the_channel_and_kept(engine, store, clock):
    """`/nudgebot sensitivity quiet` tells the channel what it means and is what the channel then shows."""
    reply = say(engine, clock, "sensitivity QUIET", user="U_LEAD")

    assert reply == Reply(f"<@U_LEAD> set my sensitivity in this channel to *quiet*: {QUIET_MEANS}. "
                          "Decisions are still logged whatever the sensitivity.", ephemeral=False)
    assert store.channel_settings("slack", "T_ONE", "C_GENERAL").sensitivity == Sensitivity.QUIET
    assert say(engine, clock, "sensitivity").markdown.startswith(
        "Sensitivity in this channel: *quiet* (set for this channel).")


def test_the_workspace_default_applies_to_channels_without_their_own(engine, store, clock):
    """`/nudgebot sensitivity default eager` sets every channel that made no choice of its own."""
    reply = say(engine, clock, "sensitivity default eager", user="U_LEAD")

    assert reply == Reply(f"<@U_LEAD> set the workspace's default sensitivity to *eager*: {EAGER_MEANS}. "
                          "Channels that chose their own keep it.", ephemeral=False)
    assert store.workspace_sensitivity("slack", "T_ONE") == Sensitivity.EAGER
    assert say(engine, clock, "sensitivity", channel="C_OTHER").markdown.startswith(
        "Sensitivity in this channel: *eager* (the workspace default).")
    assert say(engine, clock, "sensitivity default").markdown.startswith(
        "The workspace's default sensitivity is *eager*.")


def test_a_channels_own_choice_wins_over_the_workspace_default(engine, clock):
    """A channel that chose quiet stays quiet when the workspace default changes, and is told so."""
    say(engine, clock, "sensitivity quiet")
    reply = say(engine, clock, "sensitivity default eager")

    assert reply.markdown.endswith("Channels that chose their own keep it; this one keeps *quiet*.")
    assert say(engine, clock, "sensitivity").markdown.startswith(
        "Sensitivity in this channel: *quiet* (set for this channel).")


@pytest.mark.parametrize("words, bad", [("sensitivity loud", "loud"), ("sensitivity default very quiet", "very quiet"),
                                        ("sensitivity 0.9", "0.9")])
def test_a_value_that_is_no_sensitivity_gets_the_choices(engine, store, clock, words, bad):
    """A value other than quiet, normal or eager changes nothing and lists the choices."""
    assert say(engine, clock, words) == Reply(
        f"`{bad}` is not a sensitivity. Choose quiet, normal or eager: {USAGE}.")
    assert store.channel_settings("slack", "T_ONE", "C_GENERAL").sensitivity is None
    assert store.workspace_sensitivity("slack", "T_ONE") is None


def test_status_shows_the_channels_sensitivity_and_whether_it_is_the_default(engine, clock):
    """`/nudgebot status` has a line naming the sensitivity and where it comes from."""
    def line():
        return [x for x in say(engine, clock, "status").markdown.splitlines() if x.startswith("Sensitivity")]

    assert line() == ["Sensitivity: normal (the workspace default); `/nudgebot sensitivity` says what each one means."]
    say(engine, clock, "sensitivity default eager")
    assert line() == ["Sensitivity: eager (the workspace default); `/nudgebot sensitivity` says what each one means."]
    say(engine, clock, "sensitivity quiet")
    assert line() == ["Sensitivity: quiet (set for this channel); `/nudgebot sensitivity` says what each one means."]


def test_help_lists_the_sensitivity_command(engine, clock):
    """`/nudgebot help` lists the command and says what quiet and eager do."""
    text = say(engine, clock, "help").markdown

    assert ("• `/nudgebot sensitivity quiet | normal | eager` sets how readily I ask here "
            "(`/nudgebot sensitivity default …` for the whole workspace)") in text.splitlines()
    assert "`sensitivity quiet` (only when I'm very sure)" in text


def test_another_workspaces_settings_never_apply(engine, store, clock):
    """Quiet in T_TWO's C_GENERAL and as T_TWO's default, or on another platform, leave T_ONE normal."""
    say(engine, clock, "sensitivity quiet", workspace="T_TWO")
    say(engine, clock, "sensitivity default quiet", workspace="T_TWO")
    say(engine, clock, "sensitivity default quiet", platform="teams", workspace="T_ONE")

    assert store.channel_settings("slack", "T_ONE", "C_GENERAL").sensitivity is None
    assert store.workspace_sensitivity("slack", "T_ONE") is None
    assert say(engine, clock, "sensitivity").markdown.startswith("Sensitivity in this channel: *normal*")
    assert asked(engine, clock, LIKELY)
    assert not asked(engine, clock, LIKELY, workspace="T_TWO")


def test_muting_and_unmuting_keep_the_channels_sensitivity(engine, store, clock):
    """A mute (and its end) changes the mute only."""
    say(engine, clock, "sensitivity eager")
    say(engine, clock, "mute 2h")
    say(engine, clock, "unmute")

    assert store.channel_settings("slack", "T_ONE", "C_GENERAL").sensitivity == Sensitivity.EAGER


# -- asking -----------------------------------------------------------------------------------

def test_a_mid_score_is_asked_about_at_eager_but_not_at_normal_or_quiet(engine, clock):
    """Nudge score 0.6: above eager's threshold, below normal's and quiet's."""
    say(engine, clock, "sensitivity eager", channel="C_EAGER")
    say(engine, clock, "sensitivity quiet", channel="C_QUIET")

    assert [asked(engine, clock, MID, channel=c) for c in ("C_EAGER", "C_NORMAL", "C_QUIET")] == [True, False, False]


def test_each_sensitivity_asks_from_its_own_threshold(engine, clock):
    """Quiet asks only the surest; normal also the likely; eager also the mid score."""
    say(engine, clock, "sensitivity quiet", channel="C_QUIET")
    say(engine, clock, "sensitivity eager", channel="C_EAGER")

    assert {c: [asked(engine, clock, t, channel=c) for t in (SURE, LIKELY, MID)]
            for c in ("C_QUIET", "C_NORMAL", "C_EAGER")} == {
        "C_QUIET": [True, False, False], "C_NORMAL": [True, True, False], "C_EAGER": [True, True, True]}


def test_the_workspace_default_decides_where_the_channel_chose_nothing(engine, clock):
    """With the workspace default quiet, a likely decision is not asked about; a channel set to normal is."""
    say(engine, clock, "sensitivity default quiet")
    say(engine, clock, "sensitivity normal", channel="C_OWN")

    assert [asked(engine, clock, LIKELY), asked(engine, clock, LIKELY, channel="C_OWN")] == [False, True]


def test_a_decision_below_the_threshold_is_logged_and_says_why_it_was_not_asked(engine, store, clock):
    """Held back by the sensitivity, the decision is still in the log; nothing is posted, not even a reaction."""
    say(engine, clock, "sensitivity quiet")
    msg = message(LIKELY, clock=clock)

    actions = engine.handle(msg)

    row = store.find("slack", "T_ONE", "C_GENERAL", msg.ts)
    assert actions == [Logged(row["id"], row["kind"], False, held="below this channel's sensitivity (quiet)")]
    assert (row["kind"], row["customer_rationale"], row["text"]) == ("decision", 0, LIKELY)
    assert store.nudge_for("slack", "T_ONE", row["id"]) is None


def test_probability_and_nudge_score_are_kept_with_each_decision(engine, store, clock):
    """The log row carries the detector's probabilities, whether or not the bot asked; the rules' own: none."""
    say(engine, clock, "sensitivity quiet")
    for text in (SURE, LIKELY, CLEAR):
        engine.handle(message(text, clock=clock))

    assert [(r["text"], r["probability"], r["nudge_score"]) for r in store.decisions()] == [
        (SURE, 0.98, 0.95), (LIKELY, 0.9, 0.8), (CLEAR, None, None)]


def test_with_an_llm_the_row_keeps_the_detectors_scores_and_the_channel_its_sensitivity(engine, store, clock):
    """An LLM agreeing that a decision names no customer keeps the detector's probability and nudge
    score in the log, and the channel's sensitivity still decides whether the bot asks; a decision
    only the LLM saw has no score to weigh, and is asked about."""
    no_customer = Opinion(Kind.DECISION, False)
    say(engine, clock, "sensitivity quiet", channel="C_QUIET")

    quiet = engine.handle(message(LIKELY, clock=clock, channel="C_QUIET", author="U_1"), opinion=no_customer)
    normal = engine.handle(message(LIKELY, clock=clock, channel="C_NORMAL", author="U_2"), opinion=no_customer)
    unseen = engine.handle(message(HELD_BACK, clock=clock, channel="C_QUIET", author="U_3"), opinion=no_customer)

    assert [type(a) for a in quiet] == [Logged]
    assert [type(a) for a in normal] == [Nudge, Logged]
    assert [type(a) for a in unseen] == [Nudge, Logged]
    rows = [(r["channel"], r["probability"], r["nudge_score"]) for r in store.decisions()]
    assert rows[:2] == [("C_QUIET", 0.9, 0.8), ("C_NORMAL", 0.9, 0.8)]
    assert rows[2][0] == "C_QUIET" and rows[2][2] is None


def test_an_edit_updates_the_probabilities(engine, store, clock):
    """An edited message's row carries the probabilities of its new text."""
    msg = message(SURE, clock=clock)
    engine.handle(msg)

    engine.edit(replace(msg, text=MID))

    [row] = store.decisions()
    assert (row["text"], row["probability"], row["nudge_score"]) == (MID, 0.7, 0.6)


def test_an_explicit_decision_is_asked_about_whatever_the_sensitivity(engine, store, clock):
    """`/decision` in a quiet channel asks about a low-scoring text, and keeps its probabilities."""
    say(engine, clock, "sensitivity quiet")

    actions = engine.command(command("/decision", MID, clock=clock))

    assert [type(a) for a in actions] == [Reply, Nudge, Logged]
    assert QUESTION in actions[1].text
    [row] = store.decisions()
    assert (row["text"], row["probability"], row["nudge_score"]) == (MID, 0.7, 0.6)


def test_log_as_decision_is_asked_about_whatever_the_sensitivity(engine, clock):
    """"Log as decision" on a message a quiet channel did not ask about asks its author."""
    say(engine, clock, "sensitivity quiet")
    msg = message("Blue it is for the new logo.", clock=clock)

    actions = engine.log_as_decision(msg)

    assert any(isinstance(a, Nudge) for a in actions)


def test_a_decision_naming_its_customer_gets_its_reaction_at_every_sensitivity(engine, clock):
    """Quiet or eager, a decision that states its customer is only marked."""
    say(engine, clock, "sensitivity eager")

    actions = engine.handle(message(CLEAR, clock=clock))

    assert [type(a).__name__ for a in actions] == ["React", "Logged"]


def test_text_the_detector_cannot_judge_is_not_asked_about_and_says_why(engine, store, clock):
    """An unreadable verdict is logged with the detector's reason, and never asked about, even at eager."""
    class Unreadable(Scored):
        def judge(self, text: str) -> Verdict:
            return replace(super().judge(text), unreadable="mostly code")

    unreadable = Engine(store, engine.principles, engine.prompts, engine.rules, clock=clock,
                        detector=Unreadable(engine.principles, thresholds=THRESHOLDS))
    say(unreadable, clock, "sensitivity eager")

    [logged] = unreadable.handle(message(SURE, clock=clock))

    assert logged.held == "the detector cannot judge it (mostly code)"


def test_with_the_rules_alone_every_sensitivity_asks_as_the_rules_do(rules_engine, clock):
    """Without a model's thresholds, quiet asks what the rules ask, and the command says so."""
    reply = say(rules_engine, clock, "sensitivity quiet")

    assert reply.markdown.endswith(RULES_NOTE)
    assert asked(rules_engine, clock, MID) and asked(rules_engine, clock, LIKELY)


def test_the_console_takes_the_same_command(engine, clock):
    """In `nudgebot shell`, `/nudgebot sensitivity quiet` holds back a likely decision, and says why."""
    out = io.StringIO()
    console = Console(engine, out, clock=clock)
    for line in ("/nudgebot sensitivity quiet", LIKELY):
        console.line(line)

    assert out.getvalue().splitlines() == [
        f"@you set my sensitivity in this channel to quiet: {QUIET_MEANS}. "
        "Decisions are still logged whatever the sensitivity.",
        "           (logged decision #1, without a customer rationale; no question asked: "
        "below this channel's sensitivity (quiet))",
    ]


def test_a_log_from_before_keeps_its_rows_and_settings(tmp_path):
    """Opening a log made before m010 keeps its decisions and mutes; the new values start empty."""
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m010_sensitivity")
    old.execute("INSERT INTO decisions (platform, workspace, channel, ts, text, kind, customer_rationale, created_at) "
                "VALUES ('slack', 'T_ONE', 'C_GENERAL', '1.1', 'We decided to drop IE11.', 'decision', 0, "
                "'2026-11-01T09:00:00.000000+00:00')")
    old.execute("INSERT INTO channel_settings (platform, workspace, channel, muted_until) "
                "VALUES ('slack', 'T_ONE', 'C_GENERAL', 'forever')")
    old.close()

    store = Store.open(path)
    try:
        [row] = store.decisions()
        settings = store.channel_settings("slack", "T_ONE", "C_GENERAL")
        assert (row["text"], row["probability"], row["nudge_score"]) == ("We decided to drop IE11.", None, None)
        assert (settings.muted_until, settings.sensitivity) == ("forever", None)
        assert store.workspace_sensitivity("slack", "T_ONE") is None
    finally:
        store.close()


# -- over the platforms -----------------------------------------------------------------------

async def test_a_quiet_channel_in_slack_is_not_asked_where_another_channel_is(slack, fake_slack, store):
    """`/nudgebot sensitivity quiet` over Slack; the same likely decision is then asked about in #launch only."""
    answer = await slack.command("/nudgebot", "sensitivity quiet", user="U_LEAD")
    assert (answer.status, answer.json["response_type"]) == (200, "in_channel")
    assert answer.json["text"].startswith("<@U_LEAD> set my sensitivity in this channel to *quiet*")

    await slack.event(message_event(LIKELY, user="U_BEA"))
    await slack.event(message_event(LIKELY, channel="C_LAUNCH", user="U_CY"))

    [post] = await fake_slack.wait_for("chat.postMessage")  # the second event's: the first was handled before
    assert post.params["channel"] == "C_LAUNCH" and QUESTION in post.params["blocks"][0]["text"]["text"]
    assert [(r["channel"], r["nudge_score"]) for r in store.decisions("slack", "T_ONE")] == [
        ("C_GENERAL", 0.8), ("C_LAUNCH", 0.8)]
    assert fake_slack.calls_to("reactions.add") == []


async def test_sensitivity_by_mention_in_teams(teams, connector, store):
    """`@Nudgebot sensitivity quiet` in a Teams channel: the likely decision after it is logged, not asked."""
    await teams.say("sensitivity quiet", mention=True)
    await teams.say(LIKELY, user=BEN)
    await teams.say("sensitivity", mention=True)

    replies = [s.card_text for s in connector.messages()]
    assert replies[0] == (f"Ann Lee set my sensitivity in this channel to **quiet**: {QUIET_MEANS}. "
                          "Decisions are still logged whatever the sensitivity.")
    assert replies[1].startswith("Sensitivity in this channel: **quiet** (set for this channel).")
    assert len(replies) == 2  # no question about the decision
    assert [(r["text"], r["nudge_score"]) for r in store.decisions("teams", teams_harness.TENANT)] == [(LIKELY, 0.8)]
