"""The optional LLM through the real openai client, over HTTP, against a fake OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import logging
import time

import llm_harness
import pytest
from builders import message
from fakes.openai_api import closed_port
from llm_harness import CONTEXTUAL, DRAFT, KEY, LAUNCH, TIMEOUT, VERDICT

from bot.llm import build_assistant
from bot.models import Command, Kind, Visibility
from bot.opinion import Opinion

fake_openai, assistant_for = llm_harness.fake_openai, llm_harness.assistant_for

PATIENCE = TIMEOUT + 1.0  # a fallback may take the timeout, plus a little for the machine


def prfaq_command(idea: str = "A meal-planning feature for busy parents", workspace: str = "T_ONE") -> Command:
    from datetime import UTC, datetime

    return Command(platform="slack", workspace=workspace, channel="C_GENERAL", visibility=Visibility.PUBLIC,
                   user="U_ANN", name="prfaq", text=idea, time=datetime(2026, 11, 18, 10, 0, tzinfo=UTC))


# -- second opinion -------------------------------------------------------------------------------

async def test_a_structured_verdict_becomes_the_opinion(fake_openai, assistant_for):
    """A valid JSON verdict comes back as the opinion, with the question that names the decision."""
    fake_openai.answer(VERDICT)

    opinion = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert opinion == Opinion(kind=Kind.DECISION, customer_rationale=False, customer=None,
                              principles=("bias-for-action",), question=CONTEXTUAL)


async def test_the_request_is_json_mode_with_the_prompt_file_and_the_message(fake_openai, assistant_for):
    """One chat completion in JSON mode: the prompt file as system message, the message as user message."""
    fake_openai.answer(VERDICT)

    await assistant_for(fake_openai.base_url, llm_model="small-model").opinion(message(LAUNCH))

    [sent] = fake_openai.requests
    assert sent.path == "/v1/chat/completions"
    assert (sent.body["model"], sent.body["response_format"]) == ("small-model", {"type": "json_object"})
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert "Answer with one JSON object and nothing else." in sent.system
    assert "- bias-for-action: Bias for Action." in sent.system
    assert sent.user == f"The message:\n<<<\n{LAUNCH}\n>>>"


async def test_a_verdict_naming_its_customer_keeps_the_customer_and_drops_the_question(fake_openai, assistant_for):
    """With a customer rationale there is nothing to ask; the customer's words are kept."""
    fake_openai.answer({**VERDICT, "customer_rationale": True, "customer": "busy *parents*"})

    opinion = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert (opinion.customer_rationale, opinion.customer, opinion.question) == (True, "busy parents", None)


async def test_a_verdict_in_a_code_fence_is_read(fake_openai, assistant_for):
    """Some models wrap their JSON in a ``` fence; it is still the same verdict."""
    import json

    fake_openai.answer("```json\n" + json.dumps(VERDICT) + "\n```")

    opinion = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert opinion is not None and opinion.question == CONTEXTUAL


@pytest.mark.parametrize(
    "answer",
    [
        "Sure! It is a decision.",
        '{"kind": "decision", "customer_rationale": fal',
        {**VERDICT, "kind": "announcement"},
        {**VERDICT, "principles": ["customer-obsession", "world-domination"]},
        {**VERDICT, "customer_rationale": "no"},
        {**VERDICT, "customer_rationale": None},
        {"verdict": "decision"},
        "[1, 2, 3]",
    ],
    ids=["prose", "broken-json", "unknown-kind", "unknown-principle", "string-bool", "null-rationale",
         "other-keys", "not-an-object"],
)
async def test_an_invalid_answer_is_discarded(fake_openai, assistant_for, answer):
    """Garbage, or JSON off the schema (principles only from principles.yaml), gives no opinion."""
    fake_openai.answer(answer)

    assert await assistant_for(fake_openai.base_url).opinion(message(LAUNCH)) is None


@pytest.mark.parametrize("body", ["<html><body>502 Bad Gateway</body></html>", '{"id": "x", "choices": []}'])
async def test_a_body_that_is_no_chat_completion_is_discarded(fake_openai, assistant_for, body):
    """A proxy's error page, or JSON without a choice, gives no opinion (and no crash)."""
    fake_openai.page(body)

    assert await assistant_for(fake_openai.base_url).opinion(message(LAUNCH)) is None


async def test_a_question_that_is_not_a_question_is_dropped_but_the_verdict_kept(fake_openai, assistant_for):
    """A 'question' without a question mark falls back to the principle's question; the verdict stands."""
    fake_openai.answer({**VERDICT, "question": "Tell me about the customer <!channel>"})

    opinion = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert (opinion.kind, opinion.question) == (Kind.DECISION, None)


