"""Classes of words that signal what a message does — assent, refusal, a request, a settled
choice, hedging — so the model learns from the act, not from a thread's topic words. Each class
becomes a feature, also marked by where it stands (a question or a statement, the first or the
last sentence); the model weighs them.

Phrases match whole words of normalised text (lower case; see bot/text.py); a trailing `*`
matches any ending ("approv*": approve, approved, approving). All phrases go into one
Aho-Corasick automaton, so a message is read once whatever the number of phrases.
"""

from __future__ import annotations

import re

import ahocorasick

CUES: dict[str, tuple[str, ...]] = {
    "assent": (
        "lgtm", "sgtm", "looks good", "looks great", "looks fine", "looks ok", "looks okay", "looks fantastic",
        "looks nice", "looks sane", "looks reasonable", "looks right", "look good", "look great", "well done",
        "great work", "nice work", "good work", "great job", "nice job", "good catch", "nice catch",
        "great idea", "good idea", "good call", "agree", "agreed", "makes sense", "no objection",
        "no objections", "not opposed", "fine by me", "fine with me", "ok by me", "ok with me", "okay with me",
        "ok for me", "works for me", "sounds good", "sounds great", "sounds fine", "sounds reasonable",
        "+1", "++", "emoji_thumbsup", "emoji_check", "support", "supportive", "in favor", "in favour",
        "approv*", "ship it", "shipit", "go ahead", "go for it", "happy with", "happy to", "i like",
        "love this", "love it", "yes please", "yes", "thumbs up", "r+", "r=", "/lgtm", "/approve",
        "sign off", "signed off", "sign-off", "signed-off", "no reason not", "won't block", "will not block",
        "don't mind", "do not mind", "fantastic", "awesome", "excellent", "nice", "great", "perfect",
        "congrats", "congratulations", "fine", "ack", "acked",
    ),
    "deny": (
        "-1", "-0", "veto*", "block", "blocking", "blocked", "blocker", "nak", "nack", "do not merge",
        "don't merge", "hold off", "not approv*", "object", "objection", "against", "emoji_cross",
        "declin*", "refus*", "deny", "denied", "won't accept", "not accept*", "not going to", "no plans",
        "not planning", "won't", "will not", "can't support", "cannot support", "not willing",
    ),
    "request": (
        "please merge", "please review", "please approve", "please vote", "please deploy", "please sign",
        "please land", "please cut", "please release", "please confirm", "please ack", "can we merge",
        "can i merge", "can you merge", "can someone merge", "can we get", "can i get", "can you approve",
        "can someone approve", "can we deploy", "can i deploy", "can we land", "can we release", "can we ship",
        "ok to merge", "okay to merge", "ok to deploy", "ok to ship", "ok to land", "ok to push",
        "ok to release", "ok to proceed", "ok to go", "any objections", "objections?", "mind if",
        "approval", "approvals", "vote", "votes", "voting", "ballot*", "lazy consensus", "unless someone",
        "unless anyone", "unless anybody", "unless there are", "unless we hear", "permission*", "access",
        "go-ahead", "go/no-go", "motion", "need review", "needs review", "need a review", "needs a review",
        "need approval", "needs approval", "need your approval", "need sign", "needs sign", "r?", "ptal",
        "finalize", "finalise", "second", "seconded", "let me know if", "are you ok", "are you okay",
        "are you fine", "are you happy", "are folks ok", "are people ok", "are we ok", "are we okay",
        "are we good", "is everyone ok", "is everyone okay", "is everyone fine", "is anyone against",
        "on board", "would you mind", "would anyone mind", "would anyone object", "request*", "merge?",
        "deploy?", "ship?",
    ),
    "decision": (
        "decided", "decide", "decision", "decisions", "agreed to", "we'll", "we will", "going to", "let's",
        "lets", "merged", "merge", "merging", "close", "closed", "closing", "won't fix", "wontfix",
        "will not fix", "revert", "reverted", "reverting", "postpon*", "from now on", "policy", "resolved",
        "resolve", "passed", "passes", "rejected", "adopted", "moving forward", "going forward", "is now",
        "will be", "deprecat*", "dropping", "removing", "switching", "we are going", "we are moving",
        "we are dropping", "we are removing", "we're going", "final", "done", "landed", "shipped",
        "released", "release", "conclu*", "consensus", "going ahead", "plan is", "the plan", "for now",
        "stale", "no longer", "instead", "outcome", "result", "carried", "approved by", "we don't",
        "we do not", "we won't",
    ),
    "hedge": (
        "i think", "maybe", "perhaps", "propos*", "suggest*", "should we", "could we", "would it", "what if",
        "consider*", "lean", "leaning", "wdyt", "thoughts", "might", "not sure", "i'd like", "probably",
        "wonder*", "if we", "idea", "could", "would", "should", "feel free", "i guess", "imo", "imho",
    ),
    "we": ("we", "our", "us", "we're", "we've", "ours"),
    "i": ("i", "i'm", "i've", "my", "i'll", "i'd", "me"),
    "you": ("you", "your", "you're", "you've", "yours"),
    "neg": ("not", "no", "never", "don't", "doesn't", "didn't", "isn't", "won't", "can't", "cannot",
            "shouldn't", "wouldn't", "aren't", "wasn't"),
    "thanks": ("thanks", "thank", "thx", "ty", "cheers"),
    "customer": (
        "customer*", "user", "users", "user's", "end user*", "end-user*", "client", "clients", "operators",
        "downstream", "community", "people", "developers", "consumers", "plugin authors", "maintainers",
        "folks", "everyone", "anyone", "subscribers", "buyers", "members", "admins", "newcomers",
        "beginners", "contributors",
    ),
    "benefit": (
        "so that", "so they", "help", "helps", "easier", "avoid*", "break", "breaks", "breaking", "breakage",
        "migrat*", "unblock*", "clarity", "clearer", "surpris*", "confus*", "benefit*", "backward*",
        "compat*", "free", "safer", "faster", "experience", "need", "want", "able to", "can", "time to",
        "upgrade*", "rely", "depend*", "expect*",
    ),
    "mention": ("[name]", "@someone", "@here", "@channel"),
    "link": ("[link]",),
}

