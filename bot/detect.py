"""Rules that judge a chat message: what kind it is, whether it names its customer, which
principles it touches. Pure functions, no I/O, no network; fast enough for an import of
millions of messages.

Each message is read clause by clause. A phrase that would make it a decision, an approval
request or an approval only counts when its own sentence is not a question, a hypothetical,
or a negation ("we haven't decided"), and when it is not quoted or in a code block (the
text module has removed those already).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import ahocorasick

from bot import customer_phrase as P
from bot import customers as C
from bot import decisions as D
from bot import rules as R
from bot.models import Kind, Principle, Verdict
from bot.text import normalise


def _is_label(norm: str, match: re.Match) -> bool:
    if C.CUSTOMER_AS_LABEL.match(norm, match.start()):
        return True
    return match.group(0).startswith("client") and bool(
        C.SOFTWARE_BEFORE.search(norm, max(0, match.start() - 12), match.start())
    )


# Every trigger word of the three rule sets, searched once per message.
_TRIGGER_WORDS = tuple(sorted(R.APPROVAL_REQUEST.words | R.APPROVAL.words | D.DECISION.words))

_SENTENCE_BREAK = ".!?;\n"
# Sentences, and the parts of notes and announcements, also start after a colon or a dash; an
# emoji between two sentences ends the first.
_SUBJECT_BREAK = _SENTENCE_BREAK + ":-"


def _bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence around text[start:end]; end includes its terminator."""
    left = max(text.rfind(c, 0, start) for c in _SENTENCE_BREAK) + 1
    right = len(text)
    for c in _SENTENCE_BREAK:
        i = text.find(c, end)
        if i != -1 and i < right:
            right = i
    return left, min(right + 1, len(text))


def _is_question(sentence: str) -> bool:
    s = sentence.strip()
    return s.endswith("?") or bool(D.QUESTION_START.match(s))


def _decision_at(text: str, match: re.Match) -> bool:
    left, right = _bounds(text, match.start(), match.end())
    sentence = text[left:right]
    if _is_question(sentence):
        return False
    if D.HYPOTHETICAL.search(text, left, match.start()):
        return False
    if D.UNDECIDED.search(sentence) or D.PERSONAL.search(sentence):
        return False
    return not D.CONDITION_AFTER.search(text, match.end(), right)


def _approval_request_at(text: str, match: re.Match) -> bool:
    left, _ = _bounds(text, match.start(), match.end())
    left = max(left, text.rfind(":", left, match.start()) + 1)  # "Short version if you're busy: are you ok…?"
    before = text[left : match.start()]
    # "we got the sign-off", "does this need approval?", "not sure we need approval" are not requests.
    if R.NOT_A_REQUEST.search(before):
        return False
    return not (R.NEEDS.match(match.group(0)) and R.ASKS_WHETHER.match(before))


def _has_approval(text: str, present: frozenset[str]) -> bool:
    lead = R.APPROVAL_LEAD.match(text)
    if lead:
        rest = text[lead.end() :].lstrip()
        if rest.startswith("?"):
            return False
        # ":white_check_mark: *Decided*: …" marks a decision with a check, it approves nothing.
        return not (lead.group(0).strip() in ("emoji_check", "emoji_thumbsup") and D.DECISION.match(rest))
    for pattern in R.APPROVAL.patterns(present):
        for match in pattern.finditer(text):
            left, right = _bounds(text, match.start(), match.end())
            sentence = text[left:right]
            if _is_question(sentence) or D.HYPOTHETICAL.search(text, left, match.start()):
                continue
            if re.search(r"\bnot\b", text[left : match.start()]):
                continue
            return True
    return False


def is_decline(text: str) -> bool:
    """An answer that refuses or holds up an approval ("-1", "not approved", "blocked until…")."""
    return bool(R.DECLINE.match(normalise(text)))


