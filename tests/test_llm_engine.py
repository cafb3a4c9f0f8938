"""How the LLM's opinion joins the rules in the engine, the workspace switch, what is a candidate, and
what redaction removes. No network here: opinions are plain values."""

from __future__ import annotations

import pytest
from builders import command, message

from bot.actions import Logged, Nudge, React, Reply
from bot.config import PROMPTS_DIR
from bot.engine import Engine
from bot.llm_ledger import Access
from bot.models import Kind
from bot.opinion import Opinion, candidate
from bot.prompts import Prompts
from bot.redact import redact

LAUNCH = "We decided to move the launch to Friday."
CONTEXTUAL = "Who is the customer for moving the launch to Friday, and how does the new date help them?"
ASKS = Opinion(kind=Kind.DECISION, customer_rationale=False, principles=("bias-for-action",), question=CONTEXTUAL)


@pytest.fixture
def llm_engine(store, principles, rules, clock) -> Engine:
    """An engine whose composition root says an LLM is configured (on for T_ONE by default)."""
    access = Access(configured=True, workspaces=frozenset({"T_ONE"}), model="small-model", budget=100)
    return Engine(store, principles, Prompts(PROMPTS_DIR), rules, clock=clock, llm=access)


def test_the_nudge_asks_the_question_that_names_the_decision(engine, clock):
    """With an opinion, the nudge's question names the decision instead of the generic one."""
    [nudge, _] = engine.handle(message(LAUNCH, clock=clock), opinion=ASKS)

    assert isinstance(nudge, Nudge)
    assert nudge.text.splitlines()[0] == f"Quick question about this decision: *{CONTEXTUAL}*"


def test_without_a_question_the_nudge_asks_the_principle_question(engine, clock):
    """An opinion without a question (or none at all) keeps the principle's own question."""
    [nudge, _] = engine.handle(message(LAUNCH, clock=clock), opinion=Opinion(Kind.DECISION, False))

    assert "*Who is the customer, and how does this help them?*" in nudge.text


def test_the_llm_saying_it_is_not_a_decision_means_nothing_is_logged(engine, store, clock):
    """The rules' decision overruled as `other`: no question, no row."""
    assert engine.handle(message(LAUNCH, clock=clock), opinion=Opinion(Kind.OTHER, None)) == []
    assert store.decisions() == []


def test_the_llm_finding_a_customer_gives_a_reaction_and_logs_it(engine, store, clock):
    """A customer the rules missed: logged with its customer and principles from both, only a reaction."""
    msg = message(LAUNCH, clock=clock)
    opinion = Opinion(Kind.DECISION, True, customer="beta testers", principles=("bias-for-action",))

    actions = engine.handle(msg, opinion=opinion)

    assert React(msg.channel, msg.ts) in actions
    row = store.find("slack", "T_ONE", msg.channel, msg.ts)
    assert (row["customer_rationale"], row["customer"], row["principles"]) == (
        1, "beta testers", '["customer-obsession", "bias-for-action", "deliver-results"]')


def test_a_borderline_message_the_llm_calls_a_decision_is_logged(engine, store, clock):
    """What a rule held back, the LLM may call a decision: it is logged and asked about."""
    actions = engine.handle(message("Should we decide on the vendor today? Going with Acme.", clock=clock),
                            opinion=ASKS)

    assert [type(a) for a in actions] == [Nudge, Logged]
    assert [r["kind"] for r in store.decisions()] == ["decision"]


def test_llm_on_off_and_status_in_a_workspace(llm_engine, clock):
    """`/nudgebot llm on|off|status` switches the workspace and says so, for the channel to see."""
    [off] = llm_engine.command(command("nudgebot", "llm off", clock=clock))
    [status] = llm_engine.command(command("nudgebot", "llm", clock=clock))
    [on] = llm_engine.command(command("nudgebot", "llm on", clock=clock))

    assert off == Reply("LLM assist is off for this workspace: nothing from here is sent to the LLM.",
                        ephemeral=False)
    assert status.markdown == ("LLM assist is off for this workspace (model small-model; 0 of 100 calls used "
                               "today on this server).")
    assert on.markdown.startswith("LLM assist is on for this workspace: likely decisions and approval requests")
    assert llm_engine.llm.enabled("slack", "T_ONE") is True
    assert llm_engine.llm.setting("slack", "T_TWO") is None


def test_llm_switch_without_a_configured_llm_says_so(engine, clock):
    """Without a key the switch is kept but the reply says nothing will be sent."""
    [reply] = engine.command(command("nudgebot", "llm on", clock=clock))

    assert reply.markdown == ("No LLM is configured on this server, so the bot runs on its own rules and "
                              "templates. (This workspace's choice is kept: on.)")
    assert engine.llm.enabled("slack", "T_ONE") is False


def test_help_names_the_llm_switch_only_when_an_llm_is_configured(engine, llm_engine, clock):
    """The switch is listed in help where it does something."""
    [plain] = engine.command(command("nudgebot", "help", clock=clock))
    [configured] = llm_engine.command(command("nudgebot", "help", clock=clock))

    assert "/nudgebot llm" not in plain.markdown
    assert "• `/nudgebot llm on | off | status`" in configured.markdown


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (LAUNCH, "decision"),
        ("Can you approve the budget for the offsite?", "approval_request"),
        ("Should we decide on the vendor today?", "borderline"),
        ("Do we need approval for this?", "borderline"),
        ("Approved", None),
        ("Lunch at noon?", None),
        ("We haven't decided yet.", None),
    ],
)
def test_which_messages_are_candidates_for_the_llm(text, reason):
    """Likely decisions and requests, and decision phrases held back by a rule; nothing else."""
    assert candidate(text) == reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail ann.lee+work@example.co.uk today", "Mail [email] today"),
        ("Call +44 20 7946 0958 or (555) 123-4567", "Call [phone] or [phone]"),
        ("Bot token xoxb-1234-5678-abcdefghij", "Bot token [secret]"),
        ("key sk-proj-abcdefghijklmnop1234", "key [secret]"),
        ("Authorization: Bearer abcdefghijkl", "Authorization: Bearer [secret]"),
        ("password: hunter2hunter2.", "password: [secret]."),
        ("sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ok", "sha [secret] ok"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[secret]"),
        ("Launch on 2026-11-18 at 10:30 for v1.2.3, budget $1,000,000", None),
        ("The token rotation schedule moves to Friday", None),
        ("https://example.com/docs/decisions/adr-0012", None),
    ],
)
def test_redaction(text, expected):
    """E-mail addresses, phone numbers and secrets become placeholders; dates, versions and links stay."""
    assert redact(text) == (expected or text)
