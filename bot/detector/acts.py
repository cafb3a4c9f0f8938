"""What each clause of a message does, by its structure rather than its topic words: the subject
of the clause (we, I, you, a third person, an imperative, "please", "let's", an inverted question
"should we"/"can you", a wh-question, a conditional) crossed with its verb group's tense or
modality (will, should, can, would, have + participle, is + participle, past, present…), with
negation, hedging ("I think …") and whether the clause is a question. Each act becomes a feature,
also marked for the first clause that has one and for the last: "we will" in the opening clause
commits the team, "should we" asks, "I merged" reports a done act.

Pure Python; a message is read once, clause by clause (at most `MAX_CLAUSES`).
"""

from __future__ import annotations

import re

MAX_CLAUSES = 12
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
# A clause ends at ; or :, at "but", and at a comma before a new subject ("…, we will").
_CLAUSE = re.compile(
    r"[;:]\s+|,\s+(?=(?:and |but |so |then )?(?:we|i|you|they|let's|lets|please|it)\b)|\s+but\s+"
    r"|\s+so\s+(?=(?:we|i|you|they|let's)\b)"
)
_CONTRACTIONS = {
    "we'll": ("we", "will"), "i'll": ("i", "will"), "you'll": ("you", "will"), "they'll": ("they", "will"),
    "it'll": ("it", "will"), "we're": ("we", "are"), "i'm": ("i", "am"), "you're": ("you", "are"),
    "they're": ("they", "are"), "it's": ("it", "is"), "that's": ("that", "is"), "we've": ("we", "have"),
    "i've": ("i", "have"), "you've": ("you", "have"), "they've": ("they", "have"), "we'd": ("we", "would"),
    "i'd": ("i", "would"), "you'd": ("you", "would"), "don't": ("do", "not"), "doesn't": ("does", "not"),
    "didn't": ("did", "not"), "won't": ("will", "not"), "can't": ("can", "not"), "cannot": ("can", "not"),
    "shouldn't": ("should", "not"), "wouldn't": ("would", "not"), "couldn't": ("could", "not"),
    "isn't": ("is", "not"), "aren't": ("are", "not"), "wasn't": ("was", "not"), "weren't": ("were", "not"),
    "haven't": ("have", "not"), "hasn't": ("has", "not"), "there's": ("there", "is"), "lets": ("let's",),
    "what's": ("what", "is"), "here's": ("here", "is"),
}
# Discourse words, greetings and placeholders that may open a clause before its subject.
_SKIP = frozenset({
    "ok", "okay", "so", "yes", "yeah", "yep", "well", "alright", "sure", "right", "hi", "hey", "hello", "also",
    "and", "but", "then", "now", "name", "oh", "ah", "hmm", "btw", "actually", "anyway", "fwiw", "cool", "great",
    "thanks", "however", "otherwise", "honestly", "personally", "basically", "finally", "today", "currently",
    "again", "just", "link", "+1", "-1",
})
_HEDGES = (("i", "think"), ("i", "guess"), ("i", "believe"), ("i", "suppose"), ("i", "feel"), ("imo",),
           ("imho",), ("probably",), ("maybe",), ("perhaps",))
_HEDGES_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {}
for _lead in _HEDGES:
    _HEDGES_BY_FIRST[_lead[0]] = (*_HEDGES_BY_FIRST.get(_lead[0], ()), _lead)
_SUBJECTS = {
    "we": "we", "us": "we", "i": "i", "you": "you", "they": "3p", "he": "3p", "she": "3p", "people": "3p",
    "folks": "3p", "users": "3p", "it": "it", "this": "it", "that": "it", "these": "it", "those": "it",
    "there": "there", "someone": "any", "anyone": "any", "somebody": "any", "anybody": "any",
    "everyone": "all", "everybody": "all", "nobody": "none",
}
_DETERMINERS = frozenset({"the", "a", "an", "our", "my", "your", "their", "its", "his", "her", "all", "some", "any",
                          "each", "every", "no"})
_MODALS = {"should": "should", "could": "could", "would": "would", "might": "may", "may": "may", "can": "can",
           "must": "must", "shall": "will", "will": "will", "gonna": "will"}
_BE = frozenset({"am", "is", "are", "was", "were", "be", "been"})
_HAVE = frozenset({"have", "has", "had"})
_DO = frozenset({"do", "does", "did"})
_AUX = frozenset(_MODALS) | _BE | _HAVE | _DO
_ADVERBS = frozenset({"really", "just", "already", "also", "probably", "definitely", "actually", "still", "all",
                      "both"})
_PARTICIPLES = frozenset({"done", "gone", "made", "taken", "chosen", "put", "set"})
_STATES = frozenset({"happy", "fine", "ok", "okay", "good", "glad", "in", "against", "for", "ready", "able",
                     "supportive", "open"})
