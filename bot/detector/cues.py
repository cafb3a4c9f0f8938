"""Classes of words that signal what a message does — assent, refusal, a request, a settled
choice, an act done or promised, a vote, a review command, hedging — so the model learns from the
act, not from a thread's topic words. Each class becomes a feature, also marked by where it stands
(a question or a statement, the first or the last sentence, the start of a sentence), and each pair
of classes met in one sentence is one more ("neg" with "assent": a refusal); the model weighs them.

Phrases match whole words of normalised text (lower case; see bot/text.py); a trailing `*`
matches any ending ("approv*": approve, approved, approving). All phrases go into one
Aho-Corasick automaton, so a message is read once whatever the number of phrases.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
    "done_act": (  # an act reported as done, first person or passive
        "i merged", "i've merged", "i have merged", "we merged", "we've merged", "i closed", "i've closed",
        "i have closed", "i reverted", "i've reverted", "i pushed", "i've pushed", "i landed", "i've landed",
        "i've applied", "i applied", "i committed", "i've committed", "i've released", "i released",
        "i've tagged", "i tagged", "i've removed", "i removed", "i've disabled", "i've enabled",
        "has been merged", "have been merged", "was merged", "been merged", "has been closed", "was closed",
        "has been reverted", "was reverted", "has been released", "was released", "has been removed",
        "has been approved", "was approved", "were approved", "has been accepted", "was accepted",
        "has been rejected", "was rejected", "has been adopted", "was adopted", "has passed", "has been decided",
        "was decided", "it was agreed", "was agreed", "has been agreed", "were agreed", "is now closed",
        "now merged", "now closed", "pushed to", "merged into", "merged to", "landed in", "applied to",
        "backported", "cherry-picked", "rolled back",
    ),
    "settled": (  # a choice stated as made
        "we decided", "we've decided", "we have decided", "i've decided", "i have decided", "i decided",
        "we agreed", "we've agreed", "we have agreed", "we all agreed", "the decision is", "the decision was",
        "decision:", "decided:", "resolution:", "resolved:", "agreed:", "action:", "outcome:", "conclusion:",
        "we concluded", "we'll go with", "we will go with", "going with", "we're going with", "let's go with",
        "let's do", "let's keep", "let's drop", "let's remove", "let's close", "let's merge", "let's not",
        "we settled", "settled on", "we chose", "we picked", "we opted", "opted for", "we're dropping",
        "we are dropping", "we'll drop", "we will drop", "we'll remove", "we will remove", "we'll keep",
        "we will keep", "we won't", "we will not", "we're not going to", "we are not going to",
        "no longer support*", "will no longer", "starting with", "effective immediately", "as of today",
        "from now on", "going forward", "henceforth", "the plan is", "the consensus is", "consensus was",
    ),
    "will_act": (  # a first-person commitment to act
        "i'll merge", "i will merge", "i'm merging", "i am merging", "merging this", "merging now",
        "i'll close", "i will close", "i'm closing", "i am closing", "closing this", "closing as",
        "closing in favor", "closing in favour", "closing for now", "i'll revert", "i will revert",
        "i'm reverting", "reverting this", "i'll land", "i'm landing", "landing this", "i'll push",
        "i'll release", "i'm going to merge", "i'm going to close", "i'm going to revert", "going to merge",
        "going to close", "going to revert", "will merge", "will close", "will revert", "will be merged",
        "will be closed", "will be removed", "will be reverted", "will be released", "will be dropped",
        "will be deprecated", "i'll go ahead", "i'm going ahead", "going ahead and", "i'll take care",
    ),
    "future": ("we'll", "we will", "i'll", "i will", "going to", "gonna", "will be", "shall", "we're going",
               "we are going", "plan to", "planning to", "intend to"),
    "past": ("was", "were", "had", "did", "has been", "have been", "yesterday", "last week", "earlier", "already",
             "ago"),
    "vote": ("+1", "-1", "+0", "-0", "+0.5", "-0.5", "+1 binding", "(binding)", "binding", "non-binding",
             "nonbinding", "my vote", "i vote", "vote:", "votes:", "voting +1", "vote +1", "vote -1", "abstain*"),
    "review_cmd": ("/lgtm", "/approve", "/hold", "/close", "/reopen", "/retest", "/ok-to-test", "/merge",
                   "/assign", "/cc", "/lgtm cancel", "r+", "r=", "r-", "bors r+", "bors r-", "bors try",
                   "bors merge", "@bors", "/remove-lgtm", "/unhold"),
    "neg_assent": ("not lgtm", "not ok", "not okay", "not fine", "not happy", "not comfortable", "don't agree",
                   "do not agree", "disagree", "not convinced", "not in favor", "not in favour", "not a fan",
                   "don't like", "do not like", "doesn't look", "not good", "not ready", "not yet",
                   "not sure about", "i'm against", "i am against", "strongly against", "not support*",
                   "don't support", "do not support", "don't think we should", "don't think this",
                   "would rather not", "rather not", "prefer not", "i object", "i'd object"),
    "outcome": ("passed", "carried", "adopted", "accepted", "unanimous*", "the vote", "vote passed",
                "vote passes", "vote failed", "vote fails", "results", "tally", "in favor", "in favour",
                "approved", "rejected", "declined", "motion", "resolution", "resolved"),
    "ask_opinion": ("thoughts?", "any thoughts", "what do you think", "what do people think", "wdyt", "opinions",
                    "opinion?", "feedback", "comments?", "ideas?", "any ideas", "does anyone", "has anyone",
                    "is there a way", "how do", "how can", "how does", "why does", "why is", "what is",
                    "is it possible", "would it be possible", "any chance", "any update", "any news"),
    "ask_perm": ("can we", "can i", "could we", "could i", "may i", "may we", "shall we", "shall i",
                 "is it ok", "is it okay", "is it fine", "would it be ok", "would it be okay", "do we want",
                 "are we ok", "are we okay", "are we fine", "is this ok", "is this okay", "is that ok",
                 "is that okay", "ok if", "okay if", "alright if", "fine if", "do you mind", "does anyone mind",
                 "any objection", "objections", "anyone object", "anybody object", "speak up", "shout",
                 "let me know", "please let", "please", "would you", "could you", "can you", "can someone",
                 "could someone", "would someone"),
    "status": ("working on", "in progress", "wip", "still", "pending", "waiting", "blocked on", "todo",
               "to do", "look into", "looking into", "investigat*", "will look", "will check", "not sure",
               "i see", "seems", "it looks like", "apparently", "currently", "at the moment", "right now",
               "reproduc*", "error", "fails", "failing", "crash*", "bug", "issue"),
    "oblige": ("need to", "needs to", "must", "have to", "has to", "required", "requires", "should be",
               "ought to", "mandatory"),
    "cond": ("if", "unless", "once", "as long as", "provided", "assuming", "until", "after", "when", "before"),
    "deadline": ("today", "tomorrow", "tonight", "this week", "next week", "end of day", "eod", "eow",
                 "by monday", "by tuesday", "by wednesday", "by thursday", "by friday", "hours", "72 hours",
                 "days", "deadline", "asap", "soon"),
    "authority": ("maintainer", "maintainers", "committer*", "pmc", "board", "tsc", "core team", "steering",
                  "council", "release team", "release manager", "owner", "owners", "lead", "leads",
                  "reviewer", "reviewers", "admin", "admins", "chair", "manager", "management"),
    "greet": ("hi", "hello", "hey", "dear", "folks", "all,", "everyone,", "team,", "good morning"),
    "apology": ("sorry", "apolog*", "my bad", "oops"),
    "laugh": ("lol", "haha", "heh", ":)", ":d", ";)", ":-)", "xd", "emoji_"),
    "mention": ("[name]", "@someone", "@here", "@channel"),
    "link": ("[link]",),
}

_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
MAX_SENTENCES = 12
_LEADING = " \t\n\"'(-*"  # what may stand before a sentence's first word


NAMES = tuple(sorted(CUES))  # a class is a bit of a mask, in this order: pairs are named in it too


def _bits(mask: int) -> list[int]:
    """The classes (indices into NAMES) set in a mask, in order."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