# Pure functions of the text that the learned detector reads as features and the verdict reads
# again: the last few answers are kept, so one message costs one pass of the rules.
@functools.lru_cache(maxsize=4)
def find_customer(norm: str) -> str | None:
    """Who the (normalised) text says the choice serves, when it also says how; None if it doesn't.

    Returns the noun phrase naming the customer ("busy parents", "churned accounts"), or the role
    noun for people named by what they do ("ops managers asked for it"), never a verb or a
    preposition with it ("give users", "to users").

    Linear in the text: the benefit words are searched once, and the sentence starts that
    `_opens_sentence` needs are found once, so one noun repeated a thousand times is judged as fast
    as any other message.
    """
    benefit = None
    starts: list[int] | None = None
    weak = None  # probably a verb or part of a longer word ("we host", "hosted"): used if none is better
    customers, askers, subjects, roles = C.prefilter()(norm)  # which of the patterns below can match at all
    for match in C.CUSTOMER.finditer(norm) if customers else ():
        if weak is not None and match.start() - weak.start() > C.WEAK_REACH:
            break
        if benefit is None:
            benefit = bool(C.BENEFIT.search(norm))
            starts = None if benefit else C.subject_starts(norm, _SUBJECT_BREAK)
        if starts is not None and match.start() - C.start_before(starts, match.start()) > C.LEAD_CHARS:
            continue  # too far into its sentence to be its subject: skipped before any other test
        if _is_label(norm, match):
            continue
        if benefit or _opens_sentence(norm, match.start(), starts):
            if not P.weak_match(norm, match.start(), match.end()):
                return _with_adjectives(norm, match)
            weak = weak or match
    if weak is not None:
        return P.weak_phrase(norm, weak.start(), weak.end())
    asker = C.ASKERS.search(norm) if askers else None
    if asker:
        return P.asker_phrase(norm, asker.start("who"), asker.end("who"))
    people = C.PEOPLE_SUBJECT.search(norm) if subjects else None
    if people and (people.group("who") or "") not in C.NOT_PEOPLE:
        group = "who" if people.group("who") else "who2"
        return P.subject_phrase(norm, people.start(group), people.end(group))
    # People the choice serves, named by role ("ops managers", "new hires", "travellers"). Each needs
    # a look at its context; a message naming more roles than any real one does (a noun pasted a
    # thousand times) is judged on its first ROLE_MATCHES.
    for n, match in enumerate(C.ROLE_PLURAL.finditer(norm) if roles else ()):
        if n == C.ROLE_MATCHES:
            break
        if match.group(0) in C.NOT_PEOPLE:
            continue
        if starts is None:
            starts = C.subject_starts(norm, _SUBJECT_BREAK)
        if _opens_sentence(norm, match.start(), starts):
            return _with_adjectives(norm, match)
        if benefit is None:  # only now: most messages name no role at all
            benefit = bool(C.BENEFIT.search(norm))
        if benefit and (
            C.SERVED_AFTER.match(norm, match.end())
            or C.SERVED_BEFORE.search(norm, max(0, match.start() - 40), match.start())
        ):
            return _with_adjectives(norm, match)
    return None


def _opens_sentence(norm: str, start: int, starts: list[int]) -> bool:
    """The words at `start` are the subject of their sentence ("Teachers at rural schools rely…").

    `starts` are where subjects can start (`customers.subject_starts`). A subject's lead ("Most of
    our new") is a few words, so a longer stretch since the sentence began is not one.
    """
    left = C.start_before(starts, start)
    return start - left <= C.LEAD_CHARS and bool(C.SUBJECT_LEAD.fullmatch(norm, left, start))


def _with_adjectives(norm: str, match: re.Match) -> str:
    """The customer a match names, as a clean noun phrase with the words that modify it."""
    return P.noun_phrase(norm, match.start(), match.end())


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


