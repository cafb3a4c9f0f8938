"""Reading approval threads: whom a request asks, whether a reply hands it on or asks again, and
whether what it asks for is a two-way door (reversible and low-risk). Pure functions; no I/O.

Approvers are read from the raw text: Slack mentions (`<@U1>`) and user groups
(`<!subteam^S1|@legal>`), Teams mentions (`<at>Name</at>`), typed handles (`@bob`), and teams
named where an approver stands ("sign-off from legal and finance", "security review",
"legal, can you…"). A team word elsewhere ("the finance dashboard") names nobody.
"""

from __future__ import annotations

import re

from bot import rules as R
from bot.actions import Approver
from bot.text import normalise, plain

TEAMS = (
    "legal", "finance", "security", "infosec", "compliance", "procurement", "purchasing", "privacy", "hr",
    "accounting", "payroll", "tax", "audit", "risk", "design", "brand", "comms", "marketing", "product",
    "sre", "ops", "qa", "architecture", "leadership", "cfo", "cto", "ceo", "cab",
)
_TEAM_WORD = "|".join(TEAMS)
_SLACK_USER = re.compile(r"<@([^>|\s]+)(?:\|([^>]*))?>")
_SLACK_GROUP = re.compile(r"<!subteam\^([^>|\s]+)(?:\|@?([^>]*))?>")
_TEAMS_AT = re.compile(r"<at\b[^>]*>(.*?)</at\s*>", re.S | re.I)
_HANDLE = re.compile(r"(?<![\w.@])@([a-z0-9][\w.\-]*[a-z0-9]|[a-z0-9])")
_NOT_PEOPLE = {"here", "channel", "everyone", "someone"}

# "legal", "the security team", "the platform team", "legal's"
_ITEM = re.compile(
    rf"\b(?:the\s+)?(?:(?P<word>{_TEAM_WORD})(?:\s+(?:team|folks|people))?|(?P<named>[a-z][a-z-]+)\s+team)"
    rf"(?:'s)?(?![\w-])"
)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\b)?|and\b|&|\+|/)\s*")
_BEFORE = re.compile(
    r"(?:\bfrom|\bby|\bwith|\bloop(?:ing|ed)?\s+in|\bping(?:ing)?|\bask(?:ing)?|\bneeds?|\bneeding|\bget(?:ting)?|"
    r"\binvolve|\binclude|\bthrough|\bpast|\bwaiting\s+(?:on|for)|\b(?:rope|roping|pull|pulling|bring|bringing)\s+in|"
    r"\badd(?:ing)?|\bcc:?|\b(?:hand\w*|pass\w*|escalat\w*|send\w*|sent|forward\w*|defer\w*|kick\w*|rout\w*|"
    r"over)\s+(?:(?:this|it|that)\s+)?(?:(?:on|over|up|along)\s+)?to)\s*$"
)
_AFTER = re.compile(
    r"^\s*(?:'s\s+)?(?:(?:final|formal|official)\s+)?(?:approvals?|sign[- ]?offs?|signoffs?|reviews?|ok\b|okay|"
    r"go[- ]ahead|blessing|green[- ]?light|\+1|lgtm|input|stamp|buy[- ]in)|"
    r"^\s*(?:(?:also|still)\s+)?(?:(?:needs?|has|have|must|should|will|would|can|could|may|to)\s+)?(?:also\s+)?"
    r"(?:to\s+)?(?:approve|sign|review|ok\b|okay|bless|weigh in|look at|check)"
)
_ADDRESSED = re.compile(r"^\s*[,:]")
_SENTENCE_START = re.compile(r"(?:^|[.!?\n]\s*|^\s*(?:hi|hey|hello|dear)\s+)$")

