"""The shortcuts that make judging fast give the answers of the long way round: a tokeniser that
splits ASCII text instead of running a regex, the words a rule needs before it is tried, the
literals a customer pattern needs before it is run, the phrase readings classify has already made,
the first matches of a rule set, and a verdict kept for the same message judged twice."""

from __future__ import annotations

import json
import random
import re

import pytest
from conftest import DATA

from bot import customers as C
from bot import decisions as D
from bot import detect as DT
from bot import rules as R
from bot.detector.acts import Words
from bot.detector.judge import Detector
from bot.detector.model import shipped_model
from bot.importer import _latest_ts
from bot.slack_export import ts_order
from bot.text import normalise


def _texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


@pytest.fixture(scope="module")
def norms() -> list[str]:
    """Our own labelled messages, normalised, with a few long and odd ones besides."""
    texts = _texts()
    rng = random.Random(5)
    texts += [rng.choice(texts) + " " + rng.choice(texts) for _ in range(300)]
    texts += ["We decided to ship it. " + "customers " * 800, "users who " * 500, "?" * 3000, "+1 -1 é :/" * 50]
    return [normalise(t) for t in texts]


@pytest.mark.parametrize("marks", ["?", "?!:/"])
def test_the_fast_tokeniser_finds_what_the_regex_finds(marks):
    """Words(marks) gives the words and marks `[a-z0-9_']+|[+\\-]1\\b|[marks]` finds, on any text."""
    words = Words(marks)
    regex = re.compile(r"[a-z0-9_']+|[+\-]1\b|[" + re.escape(marks) + "]")
    rng = random.Random(1)
    alphabet = "abz09_'?!:/+-1 .,\n\tAZé\x00#\x7f"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14)))
        assert words(text) == regex.findall(text), repr(text)


def test_every_text_a_request_rule_matches_has_the_words_the_rule_needs(norms):
    """A request rule is tried only when a word of each of its groups occurs (a question's rules need
    their own words besides "?"): no text such a rule matches lacks one."""
    for norm in norms:
        present = R.words_in(norm, R.APPROVAL_REQUEST._sorted_words)
        for groups, pattern in R.APPROVAL_REQUEST._rules:
            if pattern.search(norm):
                assert all(not group.isdisjoint(present) for group in groups), (pattern.pattern[:60], norm[:80])


def test_a_rule_sets_search_and_match_agree_with_its_matches(norms):
    """search is whether finditer finds anything; match is the first match found that starts the text."""
    for norm in norms:
        for rule_set in (R.APPROVAL_REQUEST, R.APPROVAL, D.DECISION):
            found = list(rule_set.finditer(norm))
            assert rule_set.search(norm) == bool(found)
            at_start = next((m for m in found if m.start() == 0), None)
            matched = rule_set.match(norm)
            assert (matched and matched.span()) == (at_start and at_start.span())


def test_the_phrase_reading_is_whether_a_phrase_occurs_at_all(norms):
    """phrases() says whether any decision and any request phrase occurs, whatever classify decided."""
    for norm in norms:
        present = DT.trigger_words(norm)
        expected = (next(D.DECISION.finditer(norm, present), None) is not None,
                    next(R.APPROVAL_REQUEST.finditer(norm, present), None) is not None)
        assert DT.phrases(norm) == expected, norm[:80]


def test_a_customer_pattern_is_skipped_only_where_it_cannot_match(norms):
    """The prefilter says a pattern may match wherever it does match."""
    patterns = (C.CUSTOMER, C.ASKERS, C.PEOPLE_SUBJECT, C.ROLE_PLURAL)
    skipped = 0
    for norm in norms:
        possible = C.prefilter()(norm)
        for pattern, may in zip(patterns, possible, strict=True):
            assert may or not pattern.search(norm), (pattern.pattern[:40], norm[:80])
            skipped += not may
    assert skipped > len(norms)  # it does skip: most messages name nobody


def test_a_prefilter_reads_literals_alternatives_and_classes():
    """Literals, alternatives and small classes are looked for; a pattern without any always runs."""
    prefilter = C.Prefilter(re.compile(r"\bgo (?:with|for) it\b"), re.compile(r"[xy]z"), re.compile(r"\w+"),
                            re.compile(r"(?i)abc"))
    assert prefilter("let's go with it") == (True, False, True, True)
    assert prefilter("yz") == (False, True, True, True)
    assert prefilter("go on") == (False, False, True, True)


def test_the_same_message_judged_twice_gets_its_verdict_again(principles):
    """Judging the very same text again returns the verdict already made; an equal text is judged the same."""
    detector = Detector(principles, model=shipped_model())
    text = "".join(["We decided to ship on Friday ", "so customers get the fix."])
    first = detector.judge(text)
    assert detector.judge(text) is first
    assert detector.judge("".join([text])) == first  # another object, equal text
    assert detector.judge(str(text + " ")[:-1]) == first


def test_the_latest_ts_of_a_sorted_day_is_the_first_that_sorts_last():
    """`_latest_ts` of messages in ts order is `max(ts, key=ts_order)`, ties included."""
    from datetime import UTC, datetime

    from bot.models import Message, Visibility
    from bot.slack_export import Written

    def written(ts: str) -> Written:
        return Written(Message("slack", "T1", "C1", Visibility.PUBLIC, ts, ts, "U1", "x", datetime.now(UTC)))

    for stamps in (["1.000001", "2", "2.0", "2.000000"], ["5.5"], ["1.1", "1.10", "3.000300", "3.0003"], []):
        day = sorted((written(ts) for ts in stamps), key=lambda w: ts_order(w.message.ts))
        assert _latest_ts(day) == max((w.message.ts for w in day), key=ts_order, default=None)