class PrincipleMatcher:
    """Finds the principles a text touches, from each principle's signals.

    All signals go into one Aho-Corasick automaton: a message is read once, whatever the number
    of principles and signals; a hit counts when it starts a word (and, without `*`, ends one).
    """

    def __init__(self, principles: Sequence[Principle]):
        self._order = {p.id: n for n, p in enumerate(principles)}
        self._entries: dict[str, list[tuple[str, bool]]] = {}
        for p in principles:
            for signal in p.signals:
                prefix = signal.endswith("*")
                stem = " ".join((signal[:-1] if prefix else signal).split())
                self._entries.setdefault(stem, []).append((p.id, prefix))
        self._automaton = ahocorasick.Automaton()
        for stem in self._entries:
            self._automaton.add_word(stem, stem)
        if self._entries:
            self._automaton.make_automaton()
        self._customer_id = principles[0].id if principles else None

    def match(self, norm: str, customer: bool = False) -> tuple[str, ...]:
        found: set[str] = set()
        if self._entries:
            for end, stem in self._automaton.iter(norm):
                start = end - len(stem) + 1
                if start > 0 and _is_word_char(norm[start - 1]):
                    continue
                ends_word = end + 1 >= len(norm) or not _is_word_char(norm[end + 1])
                for pid, prefix in self._entries[stem]:
                    if prefix or ends_word:
                        found.add(pid)
        if customer and self._customer_id:
            found.add(self._customer_id)
        # File order, so the customer principle (the first entry) always leads.
        return tuple(sorted(found, key=self._order.__getitem__))


@functools.lru_cache(maxsize=4)
def trigger_words(norm: str) -> frozenset[str]:
    """The trigger words of the three rule sets that occur in a normalised text (one pass, kept for
    the learned detector's reading of the same text)."""
    return R.words_in(norm, _TRIGGER_WORDS)


def classify(norm: str) -> tuple[Kind, str | None]:
    """The kind of a normalised message, by the rules' order (request, approval, decision), and for a
    decision or request the words that made it one (its "wording")."""
    return _reading(norm)[:2]


def phrases(norm: str) -> tuple[bool, bool]:
    """Whether a decision phrase, and an approval-request phrase, occur in a normalised text at all,
    counted or not (a feature of the learned detector). Classifying has mostly found out already."""
    _, _, request, decision = _reading(norm)
    if decision is None:
        decision = D.DECISION.search(norm, trigger_words(norm))
    return decision, request


@functools.lru_cache(maxsize=4)
def _reading(norm: str) -> tuple[Kind, str | None, bool, bool | None]:
    """classify's kind and wording; whether any request phrase occurs; and whether any decision
    phrase occurs in `norm` (None when classifying did not read them all)."""
    if not norm:
        return Kind.OTHER, None, False, False
    present = trigger_words(norm)
    request = False
    for pattern in R.APPROVAL_REQUEST.patterns(present):
        for match in pattern.finditer(norm):
            request = True
            if _approval_request_at(norm, match):
                return Kind.APPROVAL_REQUEST, _wording(match), True, None
    if _has_approval(norm, present):
        return Kind.APPROVAL, None, request, None
    if R.DECLINE.match(norm):
        return Kind.OTHER, None, request, None
    whole = True
    if norm.startswith("emoji_"):
        norm = D.LEADING_EMOJI.sub("", norm)
        present = R.words_in(norm, _TRIGGER_WORDS)
        whole = False
    decision = False
    for pattern in D.DECISION.patterns(present):
        for match in pattern.finditer(norm):
            decision = True
            if _decision_at(norm, match):
                return Kind.DECISION, _wording(match), request, True if whole else None
    return Kind.OTHER, None, request, decision if whole else None


def _wording(match: re.Match) -> str:
    return " ".join(match.group(0).split())[:80]


def detect(text: str, matcher: PrincipleMatcher | None = None) -> Verdict:
    """Judge one message."""
    norm = normalise(text)
    kind, wording = classify(norm)
    if kind not in (Kind.DECISION, Kind.APPROVAL_REQUEST):
        return Verdict(kind=kind, customer_rationale=None)
    customer = find_customer(norm)
    rationale = customer is not None
    principles = matcher.match(norm, customer=rationale) if matcher else ()
    return Verdict(
        kind=kind,
        customer_rationale=rationale,
        principles=principles,
        nudge=not rationale,
        customer=customer,
        wording=wording,
    )