_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
MAX_SENTENCES = 12


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _automaton() -> tuple[ahocorasick.Automaton, dict[str, list[tuple[str, bool]]]]:
    entries: dict[str, list[tuple[str, bool]]] = {}
    for name, phrases in CUES.items():
        for phrase in phrases:
            prefix = phrase.endswith("*")
            entries.setdefault(phrase.rstrip("*"), []).append((name, prefix))
    automaton = ahocorasick.Automaton()
    for stem in entries:
        automaton.add_word(stem, stem)
    automaton.make_automaton()
    return automaton, entries


_AUTOMATON, _ENTRIES = _automaton()


def cue_features(norm: str) -> set[str]:
    """The cue classes present, each also marked by where it is: in a question or a statement, in
    the first sentence, in the last."""
    ends = [m.end() for m in _SENTENCE_END.finditer(norm)]
    if not ends or ends[-1] < len(norm):
        ends.append(len(norm))
    last = min(len(ends), MAX_SENTENCES) - 1
    found: set[str] = set()
    sentence = 0
    for end, stem in _AUTOMATON.iter(norm):
        start = end - len(stem) + 1
        if start > 0 and _is_word_char(norm[start - 1]) and _is_word_char(stem[0]):
            continue
        ends_word = end + 1 >= len(norm) or not _is_word_char(norm[end + 1]) or not _is_word_char(stem[-1])
        while sentence < len(ends) - 1 and start >= ends[sentence]:
            sentence += 1
        if sentence > last:
            break
        question = norm[ends[sentence] - 1 : ends[sentence]] == "?"
        for name, prefix in _ENTRIES[stem]:
            if not (prefix or ends_word):
                continue
            found.add(name)
            found.add(name + (":q" if question else ":s"))
            if sentence == 0:
                found.add("first:" + name)
            if sentence == last:
                found.add("last:" + name)
    found.add(f"sentences:{min(len(ends), 6)}")
    return found