HANDOFF = R.rule_set(
    ("hand|pass|forward|escalat|redirect|rout|send|sent|kick|bounc",
     r"\b(?:hand(?:ing|ed)?|pass(?:ing|ed)?|forward(?:ing|ed)?|escalat(?:e|ing|ed)|redirect(?:ing|ed)?|"
     r"rout(?:e|ing|ed)|send(?:ing)?|sent|kick(?:ing|ed)?|bounc(?:e|ing|ed)) (?:this |it |that )?"
     r"(?:(?:on|over|up|along) )?to\b"),
    ("over to", r"\bover to\b"),
    ("defer", r"\bdefer(?:ring)? to\b"),
    ("not my|not mine|not our|remit|pay grade|pay-grade",
     r"\bnot (?:my|mine|our) (?:call|decision|to approve)\b|\bnot mine to\b|\boutside (?:my|our) remit\b|"
     r"\babove my pay[- ]?grade\b"),
    ("better ask|need to ask|have to ask|should ask|need to check|want to ask|better check",
     r"\b(?:better|you(?:'ll)? (?:need|have|want) to|you should) (?:ask|check with|get)\b"),
)
ADDS = R.rule_set(
    ("also", r"\balso (?:need|needs|needed|require|requires|want|wants|get|ask|asking|ping|pinging|loop|looping|"
     r"adding|add|involve|include)\b"),
    ("loop", r"\bloop(?:ing|ed)? in\b"),
    (" in", r"\b(?:pull|pulling|bring|bringing|rope|roping|add|adding) in\b"),
    ("add", r"\badd(?:ing|ed)? [^.?!\n]{1,40}? (?:for|to|as) "
     r"(?:approval|sign[- ]?off|review|(?:an? |the )?approvers?)\b"),
    ("too|as well", r"\b(?:approve|approval|sign[- ]?off|sign off|look|review|ok|okay)\b[^.?!\n]{0,20}"
     r"\b(?:too|as well)\b"),
    ("go |run |pass ", r"\b(?:needs?|has|have|must|should) (?:to )?(?:also )?(?:go|run|pass) (?:through|by|past)\b"),
    ("check with|clear it with|clear this with", r"\b(?:check|clear (?:it|this)) with\b"),
    ("another|one more|a second|additional|extra",
     r"\b(?:another|one more|a second|additional|extra) (?:approval|sign[- ]?off|approver|review)\b"),
)
REASK = R.rule_set(
    ("bump|ping", r"^\W*(?:bump(?:ing)?|re-?ping|ping)\b"),
    ("any update|any news|any word", r"\bany (?:update|news|word)s?\b"),
    ("reminder|nudge|ping|bump", r"\b(?:gentle|friendly|quick|small) (?:reminder|nudge|ping|bump)\b"),
    ("follow", r"\bfollow(?:ing)?[- ]up\b"),
    ("chasing|still", r"\bchasing\b|\bstill (?:waiting|need|needs|pending|looking for)\b"),
    ("chance", r"\b(?:did|have) you (?:had|get|got) a chance\b"),
)
DOOR = R.rule_set(
    ("small|tiny|minor|little", r"\b(?:small|tiny|minor|little) (?:change|tweak|fix|test|experiment|copy(?: change)?|"
     r"update|edit|pr|patch|rollout|bump|adjustment|trial|pilot|config change|ui change)\b"),
    ("quick", r"\bquick (?:change|tweak|fix|test|experiment|trial|win|copy change|patch|pilot)\b"),
    ("experiment", r"\bexperiment(?:s|al|ing)?\b"),
    ("flag|toggle", r"\bbehind (?:a |the |an? [\w-]+ |our )?(?:feature[- ]?)?(?:flag|toggle)s?\b|"
     r"\bfeature[- ]?flag(?:s|ged)?\b"),
    ("roll|revert|undo|back out|turn it off|reversible",
     r"\b(?:can|could|will|we'll|we can|easy to|easily|simple to|trivial to|quick to|able to|always) (?:be )?"
     r"(?:roll(?:ed)?[- ]?back|revert(?:ed)?|undo(?:ne)?|back(?:ed)? out|turn(?:ed)? (?:it )?off)\b|"
     r"\b(?:fully |easily |easy |trivially )?(?:reversible|revertible)\b"),
    ("a/b|ab test|ab-test|split", r"\ba/?b[- ]?test\w*\b|\bsplit[- ]test\w*\b"),
    ("low risk|low-risk", r"\blow[- ]risk\b"),
    ("trial|pilot|canary|dark", r"\b(?:trial|pilot|canary|dark[- ]launch)\b"),
    ("temporar|for a |for one |for two ", r"\btemporar(?:y|ily)\b|\bfor (?:a|one|two) (?:day|week)s?\b"),
)
ONE_WAY = re.compile(
    r"\b(?:irreversible|one[- ]way door|(?:can(?:no|')t|cannot|won't|will not) (?:be )?(?:roll(?:ed)?[- ]?back|"
    r"revert(?:ed)?|undo(?:ne)?)|not (?:\w+ )?(?:reversible|revertible|easy to (?:roll|revert|undo))|"
    r"hard to (?:roll|revert|undo)|no (?:way to )?(?:roll ?back|undo)|point of no return|permanent(?:ly)?|"
    r"contract|headcount|hire|hiring|layoffs?|delet(?:e|ion|ing)|data migration)\b"
)