_STANCE_VERBS = {"need": "need", "needs": "need", "want": "want", "wants": "want", "plan": "plan",
                 "intend": "intend", "prefer": "prefer", "agree": "agree", "propose": "propose",
                 "suggest": "suggest", "think": "think", "decided": "decided", "agreed": "agreed", "like": "like",
                 "vote": "vote", "support": "support", "merged": "merged", "closed": "closed",
                 "reverted": "reverted"}
_IMPERATIVES = frozenset({
    "merge", "close", "go", "add", "use", "make", "remove", "keep", "drop", "ship", "revert", "update", "move",
    "fix", "review", "approve", "take", "see", "check", "try", "feel", "put", "change", "rename", "do", "land",
    "push", "release", "deploy", "vote", "wait", "hold", "stop", "start", "mark", "note", "consider", "leave",
    "ignore", "let", "send", "file", "open", "reopen", "include", "skip", "tag", "backport", "rebase", "squash",
    "ping", "give", "pick", "bump", "delete", "disable", "enable", "continue", "proceed", "document", "run",
})
_WH = frozenset({"what", "how", "why", "when", "where", "who", "which"})
_CONDITIONS = frozenset({"if", "unless", "once", "when", "after", "before", "until", "since", "because", "as",
                         "while", "although", "though"})


class Words:
    """`re.compile(r"[a-z0-9_']+|[+\\-]1\\b|[MARKS]").findall`, several times faster on ASCII text
    without a vote ("+1", "-1"): there, every character but a word's and a mark becomes a space and
    each mark a word of its own, so splitting at spaces finds the same words (marks are one of
    "?!:/" each)."""

    def __init__(self, marks: str):
        self.marks = marks
        self.findall = re.compile(r"[a-z0-9_']+|[+\-]1\b|[" + re.escape(marks) + "]").findall
        kept = set("abcdefghijklmnopqrstuvwxyz0123456789_'" + marks)
        self._spaces = bytes(c if chr(c) in kept else 32 for c in range(256))
        self._apart = tuple((mark, f" {mark} ") for mark in marks)

    def __call__(self, text: str) -> list[str]:
        if not text.isascii() or "+1" in text or "-1" in text:
            return self.findall(text)
        text = text.encode().translate(self._spaces).decode()  # bytes.translate: one table look-up a byte
        for mark, apart in self._apart:
            if mark in text:
                text = text.replace(mark, apart)
        return text.split()


_words = Words("?")


def _tokens(clause: str) -> list[str]:
    found = _words(clause)
    if "'" not in clause and "cannot" not in clause and "lets" not in clause:
        return found  # no contraction to open: every other one has an apostrophe
    out: list[str] = []
    for t in found:
        out.extend(_CONTRACTIONS.get(t, (t,)))
    return out


def _verb_group(toks: list[str], j: int) -> tuple[str, bool]:
    """The tense or modality of the verb group at toks[j], and whether it is negated."""

    def at(k: int) -> str:
        return toks[k] if k < len(toks) else ""

    neg = False
    w = at(j)
    if w in _ADVERBS:
        j += 1
        w = at(j)
    if w in _MODALS:
        label = _MODALS[w]
        j += 1
        if at(j) == "not":
            neg, j = True, j + 1
        if label == "would" and at(j) in ("like", "prefer", "love"):
            label = "want"
        if at(j) == "be" and at(j + 1).endswith("ed"):
            label += "_pass"
        if at(j) == "have" and at(j + 1).endswith("ed"):
            label += "_perf"
        return label, neg
    if w in _BE:
        present = w in ("am", "is", "are")
        j += 1
        if at(j) == "not":
            neg, j = True, j + 1
        nxt = at(j)
        if nxt == "going" and at(j + 1) == "to":
            return "will", neg
        if nxt.endswith("ing"):
            return ("prog" if present else "pastprog"), neg
        if nxt.endswith("ed") or nxt in _PARTICIPLES:
            return ("pass" if present else "pastpass"), neg
        if nxt in _STATES:
            return "be_" + nxt, neg
        return ("be" if present else "was"), neg
    if w in _HAVE:
        j += 1
        if at(j) == "not":
            neg, j = True, j + 1
        nxt = at(j)
        if nxt == "to":
            return "oblige", neg
        if nxt == "been":
            return ("perf_pass" if at(j + 1).endswith("ed") else "perf"), neg
        if nxt.endswith("ed") or nxt in _PARTICIPLES:
            return "perf", neg
        return "have", neg
    if w in _DO:
        j += 1
        if at(j) == "not":
            neg = True
        return ("past" if w == "did" else "do"), neg
    if w in _STANCE_VERBS:
        return _STANCE_VERBS[w], neg
    if w.endswith("ed") and len(w) > 3:
        return "past", neg
    return ("pres" if w else "none"), neg