# -- failures fall back within the timeout --------------------------------------------------------

async def test_a_500_is_tried_once_more_then_falls_back(fake_openai, assistant_for):
    """Two 500s: one retry, then no opinion, within the timeout."""
    fake_openai.fail(500)
    fake_openai.fail(500)
    started = time.monotonic()

    opinion = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert opinion is None
    assert time.monotonic() - started < PATIENCE
    assert len(fake_openai.requests) == 2


async def test_a_500_then_an_answer_uses_the_answer(fake_openai, assistant_for):
    """A passing 500 is retried and the second answer is used."""
    fake_openai.fail(503)
    fake_openai.answer(VERDICT)

    opinion = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert opinion is not None and len(fake_openai.requests) == 2


async def test_a_slow_answer_is_abandoned_at_the_timeout(fake_openai, assistant_for):
    """An LLM that does not answer costs its timeout and no more."""
    gate = fake_openai.hold(VERDICT)
    started = time.monotonic()

    opinion = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))
    took = time.monotonic() - started
    gate.set()

    assert opinion is None
    assert TIMEOUT * 0.9 <= took < PATIENCE


async def test_a_refused_connection_falls_back_at_once(assistant_for):
    """Nothing listening at the base URL: no opinion, well within the timeout."""
    started = time.monotonic()

    opinion = await assistant_for(f"http://127.0.0.1:{closed_port()}/v1").opinion(message(LAUNCH))

    assert opinion is None
    assert time.monotonic() - started < PATIENCE


async def test_a_failed_call_is_tried_again_for_a_later_message(fake_openai, assistant_for):
    """A timeout or 5xx is not remembered: the next message with the same text is sent again."""
    fake_openai.fail(500)
    fake_openai.fail(500)
    fake_openai.answer(VERDICT)
    assistant = assistant_for(fake_openai.base_url)

    first = await assistant.opinion(message(LAUNCH))
    second = await assistant.opinion(message(LAUNCH))

    assert (first, second is not None, len(fake_openai.requests)) == (None, True, 3)


async def test_failures_are_logged_without_the_key_or_the_text(fake_openai, assistant_for, caplog):
    """The log says what failed; never the key, never what was sent."""
    fake_openai.fail(500)
    fake_openai.fail(500)
    caplog.set_level(logging.DEBUG)

    await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert "llm_opinion_v1.md: HTTP 500 (InternalServerError)" in caplog.text
    assert KEY not in caplog.text and "launch" not in caplog.text.lower()


async def test_a_log_that_cannot_be_read_leaves_the_rules_to_answer(fake_openai, assistant_for, store):
    """The consent, budget and cache live in SQLite; when it fails, no opinion rather than no answer."""
    assistant = assistant_for(fake_openai.base_url)
    store.db.execute("DROP TABLE llm_cache")

    assert await assistant.opinion(message(LAUNCH)) is None
    assert fake_openai.requests == []


# -- budget, cache, redaction, consent ------------------------------------------------------------

async def test_the_same_message_is_never_sent_twice(fake_openai, assistant_for):
    """A second message with the same text (a retried event, a repeated line) is answered from the cache."""
    fake_openai.answer(VERDICT)
    assistant = assistant_for(fake_openai.base_url)

    first = await assistant.opinion(message(LAUNCH))
    second = await assistant.opinion(message(LAUNCH))

    assert first == second and first is not None
    assert len(fake_openai.requests) == 1


async def test_the_cache_outlives_the_process(fake_openai, assistant_for):
    """A new assistant on the same log (a restart, a second process) finds the answer kept."""
    fake_openai.answer(VERDICT)
    await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    again = await assistant_for(fake_openai.base_url).opinion(message(LAUNCH))

    assert again is not None and len(fake_openai.requests) == 1


async def test_a_kept_answer_expires_with_the_retention_period(fake_openai, assistant_for, clock):
    """Answers are kept 30 days at most, and never longer than NUDGEBOT_RETENTION_DAYS keeps text."""
    fake_openai.answer(VERDICT)
    fake_openai.answer(VERDICT)
    assistant = assistant_for(fake_openai.base_url, retention_days=7)
    await assistant.opinion(message(LAUNCH))
    clock.advance(days=6)
    await assistant.opinion(message(LAUNCH))
    clock.advance(days=2)

    await assistant.opinion(message(LAUNCH))

    assert len(fake_openai.requests) == 2


async def test_an_unusable_answer_is_remembered_too(fake_openai, assistant_for):
    """Garbage for a message is kept as garbage: the same message is not sent again."""
    fake_openai.answer("not json")
    assistant = assistant_for(fake_openai.base_url)

    assert await assistant.opinion(message(LAUNCH)) is None
    assert await assistant.opinion(message(LAUNCH)) is None
    assert len(fake_openai.requests) == 1