def _without_mentions(text: str) -> str:
    text = _SLACK_USER.sub(" someone ", text)
    text = _SLACK_GROUP.sub(" someone ", text)
    return _TEAMS_AT.sub(" someone ", text)


def _team_approvers(norm: str) -> list[str]:
    items = list(_ITEM.finditer(norm))
    found: list[str] = []
    i = 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and _LIST_GAP.fullmatch(norm[items[j].end() : items[j + 1].start()]):
            j += 1
        start, end = items[i].start(), items[j].end()
        before, after = norm[max(0, start - 40) : start], norm[end : end + 40]
        if (
            _BEFORE.search(before)
            or _AFTER.match(after)
            or (_ADDRESSED.match(after) and _SENTENCE_START.search(before))
        ):
            for item in items[i : j + 1]:
                name = item.group("word") or f"{item.group('named')} team"
                if name not in found:
                    found.append(name)
        i = j + 1
    return found


def approvers_in(text: str, requester: str | None = None, requester_name: str | None = None) -> tuple[Approver, ...]:
    """Whom a request (or a reply handing it on) asks for approval, in the order they are named."""
    found: list[Approver] = []

    def add(approver: Approver) -> None:
        if approver.id in (requester, requester_name):
            return
        if all((a.kind, a.id.lower()) != (approver.kind, approver.id.lower()) for a in found):
            found.append(approver)

    for match in _SLACK_USER.finditer(text):
        add(Approver("user", match.group(1), match.group(2) or None))
    for match in _SLACK_GROUP.finditer(text):
        add(Approver("group", match.group(1), match.group(2) or None))
    for match in _TEAMS_AT.finditer(text):
        name = " ".join(plain(match.group(1)).split())
        if name:
            add(Approver("user", name, name))
    rest = _without_mentions(text)
    norm = normalise(rest)
    for match in _HANDLE.finditer(plain(rest).lower()):
        handle = match.group(1)
        if handle in TEAMS:
            add(Approver("team", handle))
        elif handle not in _NOT_PEOPLE:
            add(Approver("user", handle, handle))
    for name in _team_approvers(norm):
        add(Approver("team", name))
    return tuple(found)


def hop_kind(text: str) -> str | None:
    """`handoff` when a reply hands the request on ("passing this to legal"), `add` when it adds
    sign-offs ("we also need finance's sign-off"), None otherwise."""
    norm = normalise(_without_mentions(text))
    if next(HANDOFF.finditer(norm), None):
        return "handoff"
    if next(ADDS.finditer(norm), None):
        return "add"
    return None


def asks_again(text: str) -> bool:
    """A follow-up that chases an answer ("bump", "any update?", "gentle reminder")."""
    return next(REASK.finditer(normalise(text)), None) is not None


def two_way_door(text: str) -> tuple[str, ...]:
    """The words that make a request look reversible and low-risk, or () when it doesn't (or says it isn't)."""
    norm = normalise(_without_mentions(text))
    if ONE_WAY.search(norm):
        return ()
    spans = sorted({(m.start(), -m.end()) for m in DOOR.finditer(norm)})
    found: list[str] = []
    reached = -1
    for start, end in spans:  # leftmost and longest first; "experiment" inside "quick experiment" is dropped
        if start >= reached:
            words = " ".join(norm[start:-end].split())
            if words not in found:
                found.append(words)
            reached = -end
    return tuple(found)