def clause_act(toks: list[str]) -> tuple[str, str, bool, bool, bool] | None:
    """(subject, verb label, negated, question, hedged) of one clause; None for an empty one."""
    n = len(toks)
    i = 0
    while i < n and toks[i] in _SKIP:
        i += 1
    hedge = False
    for lead in _HEDGES_BY_FIRST.get(toks[i], ()) if i < n else ():
        if tuple(toks[i : i + len(lead)]) == lead:
            hedge, i = True, i + len(lead)
            if i < n and toks[i] == "that":
                i += 1
            break
    if i >= n:
        return None
    w = toks[i]
    question = toks[-1] == "?"
    if w in _CONDITIONS:
        return "cond", (w if w in ("if", "unless", "once") else "when"), False, question, hedge
    if w == "please":
        return "please", "imp", False, question, hedge
    if w == "let's" or (w == "let" and i + 1 < n and toks[i + 1] == "us"):
        return "lets", "imp", i + 1 < n and toks[i + 1] == "not", question, hedge
    if w in _WH:
        return "wh", (w if w in ("why", "how") else "wh"), False, question, hedge
    if w in _AUX and i + 1 < n and (toks[i + 1] in _SUBJECTS or toks[i + 1] in _DETERMINERS or toks[i + 1] == "not"):
        k, neg = i + 1, False
        if toks[k] == "not":
            k, neg = k + 1, True
        subject = _SUBJECTS.get(toks[k] if k < n else "", "np")
        aux = _MODALS.get(w) or ("be" if w in _BE else "have" if w in _HAVE else "do")
        return "q_" + subject, aux, neg, True, hedge
    if w == "do" and i + 1 < n and toks[i + 1] == "not":
        return "imp", "dont", True, question, hedge
    if w in _IMPERATIVES and (i + 1 >= n or toks[i + 1] not in _AUX):
        return "imp", "imp", False, question, hedge
    if w in _SUBJECTS:
        subject, k = _SUBJECTS[w], i + 1
    elif w in _DETERMINERS:
        subject, k, m = "np", i + 1, 0
        while k < n and m < 3 and toks[k] not in _AUX and not (toks[k].endswith("ed") and m > 0):
            k, m = k + 1, m + 1
    else:
        if w.endswith("ed"):
            return "bare", "past", False, question, hedge
        if w.endswith("ing"):
            return "bare", "ing", False, question, hedge
        k = i + 1
        while k < n and k - i < 3 and toks[k] not in _AUX:
            k += 1
        if k >= n or toks[k] not in _AUX:
            return "bare", "frag", False, question, hedge
        subject = "bare"
    label, neg = _verb_group(toks, k)
    return subject, label, neg, question, hedge


def _clauses(norm: str, sentences: list[str] | None = None) -> list[str]:
    """The clauses of a message; `sentences`, when given, are its sentences that are not blank
    (the featuriser has split them already)."""
    out: list[str] = []
    if sentences is None:
        sentences = [s for s in _SENTENCE.split(norm[:8000]) if s.strip()]
    for sentence in sentences:
        if ";" in sentence or ":" in sentence or "," in sentence or "but" in sentence or "so" in sentence:
            clauses = _CLAUSE.split(sentence)
        else:
            clauses = [sentence]  # nothing a clause could end at
        for clause in clauses:
            if clause and clause.strip():
                out.append(clause)
                if len(out) >= MAX_CLAUSES:
                    return out
    return out


def clause_acts(norm: str, sentences: list[str] | None = None) -> list[tuple[str, str, bool, bool, bool]]:
    """The act of each clause of a normalised message that has one (see clause_act), in order."""
    return [a for a in map(clause_act, map(_tokens, _clauses(norm, sentences))) if a is not None]


def keys_of(act: tuple[str, str, bool, bool, bool], first: bool, last: bool) -> list[str]:
    """The features of one clause's act; `first`: the first clause with an act, `last`: the last one."""
    subject, label, neg, question, hedge = act
    base = f"{subject}:{label}"
    parts = [base, f"{base}:{'q' if question else 's'}", f"subj:{subject}", f"mod:{label}{':neg' if neg else ''}"]
    if neg:
        parts.append(base + ":neg")
    if hedge:
        parts.append(base + ":hedge")
    keys: list[str] = []
    for part in parts:
        keys.append("A:" + part)
        if first:
            keys.append("A0:" + part)
        elif last:
            keys.append("AL:" + part)
    return keys


def act_keys(norm: str) -> list[str]:
    """The act features of a normalised message (see the module docstring)."""
    found = clause_acts(norm)
    last = len(found) - 1
    return [key for n, act in enumerate(found) for key in keys_of(act, n == 0, n == last)]
