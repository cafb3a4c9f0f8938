"""The command line with an LLM configured: `eval` with and without it, `prfaq` drafts, `classify --llm`
and the console. Each runs as a subprocess against the fake OpenAI server on a thread of its own."""

from __future__ import annotations

import json

import pytest
from fakes.openai_api import FakeOpenAI
from llm_harness import CONTEXTUAL, DRAFT, KEY, LAUNCH, VERDICT
from test_cli import Nudgebot

IDEA = "A meal-planning feature for busy parents"
OTHER = {"kind": "other", "customer_rationale": None, "customer": None, "principles": [], "question": None}
LABELLED = "".join(json.dumps(line) + "\n" for line in (
    {"id": 1, "text": LAUNCH, "kind": "decision", "customer_rationale": False},
    {"id": 2, "text": "Can you approve the budget for the offsite?", "kind": "approval_request",
     "customer_rationale": False},
    {"id": 3, "text": "Lunch at noon?", "kind": "other", "customer_rationale": None},
))


@pytest.fixture
def fake():
    with FakeOpenAI().in_thread() as served:
        yield served


@pytest.fixture
def nudgebot(tmp_path, fake) -> Nudgebot:
    """`python -m bot` with an LLM configured: the fake, a key, a short timeout."""
    bot = Nudgebot(tmp_path)
    bot.env.update({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.base_url, "NUDGEBOT_LLM_TIMEOUT": "2",
                    "NUDGEBOT_LLM_DRAFT_TIMEOUT": "2"})
    (tmp_path / "labelled.jsonl").write_text(LABELLED, encoding="utf-8")
    return bot


def test_eval_reports_the_rules_then_the_rules_with_the_llm(nudgebot, fake):
    """Both reports, then how many messages went to the LLM and how many it answered."""
    fake.answer(OTHER)
    fake.answer(OTHER)

    result = nudgebot("eval", "labelled.jsonl")

    assert result.code == 0, result.err
    rules, _, with_llm = result.out.partition("\nWith the LLM (gpt-4o-mini) asked about likely decisions:\n")
    assert rules.splitlines()[1].split() == ["decision", "1.000", "1.000", "1.000", "1"]
    assert with_llm.splitlines()[1].split() == ["decision", "0.000", "0.000", "0.000", "1"]
    assert with_llm.splitlines()[-1] == (
        "Sent to the LLM: 2 of 3 messages (66.7%): 1 decisions, 1 approval requests and 0 borderline; "
        "2 answered, 0 fell back to the rules.")
    assert len(fake.requests) == 2


def test_eval_json_carries_the_llm_figures(nudgebot, fake):
    """`--format json` adds the share sent and the scores with the LLM."""
    fake.answer(OTHER)
    fake.answer(OTHER)

    report = json.loads(nudgebot("eval", "--format", "json", "labelled.jsonl").out)

    assert {k: v for k, v in report["llm"].items() if k != "with_llm"} == {
        "messages": 3, "sent": 2, "share": 0.667, "decision": 1, "approval_request": 1, "borderline": 0,
        "answered": 2}
    assert report["llm"]["with_llm"]["per_kind"]["other"]["support"] == 1
    assert report["macro_f1"] > report["llm"]["with_llm"]["macro_f1"]


def test_eval_without_the_llm_sends_nothing_and_says_what_would_go(nudgebot, fake):
    """`--no-llm` (or no key) measures the rules alone and tells the share an LLM would see."""
    result = nudgebot("eval", "--no-llm", "labelled.jsonl")

    assert "With the LLM" not in result.out
    assert result.out.splitlines()[-1] == (
        "An LLM would be asked about 2 of 3 messages (66.7%): 1 decisions, 1 approval requests and 0 "
        "borderline.")
    assert fake.requests == []


def test_prfaq_prints_the_llm_draft(nudgebot, fake):
    """`nudgebot prfaq IDEA` prints the draft, marked as a draft to edit."""
    fake.answer(DRAFT)

    result = nudgebot("prfaq", IDEA)

    assert result.code == 0 and result.err == ""
    assert result.out.startswith(f"# PR/FAQ draft: {IDEA}\n\n_**Draft to edit**")


def test_prfaq_falls_back_to_the_skeleton_and_says_so(nudgebot, fake):
    """Garbage from the LLM: the skeleton, and a warning on stderr saying why."""
    fake.answer("Here is your PR/FAQ! It will be great.")

    result = nudgebot("prfaq", IDEA)

    assert result.code == 0
    assert result.out.startswith(f"# PR/FAQ draft: {IDEA}\n\n_Work backwards")
    assert result.err == ("WARNING nudgebot.llm: LLM llm_prfaq_v1.md: unusable answer (JSONDecodeError); "
                          "using the rules and templates\n")


def test_prfaq_template_flag_skips_the_llm(nudgebot, fake):
    """`--template` prints the skeleton without asking."""
    assert "_Work backwards" in nudgebot("prfaq", "--template", IDEA).out
    assert fake.requests == []


def test_classify_with_llm_merges_its_verdict(nudgebot, fake):
    """`classify --llm` prints the verdict with the LLM's opinion joined in."""
    fake.answer({**VERDICT, "customer_rationale": True, "customer": "beta testers", "question": None})

    result = nudgebot("classify", "--llm", stdin=json.dumps({"id": 7, "text": LAUNCH}) + "\n")

    assert json.loads(result.out) == {"id": 7, "kind": "decision", "customer_rationale": True,
                                      "principles": ["customer-obsession", "bias-for-action", "deliver-results"],
                                      "nudge": False}


def test_classify_llm_without_a_key_is_a_clear_error(tmp_path):
    """`--llm` with no key configured says what is missing."""
    result = Nudgebot(tmp_path)("classify", "--llm", stdin="{}\n")

    assert result.code == 2
    assert "--llm needs OPENAI_API_KEY" in result.err


def test_the_console_asks_the_question_that_names_the_decision(nudgebot, fake):
    """In `nudgebot shell` the nudge names the decision, and /prfaq prints the draft."""
    fake.answer(VERDICT)
    fake.answer(DRAFT)

    result = nudgebot.shell(LAUNCH, f"/prfaq {IDEA}")

    assert f"nudgebot › Quick question about this decision: {CONTEXTUAL}" in result.out
    assert "_**Draft to edit**" in result.out
    assert len(fake.requests) == 2