async def test_the_same_message_at_once_is_one_call(fake_openai, assistant_for):
    """Two deliveries of one message while the first call is under way share that call."""
    gate = fake_openai.hold(VERDICT)
    assistant = assistant_for(fake_openai.base_url, llm_timeout=5)

    both = asyncio.gather(assistant.opinion(message(LAUNCH)), assistant.opinion(message(LAUNCH)))
    await fake_openai.wait_for(1)
    gate.set()
    first, second = await both

    assert first == second and first is not None
    assert len(fake_openai.requests) == 1


async def test_the_daily_budget_holds_across_processes_and_resets_the_next_day(fake_openai, assistant_for, clock):
    """With a budget of 2, a third message that day is not sent, even by another process; the next day is new."""
    for _ in range(3):
        fake_openai.answer(VERDICT)
    first = assistant_for(fake_openai.base_url, llm_daily_budget=2)
    other = assistant_for(fake_openai.base_url, llm_daily_budget=2)

    await first.opinion(message("We decided to drop IE11."))
    await other.opinion(message("We decided to move standup to 10."))
    spent = await first.opinion(message("We decided to rename the repo."))
    clock.advance(days=1)
    fresh = await other.opinion(message("We decided to rename the repo."))

    assert spent is None and fresh is not None
    assert len(fake_openai.requests) == 3


async def test_what_is_sent_is_redacted(fake_openai, assistant_for):
    """E-mail addresses, phone numbers and tokens are replaced before the request leaves."""
    fake_openai.answer(VERDICT)
    text = ("We decided to move the launch to Friday; questions to ann.lee@example.com or +44 20 7946 0958. "
            "Deploy token xoxb-1234567890-abcdefghij, API key sk-proj-abcdefghijklmnop123456.")

    await assistant_for(fake_openai.base_url).opinion(message(text))

    [sent] = fake_openai.requests
    assert ("We decided to move the launch to Friday; questions to [email] or [phone]. "
            "Deploy token [secret], API key [secret].") in sent.user
    for secret in ("ann.lee", "7946", "xoxb-", "sk-proj"):
        assert secret not in str(sent.body)


async def test_redaction_can_be_turned_off(fake_openai, assistant_for):
    """NUDGEBOT_LLM_REDACT=false sends the text as written."""
    fake_openai.answer(VERDICT)
    text = "We decided to move the launch to Friday; questions to ann.lee@example.com."

    await assistant_for(fake_openai.base_url, llm_redact=False).opinion(message(text))

    assert "ann.lee@example.com" in fake_openai.requests[0].user


async def test_no_key_means_no_request(fake_openai, engine):
    """Without OPENAI_API_KEY nothing is sent, whatever else is set."""
    from bot.config import load_settings

    settings = load_settings(env_file=None, openai_base_url=fake_openai.base_url, llm_workspaces="*")
    assistant = build_assistant(settings, engine)

    assert not assistant.active
    assert await assistant.opinion(message(LAUNCH)) is None
    assert await assistant.prfaq(prfaq_command()) is None
    assert fake_openai.requests == []


async def test_a_workspace_that_has_not_enabled_the_llm_sends_nothing(fake_openai, assistant_for):
    """A workspace not in NUDGEBOT_LLM_WORKSPACES, and which never said `/nudgebot llm on`, is never sent."""
    assistant = assistant_for(fake_openai.base_url, llm_workspaces="T_OTHER")

    assert await assistant.opinion(message(LAUNCH, workspace="T_ONE")) is None
    assert await assistant.prfaq(prfaq_command(workspace="T_ONE")) is None
    assert fake_openai.requests == []


async def test_a_workspace_choice_wins_over_the_default(fake_openai, assistant_for, engine):
    """`/nudgebot llm on` enables a workspace off by default; `off` silences one on by default."""
    fake_openai.answer(VERDICT)
    assistant = assistant_for(fake_openai.base_url, llm_workspaces="T_TWO")
    engine.llm.switch("slack", "T_ONE", True, "U_ANN")
    engine.llm.switch("slack", "T_TWO", False, "U_BEN")

    on = await assistant.opinion(message(LAUNCH, workspace="T_ONE"))
    off = await assistant.opinion(message("We decided to drop IE11.", workspace="T_TWO"))

    assert (on is not None, off) == (True, None)
    assert len(fake_openai.requests) == 1


@pytest.mark.parametrize("text", ["Lunch at noon?", "Approved, ship it.", "Thanks all!"])
async def test_messages_the_rules_do_not_flag_are_not_sent(fake_openai, assistant_for, text):
    """Only likely decisions and requests (or borderline ones) leave; chatter and approvals never do."""
    assert await assistant_for(fake_openai.base_url).opinion(message(text)) is None
    assert fake_openai.requests == []


