"""Settings, answers and fixtures for the optional LLM's tests, against the fake OpenAI server."""

from __future__ import annotations

import pytest
from fakes.openai_api import FakeOpenAI

from bot.config import load_settings
from bot.llm import build_assistant

KEY = "sk-test-key-never-to-be-logged-0123456789"
TIMEOUT = 0.5  # seconds: a slow answer costs a test this much, never more
LAUNCH = "We decided to move the launch to Friday."
CONTEXTUAL = "Who is the customer for moving the launch to Friday, and how does the new date help them?"
VERDICT = {"kind": "decision", "customer_rationale": False, "customer": None,
           "principles": ["bias-for-action"], "question": CONTEXTUAL}
DRAFT = {
    "headline": "Dinner sorted in five minutes for busy parents",
    "subheading": "Busy parents get a week of family meals planned for them.",
    "summary": "Meal plans that fit the family's week.",
    "problem": "Parents spend evenings deciding what to cook.",
    "solution": "A weekly plan and a shopping list in one tap.",
    "leader_quote": "We built this because parents asked for their evenings back.",
    "getting_started": "Open the app and pick three favourite dishes.",
    "customer_quote": "I got my Sunday back.",
    "external_faq": [{"q": "Who is this for?", "a": "Parents with little time to plan meals."}],
    "internal_faq": [{"q": "How will we know parents want this?", "a": "[evidence to be gathered]"}],
}


def llm_settings(base_url: str, **overrides):
    values = {"openai_api_key": KEY, "openai_base_url": base_url, "llm_timeout": TIMEOUT,
              "llm_draft_timeout": TIMEOUT, "llm_workspaces": "T_ONE", **overrides}
    return load_settings(env_file=None, **values)


@pytest.fixture
async def fake_openai():
    """The fake OpenAI-compatible server, on 127.0.0.1."""
    fake = await FakeOpenAI().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def assistant_for(engine):
    """`assistant_for(base_url, **settings)`: an assistant on the test's engine and log, closed after."""
    made = []

    def build(base_url: str, **overrides):
        assistant = build_assistant(llm_settings(base_url, **overrides), engine)
        made.append(assistant)
        return assistant

    yield build
    for assistant in made:
        await assistant.close()