def _automaton() -> tuple[ahocorasick.Automaton, dict[str, tuple[int, int]]]:
    """The automaton of every stem, and for each stem (the classes it signals when the word ends
    there, the classes it signals whatever follows: its `*` phrases), as bit masks. The automaton
    gives each stem as (its length less one, whether it starts and whether it ends with a word
    character, then those two masks), so reading a match needs no look-up."""
    whole: dict[str, int] = {}
    prefix: dict[str, int] = {}
    for bit, name in enumerate(NAMES):
        for phrase in CUES[name]:
            table = prefix if phrase.endswith("*") else whole
            stem = phrase.rstrip("*")
            table[stem] = table.get(stem, 0) | 1 << bit
    automaton = ahocorasick.Automaton()
    entries = {}
    for stem in whole.keys() | prefix.keys():
        always = prefix.get(stem, 0)
        entries[stem] = (always | whole.get(stem, 0), always)
        automaton.add_word(stem, (len(stem) - 1, _word_char(stem[0]), _word_char(stem[-1]), *entries[stem]))
    automaton.make_automaton()
    return automaton, entries


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


_AUTOMATON, _ENTRIES = _automaton()


def _read(norm: str) -> tuple[list[int], int, list[int], int]:
    """(the classes of each sentence, the classes met at a sentence's start, where each sentence
    ends, the number of the last sentence read), classes as bit masks."""
    size = len(norm)
    if "\n" in norm or "." in norm or "!" in norm or "?" in norm:
        ends = [m.end() for m in _SENTENCE_END.finditer(norm)]
        if not ends or ends[-1] < size:
            ends.append(size)
    else:
        ends = [size]  # one sentence: nothing can end one before the text does
    count = len(ends)
    last = min(count, MAX_SENTENCES) - 1
    sentence = 0
    together = [0]
    starts = 0
    for end, (span, word_start, word_end, whole, always) in _AUTOMATON.iter(norm):
        start = end - span
        if start > 0 and word_start and ((c := norm[start - 1]).isalnum() or c == "_"):
            continue  # inside a word
        while sentence < count - 1 and start >= ends[sentence]:
            sentence += 1
            together.append(0)
        if sentence > last:
            break
        if end + 1 >= size or not word_end or not ((c := norm[end + 1]).isalnum() or c == "_"):
            mask = whole  # the word ends with the stem
        elif not always:
            continue
        else:
            mask = always
        together[-1] |= mask
        begins = ends[sentence - 1] if sentence else 0
        if start - begins < 4 and not norm[begins:start].strip(_LEADING):
            starts |= mask
    return together, starts, ends, last


