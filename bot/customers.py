"""The words that name a customer, and the words that give a reason involving them.

Every pattern runs on normalised text (lower case, markup turned into words; see text.py).
"""

from __future__ import annotations

import bisect
import functools
import re
from itertools import pairwise
from re import _constants as sre_constants
from re import _parser as sre_parser  # the parser re itself compiles with

import ahocorasick


def _by_first_letter(pattern: str) -> str:
    r"""The same pattern, faster: `\b(?:users?|customers?|…)` searched by Python's re tries every
    alternative at every word boundary. Grouped by first letter (`c(?:ustomers?|…)|u(?:sers?|…)`)
    and opened with a letter lookahead, a boundary tries one group. Alternatives that do not start
    with a plain letter keep their place, so the first alternative that matches is still the same.
    """
    if not pattern.startswith(r"\b(?:"):
        raise ValueError(f"not a word alternation: {pattern[:20]!r}")
    depth, in_class, i, cuts = 0, False, 5, []
    while depth >= 0:
        c = pattern[i]
        if c == "\\":
            i += 1
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            cuts.append(i)
        i += 1
    bounds = [5, *(c + 1 for c in cuts), i]
    pieces: list[str] = []
    run: dict[str, list[str]] = {}
    for start, end in pairwise(bounds):
        alt = pattern[start : end - 1]
        if "a" <= alt[:1] <= "z" and alt[1:2] not in ("?", "*", "+", "{"):
            run.setdefault(alt[0], []).append(alt[1:])
            continue
        if not alt.startswith(("(?:", "[a-z]")) or not "a" <= alt.lstrip("(?:[")[:1] <= "z":
            raise ValueError(f"an alternative must start with a letter for the lookahead: {alt!r}")
        pieces += [f"{letter}(?:{'|'.join(rests)})" for letter, rests in run.items()]
        run = {}
        pieces.append(alt)
    pieces += [f"{letter}(?:{'|'.join(rests)})" for letter, rests in run.items()]
    return r"\b(?=[a-z])(?:" + "|".join(pieces) + ")" + pattern[i:]


