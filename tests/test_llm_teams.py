"""Teams with an LLM configured: the question names the decision, and `prfaq` is followed by a draft."""

from __future__ import annotations

import llm_harness
import teams_harness
from llm_harness import CONTEXTUAL, DRAFT, LAUNCH, VERDICT, llm_settings
from teams_harness import CHANNEL, TENANT, served
from waiting import until

connector = teams_harness.connector
fake_openai = llm_harness.fake_openai
GENERIC = "Who is the customer, and how does this help them?"



async def test_the_card_asks_the_question_naming_the_decision(engine, connector, fake_openai):
    """A channel decision is sent to the LLM (its tenant enabled it) and the card asks its question."""
    fake_openai.answer(VERDICT)
    settings = llm_settings(fake_openai.base_url, teams_dev=True, llm_workspaces=TENANT)
    async with served(settings, engine, connector) as teams:
        await teams.say(LAUNCH)
    [reply] = connector.messages()
    assert CONTEXTUAL in reply.card_text and GENERIC not in reply.card_text
    assert LAUNCH in fake_openai.requests[0].user


async def test_a_tenant_that_did_not_enable_the_llm_sends_nothing(engine, connector, fake_openai):
    """Without the tenant's consent the rules' question is asked and nothing reaches the LLM."""
    settings = llm_settings(fake_openai.base_url, teams_dev=True, llm_workspaces="T_OTHER")
    async with served(settings, engine, connector) as teams:
        await teams.say(LAUNCH)
    [reply] = connector.messages()
    assert GENERIC in reply.card_text
    assert fake_openai.requests == []


async def test_prfaq_gets_the_skeleton_then_the_draft_in_the_same_chain(engine, connector, fake_openai):
    """`@Nudgebot prfaq IDEA` answers at once with the skeleton; the LLM's draft follows in the chain."""
    fake_openai.answer(DRAFT)
    settings = llm_settings(fake_openai.base_url, teams_dev=True, llm_workspaces=TENANT)
    async with served(settings, engine, connector) as teams:
        message = await teams.say("prfaq A meal-planning feature for busy parents", mention=True)
        await until(lambda: len(connector.messages()) == 2)
    skeleton, draft = connector.messages()
    chain = f"{CHANNEL};messageid={message['id']}"
    assert skeleton.conversation == chain and DRAFT["headline"] not in skeleton.card_text
    assert draft.conversation == chain
    assert draft.card_text.startswith("PR/FAQ draft: A meal-planning feature for busy parents")
    assert DRAFT["headline"] in draft.card_text


async def test_llm_on_by_mention_lets_the_tenant_send(engine, connector, fake_openai):
    """`@Nudgebot llm on` enables the LLM for the tenant: the next decision's card asks its own question."""
    fake_openai.answer(VERDICT)
    settings = llm_settings(fake_openai.base_url, teams_dev=True, llm_workspaces="")
    async with served(settings, engine, connector) as teams:
        await teams.say("llm on", mention=True)
        await teams.say(LAUNCH)
    on, nudge = connector.messages()
    assert "LLM" in on.card_text
    assert CONTEXTUAL in nudge.card_text