async def test_a_borderline_message_is_sent(fake_openai, assistant_for):
    """A decision phrase held back by a rule (a question) still gets a second opinion."""
    fake_openai.answer({**VERDICT, "kind": "other", "customer_rationale": None, "question": None})

    opinion = await assistant_for(fake_openai.base_url).opinion(message("Should we decide on the vendor today?"))

    assert opinion == Opinion(kind=Kind.OTHER, customer_rationale=None, principles=("bias-for-action",))


# -- PR/FAQ drafts and the week's summary ---------------------------------------------------------

async def test_a_prfaq_draft_fills_the_skeleton_marked_as_a_draft(fake_openai, assistant_for):
    """The draft has the skeleton's sections filled from the answer, and says it is a draft to edit."""
    fake_openai.answer(DRAFT)

    draft = await assistant_for(fake_openai.base_url).prfaq(prfaq_command())

    lines = draft.splitlines()
    assert lines[0] == "# PR/FAQ draft: A meal-planning feature for busy parents"
    assert lines[2].startswith("_**Draft to edit** — a first version written by the LLM from "
                               "\"A meal-planning feature for busy parents\" on 2026-11-18.")
    assert "**Dinner sorted in five minutes for busy parents**" in lines
    assert "1. **Who is this for?**" in lines and "   Parents with little time to plan meals." in lines
    assert "   [evidence to be gathered]" in lines
    assert "The idea:\n<<<\nA meal-planning feature for busy parents\n>>>" in fake_openai.requests[0].user


async def test_a_prfaq_draft_uses_the_thread(fake_openai, assistant_for):
    """Messages of the thread the idea came from go along, oldest first, redacted."""
    fake_openai.answer(DRAFT)

    draft = await assistant_for(fake_openai.base_url).prfaq(
        prfaq_command(), thread=["Parents keep asking for this", "Call me on +44 20 7946 0958"])

    assert "and its thread" in draft
    assert "- Parents keep asking for this\n- Call me on [phone]" in fake_openai.requests[0].user


async def test_a_prfaq_answer_missing_sections_gives_no_draft(fake_openai, assistant_for):
    """An answer without every section is discarded: the caller shows the skeleton."""
    fake_openai.answer({k: v for k, v in DRAFT.items() if k != "problem"})

    assert await assistant_for(fake_openai.base_url).prfaq(prfaq_command()) is None


async def test_an_earlier_draft_is_found_without_a_call(fake_openai, assistant_for):
    """`fresh=False` (posting what was shown) returns the kept draft, and never calls for a new one."""
    assistant = assistant_for(fake_openai.base_url)
    assert await assistant.prfaq(prfaq_command(), fresh=False) is None
    fake_openai.answer(DRAFT)
    shown = await assistant.prfaq(prfaq_command())

    again = await assistant.prfaq(prfaq_command("  A meal-planning  feature for busy parents "), fresh=False)

    assert again == shown and len(fake_openai.requests) == 1


async def test_the_week_is_summarised_in_one_paragraph(fake_openai, assistant_for):
    """summarise_week sends the figures and the excerpts, and returns the answer's one paragraph."""
    fake_openai.answer({"summary": "Pricing decisions skipped the customer.\nAsk who pays before changing plans."})

    summary = await assistant_for(fake_openai.base_url).summarise_week(
        "slack", "T_ONE", "2026-W46", [("decisions logged", 4), ("with a customer rationale", "1 (25%)")],
        ["We decided to raise prices, mail ceo@example.com"])

    assert summary == "Pricing decisions skipped the customer. Ask who pays before changing plans."
    user = fake_openai.requests[0].user
    assert "- decisions logged: 4\n- with a customer rationale: 1 (25%)" in user
    assert "- We decided to raise prices, mail [email]" in user


async def test_the_week_is_not_summarised_for_a_workspace_without_the_llm(fake_openai, assistant_for):
    """No consent, no summary, no request."""
    summary = await assistant_for(fake_openai.base_url, llm_workspaces="").summarise_week(
        "slack", "T_ONE", "2026-W46", [("decisions logged", 4)])

    assert summary is None and fake_openai.requests == []


def test_settings_for_the_llm_have_defaults():
    """The draft timeout, budget, workspaces and redaction have sensible defaults."""
    from bot.config import load_settings

    settings = load_settings(env_file=None)
    assert (settings.llm_timeout, settings.llm_draft_timeout, settings.llm_daily_budget,
            settings.llm_default_workspaces, settings.llm_redact) == (4.0, 30.0, 500, frozenset(), True)