CUSTOMER = re.compile(
    _by_first_letter(
        r"\b(?:customers?|customer's|customers'|users?|user's|users'|end[- ]users?|clients?|buyers?|shoppers?|"
        r"patients?|subscribers?|members?|merchants?|sellers?|guests?|visitors?|readers?|viewers?|listeners?|"
        r"players?|students?|learners?|parents?|teachers?|families|travell?ers|riders?|drivers?|hosts?|"
        r"tenants?|accounts|admins|prospects|signups|sign-ups|charities|nonprofits|non-profits|ngos|clerks|"
        r"cooks|chefs|crews|reps|techs|sres|devs|new hires|hires|pharmacists|dispatchers|(?:business|shop|store|restaurant|property|home|"
        r"pet|car) owners|developers (?:using|integrating|building|who)|devs using|integrators|partners|"
        r"callers|residents|citizens|donors|volunteers|fans|creators|advertisers|publishers|agents|"
        r"employees who use|segments?|cohorts?|personas?|audience|"
        r"(?:firms|companies|teams|agencies|businesses|organi[sz]ations|orgs|shops|stores|restaurants|"
        r"clinics|hospitals|schools) (?:that|who) (?:use|integrate|rely|depend|run|pay|buy)|"
        r"people (?:who|that|using|on|with|signing|upgrading|running|at|in|from|kept|keep|keeps|were|are|have|had|"
        r"asked|told|said)|they(?:'re| are) (?:a|an|our) (?:[\w-]+ ){0,2}(?:chain|clinic|client|customer|account|partner|"
        r"company|business|group|school|district|hospital|nonprofit|charity|reseller|agency|retailer|restaurant|"
        r"store|shop|bank|firm|startup|enterprise)|(?:a lot of|many|most|lots of|plenty of) "
        r"people|(?:a lot|many|most|some|half|all) of them\b|they (?:told us|asked|keep asking|kept asking|complained|"
        r"were telling)|folks (?:who|that|using|on|with|running)|"
        r"anyone (?:who|using|on|running|upgrading)|(?:those|teams|everyone) (?:running|using|upgrading|on)|"
        r"community|contributors|downstream(?: users| projects| packagers| distros)?|distros|distributions|"
        r"plugin authors|extension authors|app developers|third-party developers|library users|api consumers|"
        r"consumers|operators|cluster admins|maintainers of|newcomers|first-time|beginners|"
        r"nps|csat|churn\w*|support tickets?|tickets from|cx|accessibility|a11y|screen readers?|"
        r"(?:volume|calls|complaints|requests|escalations|tickets|chats) from (?:the |our )?|on (?:the|our) waitlist|"
        r"their (?:[\w-]+ ){0,2}(?:team|crew|staff|folks|people|users|customers|clinic|clinics|stores|shops|members|"
        r"drivers|nurses|teachers|students|patients|leads|regulars|gps|doctors|admins|managers|planners|pickers)\b|"
        r"regulars|(?:buying|ordering|paying|booking|renting) (?:from|with|through) us|(?:who|that) (?:buy|order|pay) "
        r"(?:from|us)|[a-z]+'s (?:[\w-]+ ){0,2}(?:[a-z]{3,}(?:ers|ors|ists|ants|ents|ees)|staff|crew|folks)\b|"
        r"[a-z]+s we lost|(?:crew|team|staff|folks|people) (?:at|in|from|on) the\b|broke (?:[\w-]+ ){0,4}for (?:a|an|the|"
        r"our|some|many) [\w-]+|"
        r"focus groups?|user research|usability (?:tests?|testing|study|sessions?)|user testing|surveys?|"
        r"feedback from|beta testers|early adopters|in the field|in the wild|"
        r"so (?:that )?(?:they|people|you|folks|everyone|anyone|nobody|no one) (?:can|can't|don't|won't|no longer|"
        r"will|get|have|stop|never|aren't|are not)|"
        r"our (?:enterprise|smb|pro|free|paying|biggest|largest|top)\b)"
    )
)
# "<some people> asked for / told us / keep asking": whoever asks is the customer of the choice.
ASKERS = re.compile(
    r"\b(?P<who>[a-z]+s (?:[\w']+ ){0,3}?)(?:have |had |all |kept |keep |literally )?(?:asked for|asking for|requested|"
    r"told us|keep asking|kept asking|kept telling|keep telling|complained|listed it|were bailing|are bailing|said|"
    r"kept writing in|keep writing in|wrote in|write in)\b"
)
# Before a people noun that is the subject of its sentence: "Most of our", "Eight of the ten", "Low-vision".
SUBJECT_LEAD = re.compile(
    r"\W*(?:(?:a |one |two )?(?:most|many|some|all|half|a lot|lots|plenty|several|few|none|\w+) of "
    r"(?:the |our |their |those |these )?"
    r"(?:\w+ )?)?(?:the |our |their |those |these |new |existing |older |younger |small |smaller |larger |bigger )?"
    r"(?:[\w-]+ ){0,2}"
)
# People named by what they do, as the subject of what follows: "home cooks who arrive from search",
# "the returns clerks push 600 parcels a day", "the AP team works the close across three timezones".
PEOPLE_SUBJECT = re.compile(
    r"\b(?P<who>[a-z]{3,}s) (?:who|that) (?!is\b|was\b)\w+|"
    r"\b(?P<who2>(?!the |our |my |a |whole |entire |half |this |that )[a-z]+ team) (?:works|uses|runs|relies|needs|"
    r"wants|asked|spends|was|is) \b"
)
# A customer noun used as a label for a thing the team handles, not the people themselves.
CUSTOMER_AS_LABEL = re.compile(
    r"\b(?:customer|client|user|partner|member) (?:call|calls|meeting|meetings|sync|demo|db|database|"
    r"table|tables|id|ids|record|records|portal|list|service|api|model|schema|export|import|data|"
    r"success team|support team|team|stories|story|research|interviews?|council|conference|event|offsite|"
    r"dinner|summit|name|names|field|fields|object|objects|migration|provisioning|onboarding call|"
    r"library|side|sdk|app|code|certificate|secret|cert|success|advisory|facing|-facing|experience team|"
    r"care team|support)\b|\bcustomer-facing\b|\bchurn (?:model|rate|dashboard|report|analysis|numbers)\b"
)
# Plural nouns that usually name people by what they do.
ROLE_PLURAL = re.compile(
    _by_first_letter(
        r"\b(?:[a-z]{3,}(?:ers|ors|ists|ians|ees|ants|ents)|people|folks|staff|employees|colleagues|teammates|"
        r"newcomers|beginners|newbies|everyone who|anyone who|teams that|teams who|kids|adults|seniors|"
        r"women|men|humans|households|homeowners|renters|owners|nurses|doctors|clinicians|lawyers)\b"
    )
)
NOT_PEOPLE = frozenset(
    """servers containers headers footers layers filters parameters orders numbers letters papers others
    matters chapters clusters buffers routers markers triggers answers offers registers computers
    errors vendors competitors investors auditors regulators folders borders covers corners powers hours
    characters barriers centers centres counters trackers checkers loaders builders handlers
    controllers adapters connectors selectors iterators processors monitors sensors vectors
    factors actors indicators generators compilers debuggers linters runners schedulers brokers
    producers parsers encoders decoders wrappers helpers mappers reducers
    documents events payments components environments requirements incidents deployments comments
    elements experiments arguments statements settlements amounts contents moments agreements
    departments governments improvements investments measurements assignments attachments fragments
    instruments movements shipments treatments adjustments enhancements replacements commitments
    variants constants grants plants descendants accelerators owners members' others' teammates
    colleagues""".split()
)