def _mark(norm: str, ends: list[int], number: int) -> int:
    """1 for a question, 0 for a statement."""
    return int(norm[ends[number] - 1 : ends[number]] == "?")


def cue_features(norm: str) -> set[str]:
    """The cue classes present, each also marked by where it is: in a question or a statement, in
    the first sentence, in the last, at the start of a sentence; and each pair of classes that meet
    in one sentence ("neg" with "assent", "we" with "settled")."""
    together, starts, ends, last = _read(norm)
    found = {"start:" + NAMES[i] for i in _bits(starts)}
    for number, mask in enumerate(together):
        if not mask:
            continue
        mark = (":s", ":q")[_mark(norm, ends, number)]
        names = [NAMES[i] for i in _bits(mask)]
        for i, a in enumerate(names):
            found.add(a)
            found.add(a + mark)
            for b in names[i + 1 :]:
                found.add("pair:" + a + "+" + b)
        if number == 0:
            found.update("first:" + name for name in names)
        if number == last:
            found.update("last:" + name for name in names)
    found.add(f"sentences:{min(len(ends), 6)}")
    return found


class Columns:
    """cue_features as columns of a hashed vector, from tables made once: `column` maps a feature's
    name to its column. Features whose names share a column count once."""

    def __init__(self, column: Callable[[str], int]):
        self.plain = [column(a) for a in NAMES]
        self.marked = [[column(a + ":s") for a in NAMES], [column(a + ":q") for a in NAMES]]
        self.first = [column("first:" + a) for a in NAMES]
        self.last = [column("last:" + a) for a in NAMES]
        self.start = [column("start:" + a) for a in NAMES]
        self.pairs = [[column(f"pair:{a}+{b}") for b in NAMES] for a in NAMES]
        self.sentences = [column(f"sentences:{n}") for n in range(7)]
        self._known: dict[int, tuple[int, ...]] = {}

    def __call__(self, norm: str) -> set[int]:
        together, starts, ends, last = _read(norm)
        # The same few masks come up again and again, so the columns of each (a sentence's classes,
        # in a question or not; the first's, the last's, those at a sentence's start) are kept, in
        # the order they are added: the set is built in the same order, so it iterates the same.
        found = set(self._cached(self._start_of, starts, 4))
        found.add(self.sentences[min(len(ends), 6)])
        for number, mask in enumerate(together):
            if not mask:
                continue
            found.update(self._cached(self._sentence_of, mask, _mark(norm, ends, number)))
            if number == 0:
                found.update(self._cached(self._first_of, mask, 2))
            if number == last:
                found.update(self._cached(self._last_of, mask, 3))
        return found

    def _cached(self, make: Callable[[int, int], tuple[int, ...]], mask: int, kind: int) -> tuple[int, ...]:
        key = mask << 3 | kind  # kind: 0 or 1 a sentence's (statement, question), 2 first, 3 last, 4 start
        found = self._known.get(key)
        if found is None:
            if len(self._known) >= _KNOWN_MASKS:
                self._known.clear()
            found = self._known[key] = make(mask, kind)
        return found

    def _start_of(self, mask: int, _: int) -> tuple[int, ...]:
        return tuple(self.start[i] for i in _bits(mask))

    def _first_of(self, mask: int, _: int) -> tuple[int, ...]:
        return tuple(self.first[i] for i in _bits(mask))

    def _last_of(self, mask: int, _: int) -> tuple[int, ...]:
        return tuple(self.last[i] for i in _bits(mask))

    def _sentence_of(self, mask: int, question: int) -> tuple[int, ...]:
        """Each class, itself and in a question or a statement, then its pairs with the later ones."""
        marked, bits, found = self.marked[question], _bits(mask), []
        for n, i in enumerate(bits):
            found += (self.plain[i], marked[i], *(self.pairs[i][j] for j in bits[n + 1 :]))
        return tuple(found)


_KNOWN_MASKS = 4_096  # distinct (mask, use) pairs whose columns are kept; the table starts afresh past this