# Around a role noun: the people act, want, struggle ("nurses can't…") or are helped ("so nurses…").
SERVED_AFTER = re.compile(
    r" (?:\w+ ){0,2}?(?:can't|cannot|can|could|keep|kept|want|wanted|need|needed|asked|ask|are|were|have|had|"
    r"don't|didn't|won't|will|would|get|got|hit|see|saw|told|complain\w*|struggl\w*|love|hate|prefer|"
    r"expect|rely|use|using|who|that|on|in|with|say|said|report\w*|lose|lost|miss|missed|spend|spent)\b"
)
SERVED_BEFORE = re.compile(
    r"(?:for|so|help|helps|helping|let|lets|give|gives|giving|saves|save|protect|protects|serve|serves|"
    r"because|since|as) (?:the |our |all |new |existing |most |many |some |those )?(?:[\w-]+ )?$"
)


# "the desktop client", "a web client": software, not a customer.
SOFTWARE_BEFORE = re.compile(r"(?:desktop|mobile|web|api|native|ios|android|http|email|cli|thin|rich|java) $")


BENEFIT = re.compile(
    _by_first_letter(
        r"\b(?:because|bc|since|as|so|so that|so they|to help|helps?|helping|for|given|based on|after|"
        r"asked|asking|ask|requested|requesting|request|requests|complain\w*|keep|keeps|kept|want|wants|"
        r"wanted|need|needs|needed|struggl\w*|confus\w*|frustrat\w*|annoy\w*|easier|faster|quicker|simpler|"
        r"cheaper|safer|clearer|can't|cannot|unable|pain|painful|love|loved|prefer\w*|expect\w*|benefit\w*|"
        r"save|saves|saving|improv\w*|reduc\w*|fewer|less|better|happier|drop[- ]off|abandon\w*|churn\w*|"
        r"lose|losing|lost|stuck|hit|hitting|hurt\w*|affect\w*|impact\w*|blocked|blocking|waiting|wait|"
        r"feedback|told us|tell us|report\w*|survey\w*|interview\w*|research|data shows|on behalf of|"
        r"protect\w*|privacy|trust|delight\w*|experience|accessible|usable|value|get their|get to|"
        r"fix|fixes|fixing|break|breaks|broke|breaking|seeing|getting|experiencing|running into|"
        r"breaking|backwards?[- ]compat\w*|compatib\w*|upgrade path|migration path|friction|onboard\w*|discover\w*|adopt\w*|usability|ux|shouldn't|should not|understand|must-have|must have|bailing|surprise)\b"
    )
)


def subject_starts(norm: str, breaks: str) -> list[int]:
    """Where each subject can start: after every character of `breaks` and every emoji or symbol (U+2000 on)."""
    return [m.end() for m in _breaks(breaks).finditer(norm)]


@functools.cache
def _breaks(breaks: str) -> re.Pattern:
    return re.compile(f"[{re.escape(breaks)}\\u2000-\\U0010ffff]")


def start_before(starts: list[int], pos: int) -> int:
    """The last of `starts` (sorted) at or before `pos`, or 0."""
    i = bisect.bisect_right(starts, pos)
    return starts[i - 1] if i else 0


# A subject's lead ("Two thirds of the app developers") is a few words; the longest in the labelled sets is 34
# characters. Past this many characters from its sentence's start, a noun is no subject.
LEAD_CHARS = 160
# How far past a weak match (see weak_match) a better one is looked for.
WEAK_REACH = 400
# Role nouns ("managers", "nurses") looked at per message: the labelled messages have at most a handful, a page
# of prose a few dozen.
ROLE_MATCHES = 200


# -- which patterns can match at all --------------------------------------------------------------
# The big patterns above are tried at every word of a message, yet most messages name nobody. Each
# match of a pattern contains one of a few literal strings its parse tree requires (a word, a
# word's start, a phrase); one Aho-Corasick pass finds which of those occur, and a pattern none of
# whose strings occurs is not run. Nothing else changes: a pattern that can match is run as before.

_JOINED = 64  # the most strings a run of literals and alternatives is expanded into
_LITERAL, _BRANCH, _SUBPATTERN = sre_constants.LITERAL, sre_constants.BRANCH, sre_constants.SUBPATTERN
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _branches(op, av) -> list:
    """The sequences an alternation or a group is made of (one for a group)."""
    return list(av[1]) if op is _BRANCH else [av[3]]


def _starts(items: list) -> set[str] | None:
    """The literal strings one of which every match of the parsed sequence `items` starts with."""
    found = {""}
    for op, av in items:
        if op is _LITERAL:
            found = {s + chr(av) for s in found}
            continue
        if (op is not _BRANCH and op is not _SUBPATTERN) or (op is _SUBPATTERN and av[1] & re.IGNORECASE):
            break  # anything else (a class, a repeat, a boundary) ends what is known
        starts = [_starts(list(b)) for b in _branches(op, av)]
        if None in starts or len(found) * sum(map(len, starts)) > _JOINED:
            break
        found = {s + t for s in found for start in starts for t in start}
        if not all(_literal(list(b)) for b in _branches(op, av)):
            return found  # a branch may go on past its start: nothing after it is known
    return found if found != {""} else None


def _literal(items: list) -> bool:
    """The sequence matches only literal strings (each of its alternatives fully literal)."""
    return all(op is _LITERAL or ((op is _BRANCH or op is _SUBPATTERN) and all(
        _literal(list(b)) for b in _branches(op, av))) for op, av in items)


def _required(items: list) -> set[str] | None:
    """Literal strings one of which every match of the parsed sequence contains (the most telling
    such set found), or None."""
    choices = []
    for i, (op, av) in enumerate(items):
        if (starts := _starts(items[i:])) is not None:
            choices.append(starts)  # what the rest of the sequence starts with
        if op is _BRANCH or (op is _SUBPATTERN and not av[1] & re.IGNORECASE):
            inner = _branches(op, av)  # each alternative requires its own
        elif op in _REPEATS and av[0] >= 1:
            inner = [av[2]]  # what is repeated at least once
        else:
            continue
        found = [_required(list(b)) for b in inner]
        if None not in found:
            choices.append(set().union(*found))
    return max(choices, key=lambda s: (min(map(len, s)), -len(s)), default=None)


class Prefilter:
    """Which of some patterns can match a text, from one pass over it."""

    def __init__(self, *patterns: re.Pattern):
        self.always = 0  # the patterns without literals to look for
        bits: dict[str, int] = {}
        for n, pattern in enumerate(patterns):
            parsed = sre_parser.parse(pattern.pattern, pattern.flags)
            found = None if parsed.state.flags & re.IGNORECASE else _required(list(parsed))
            if not found:
                self.always |= 1 << n
            for literal in found or ():
                bits[literal] = bits.get(literal, 0) | 1 << n
        self.count = len(patterns)
        self._automaton = ahocorasick.Automaton()
        for literal, mask in bits.items():
            self._automaton.add_word(literal, mask)
        if bits:
            self._automaton.make_automaton()

    def __call__(self, text: str) -> tuple[bool, ...]:
        """For each pattern, False when it cannot match `text`."""
        mask = self.always
        if len(self._automaton):
            for _, bits in self._automaton.iter(text):
                mask |= bits
        return tuple(bool(mask >> n & 1) for n in range(self.count))


@functools.cache
def prefilter() -> Prefilter:
    """Whether CUSTOMER, ASKERS, PEOPLE_SUBJECT and ROLE_PLURAL can match (made when first used)."""
    return Prefilter(CUSTOMER, ASKERS, PEOPLE_SUBJECT, ROLE_PLURAL)
