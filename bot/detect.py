"""Rules that judge a chat message: what kind it is, whether it names its customer, which
principles it touches. Pure functions, no I/O, no network; fast enough for an import of
millions of messages.

Each message is read clause by clause. A phrase that would make it a decision, an approval
request or an approval only counts when its own sentence is not a question, a hypothetical,
or a negation ("we haven't decided"), and when it is not quoted or in a code block (the
text module has removed those already).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.models import Kind, Principle, Verdict
from bot.text import normalise


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in parts))


# --- approval requests: someone is asked for approval, sign-off, permission or a vote ---------
_GRANT_NOUN = (
    r"(?:approv\w*|sign[- ]?offs?|signoffs?|green[- ]?light|go[- ]ahead|blessing|thumbs[- ]up|"
    r"\+1s?|lgtm|emoji_thumbsup|emoji_check|permission|ok|okay|stamp|vote)"
)
_APPROVAL_REQUEST = _rx(
    # "can you approve", "could someone sign off on", "would you mind giving this a +1"
    r"\b(?:can|could|would|will|pls|please|plz|kindly)\s+(?:you|u|someone|somebody|anyone|one of you|"
    r"you all|y'?all|you guys|folks|@[\w.\-]+)\b[^.?!\n]{0,40}?\b(?:approv\w*|sign\s?off|sign-off|"
    r"green[- ]?light|give (?:it |this |me |us )?(?:an? |your )?(?:\+1|lgtm|ok|okay|thumbs[- ]up|go[- ]ahead)|"
    r"ok this|okay this|bless|stamp|vote)",
    r"\bcan (?:i|we) (?:get|have|grab)\b[^.?!\n]{0,30}?\b" + _GRANT_NOUN,
    r"\b(?:please|pls|plz|kindly)\s+(?:review and\s+)?(?:approve|sign[- ]?off|vote|ok|okay|\+1|give)\b",
    r"\b(?:need|needs|needed|needing|require|requires|required|requesting|request|seeking|looking for|"
    r"asking for|waiting (?:on|for)|awaiting|pending|still need)\s+(?:an?\s+|the\s+|your\s+|their\s+|"
    r"his\s+|her\s+|final\s+|formal\s+|explicit\s+|official\s+|written\s+|quick\s+|one more\s+|two\s+|"
    r"another\s+|more\s+|@[\w.\-]+'?s?\s+|\w+'s\s+|legal\s+|finance\s+|security\s+|manager\s+)*"
    r"(?:approval|approvals|sign[- ]?offs?|signoffs?|go[- ]ahead|green[- ]?light|blessing|\+1s?|lgtm|"
    r"ok from|okay from|permission|binding votes?|votes?)\b",
    r"\b(?:for|awaiting) (?:your |their |an? |final )?(?:approval|sign[- ]?off|review and approval)\b",
    r"\b(?:approval|sign[- ]?off) (?:request|requested|needed|required|please)\b",
    r"\[vote\]|\bcall for (?:a )?votes?\b|\bplease (?:cast )?(?:your )?votes?\b|\bvoting (?:is )?(?:now )?open\b",
    r"\b(?:ok|okay|alright|good|fine|safe) (?:for (?:me|us) )?to (?:merge|ship|deploy|release|launch|publish|"
    r"proceed|go ahead|push|send|roll out|rollout|enable|turn on|cut)\b[^.!\n]*\?",
    r"\b(?:is it|is that|are we|would it be|am i) (?:ok|okay|alright|fine|cool|good)\b[^.!\n]*\?",
    r"\b(?:do|did) (?:i|we) have (?:the |your |an? )?(?:approval|sign[- ]?off|green light|go[- ]ahead|ok|okay|"
    r"permission)\b",
    r"\bmind if (?:i|we)\b",
    r"\b(?:any|no) objections?\b[^.!\n]*\?",
)

# --- approvals: approval, sign-off or a positive vote is given ---------------------------------
_APPROVAL_LEAD = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*(?:(?:ok|okay|yes|yep|yup|sure|great|nice|thanks|thx|ty|cool|alright|"
    r"all good|good stuff|done)[,!.:]?\s+)?"
    r"(?:approved|approving|approve[ds]?\b|lgtm|l\.g\.t\.m|sgtm|looks good(?: to me)?|\+1|emoji_check|"
    r"emoji_thumbsup|ship it|shipit|signed[- ]off|sign-off given|go for it|go ahead|green[- ]?lit|"
    r"green light(?:ed)?|you have my|i approve|we approve|fine by me|fine with me|works for me|"
    r"ok from|okay from|all good from|no objections?(?: from)?|granted|binding \+1|\+1 binding)"
)
_APPROVAL = _rx(
    r"\b(?:i|we|legal|finance|security|compliance|procurement|hr|the board|leadership|management|"
    r"[a-z]+ team|pmc|@[\w.\-]+)\s+(?:have |has |had |just |already |officially |formally )*"
    r"(?:approved|signed off|given (?:the |our |my |their )?(?:approval|sign[- ]?off|green light|go[- ]ahead))\b",
    r"\byou have my (?:approval|sign[- ]?off|blessing|\+1|vote|ok|okay)\b",
    r"\b(?:approved|signed off|lgtm|\+1) from (?:me|my side|legal|finance|security|our side|us)\b",
    r"\b(?:approval|sign[- ]?off) (?:granted|given|done)\b",
    r"\bgo ahead and (?:merge|ship|deploy|release|launch|publish|proceed|push|send|roll)\b",
)
_DECLINE = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*(?:-1\b|emoji_cross|not approved|rejected|declined|denied|nope|no\b|"
    r"not yet|blocked\b|i (?:can't|cannot|won't) approve|we (?:can't|cannot|won't) approve)"
)

# --- decisions: a choice that has been made and commits people to a course of action ---------
_WE = (
    r"(?:we|i|we've|we have|we had|we all|the team|our team|team|everyone|everybody|leadership|"
    r"management|the group|the committee|the board|the pmc|the council|the steering (?:council|committee)|"
    r"product|eng|engineering|design|legal|finance|ops|marketing|sales|support|security|"
    r"[a-z]+ and i|[a-z]+ and we|@[\w.\-]+ and i)"
)
_DECISION = _rx(
    r"\b" + _WE + r"\s+(?:have |has |had |'ve |just |finally |collectively |officially |now |ultimately |"
    r"eventually |unanimously |already |jointly |all )*(?:decided|agreed|settled|landed|chose|chosen|"
    r"picked|opted|committed|aligned|resolved|concluded|voted)\b",
    r"\b(?:it was|it's been|it has been|it is|it's) (?:decided|agreed|settled|resolved|confirmed)\b",
    r"^(?:decided|agreed|settled|resolved|confirmed|done deal)\b",
    r"\b(?:decision|decisions|final decision|the decision|outcome|resolution|conclusion|verdict|"
    r"consensus|result|the call|final call|tl;?dr|action|plan of record)\s*(?::|-|is to|is that|was to|"
    r"is we|was that|has been made|was made|made)",
    r"\b(?:final call|the call is|made the call|made a call|made the decision|made a decision|"
    r"decision (?:is|was|has been) (?:made|taken|final)|is final)\b",
    r"\b(?:we're|we are|we'll|we will|i'm|i am|i'll|i will|team is|we've|we have)\s+(?:now\s+|just\s+|"
    r"officially\s+|definitely\s+)?(?:going (?:to go )?with|go(?:ing)? ahead with|moving (?:forward|ahead) "
    r"with|sticking with|standardi[sz]ing on|switching to|migrating to|moving to|dropping|killing|"
    r"sunsetting|deprecating|pausing|cancell?ing|postponing|delaying|pushing|freezing|reverting|"
    r"rolling back|adopting|going to go with|not going to|not going ahead|no longer|stopping|"
    r"holding off|shelving|punting|descoping|cutting|keeping|pulling|removing|retiring|turning off|"
    r"hiring|ending|renaming|closing|shutting down|not shipping|not doing|not supporting|skipping)\b",
    r"(?:^|\b(?:so|then|ok|okay|alright|right|cool|great|fine),?\s+)let'?s (?:go with|do (?:it|that|this|"
    r"option|plan|the)|stick with|ship (?:it|with|on)|keep|drop|move (?:it|the)|use|pick|make it)\b",
    r"(?:^|\b(?:so|then|ok|okay|alright|right|cool|great|fine|good|yes|yep),?\s+)(?:going with|go with|"
    r"sticking with|moving forward with|we go with)\b",
    r"\b(?:vote|motion|proposal|rfc|kep|pep|resolution) (?:has )?(?:passe[sd]|carrie[sd]|is accepted|"
    r"was accepted|has been accepted|is approved|was approved|has been approved|is rejected|was rejected|"
    r"has been rejected|fails|failed)\b",
    r"\[result\]|\[decision\]|\[decided\]",
    r"\b(?:from now on|going forward|effective (?:immediately|today|now|monday|tomorrow|next week)|"
    r"as of (?:today|now|monday|next week))\b,?\s*(?:we|all|every|each|no|the|please|our|nobody|"
    r"everyone|releases?|deploys?|prs?)\b",
    r"\b(?:is|are) (?:now )?off the table\b|\bruled out\b",
    r"\b(?:green[- ]?lit|signed off on) (?:the|our)\b",
)

# Words in a sentence, before the phrase, that make it not (yet) a decision.
_HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|once|unless|until|in case|suppose|supposing|assuming|would|might|maybe|perhaps|"
    r"possibly|probably|could|should|shall|what if|wonder|wondering|think we|thinking|considering|"
    r"propose|proposing|proposal is|suggest|suggesting|recommend|recommending|hope|hoping|plan to|"
    r"planning to|want to|wanna|might want|need to decide|have to decide|before we|when we|"
    r"ask(?:ed|ing)? (?:whether|if)|about to|trying to|try to|sure (?:if|whether)|"
    r"haven't|have not|hasn't|has not|didn't|did not|not yet|never|no one|nobody|nothing)\b"
)
# Negations anywhere in the sentence around a decision word.
_UNDECIDED = re.compile(
    r"\b(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|don'?t|do not|not yet|not been|never|"
    r"yet to|still|can'?t|cannot|couldn'?t|won'?t be able|not) (?:\w+ ){0,2}(?:decided|decide|agreed|agree|"
    r"settled|chosen|picked|made (?:a|the) (?:decision|call)|final|landed|concluded|resolved|aligned)\b|"
    r"\b(?:undecided|no decision|nothing (?:is |has been )?(?:decided|final)|tbd|to be decided|"
    r"still deciding|still discussing|up in the air|not final|not set in stone|open question|"
    r"still debating|pending decision|decision pending|awaiting (?:a |the )?decision)\b"
)
_QUESTION_START = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*(?:should|shall|do|does|did|can|could|would|will|is|are|was|were|have|has|"
    r"had|what|why|how|when|which|who|where|any idea|anyone know|thoughts)\b"
)

# --- customer rationale ------------------------------------------------------------------------
_CUSTOMER = re.compile(
    r"\b(?:customers?|customer's|customers'|users?|user's|users'|end[- ]users?|clients?|buyers?|shoppers?|"
    r"patients?|subscribers?|members?|merchants?|sellers?|guests?|visitors?|readers?|viewers?|listeners?|"
    r"players?|students?|learners?|parents?|teachers?|families|travell?ers|riders?|drivers?|hosts?|"
    r"tenants?|accounts|admins|developers using|devs using|integrators|partners|callers|residents|"
    r"citizens|donors|volunteers|fans|creators|advertisers|publishers|agents|employees who use|"
    r"people (?:who|that|using|on|with|signing)|folks (?:who|that|using|on|with)|anyone (?:who|using|on)|"
    r"nps|churn\w*|support tickets?|tickets from|cx|accessibility|a11y|screen readers?|"
    r"our (?:enterprise|smb|pro|free|paying|biggest|largest|top)\b)"
)
# A customer noun used as a label for a thing the team handles, not the people themselves.
_CUSTOMER_AS_LABEL = re.compile(
    r"\b(?:customer|client|user|partner|member) (?:call|calls|meeting|meetings|sync|demo|db|database|"
    r"table|tables|id|ids|record|records|portal|list|service|api|model|schema|export|import|data|"
    r"success team|support team|team|stories|story|research|interviews?|council|conference|event|offsite|"
    r"dinner|summit|name|names|field|fields|object|objects|migration|provisioning|onboarding call)\b"
)
_BENEFIT = re.compile(
    r"\b(?:because|since|as|so|so that|so they|to help|helps?|helping|for|given|based on|after|"
    r"asked|asking|ask|requested|requesting|request|requests|complain\w*|keep|keeps|kept|want|wants|"
    r"wanted|need|needs|needed|struggl\w*|confus\w*|frustrat\w*|annoy\w*|easier|faster|quicker|simpler|"
    r"cheaper|safer|clearer|can't|cannot|unable|pain|painful|love|loved|prefer\w*|expect\w*|benefit\w*|"
    r"save|saves|saving|improv\w*|reduc\w*|fewer|less|better|happier|drop[- ]off|abandon\w*|churn\w*|"
    r"lose|losing|lost|stuck|hit|hitting|hurt\w*|affect\w*|impact\w*|blocked|blocking|waiting|wait|"
    r"feedback|told us|tell us|report\w*|survey\w*|interview\w*|research|data shows|on behalf of|"
    r"protect\w*|privacy|trust|delight\w*|experience|accessible|usable|value|get their|get to)\b"
)

_SENTENCE_BREAK = ".!?;\n"


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
    return s.endswith("?") or bool(_QUESTION_START.match(s))


def _decision_at(text: str, match: re.Match) -> bool:
    left, right = _bounds(text, match.start(), match.end())
    sentence = text[left:right]
    if _is_question(sentence):
        return False
    if _HYPOTHETICAL.search(text, left, match.start()):
        return False
    if _UNDECIDED.search(sentence):
        return False
    return True


def _approval_request_at(text: str, match: re.Match) -> bool:
    left, right = _bounds(text, match.start(), match.end())
    before = text[left : match.start()]
    # "we got the sign-off", "no need for approval", "don't need a +1" are not requests.
    return not re.search(r"\b(?:got|received|have|had|no|don't|do not|doesn't|without|never)\s*$", before)


def _has_approval(text: str) -> bool:
    if _APPROVAL_LEAD.match(text):
        lead_end = _APPROVAL_LEAD.match(text).end()
        rest = text[lead_end : lead_end + 3]
        return not rest.startswith("?")
    for match in _APPROVAL.finditer(text):
        left, right = _bounds(text, match.start(), match.end())
        sentence = text[left:right]
        if _is_question(sentence) or _HYPOTHETICAL.search(text, left, match.start()):
            continue
        if re.search(r"\bnot\b", text[left : match.start()]):
            continue
        return True
    return False


def is_decline(text: str) -> bool:
    """An answer that refuses or holds up an approval ("-1", "not approved", "blocked until…")."""
    return bool(_DECLINE.match(normalise(text)))


def has_customer_rationale(norm: str) -> bool:
    """The (normalised) text names a customer and gives a reason that involves them."""
    for match in _CUSTOMER.finditer(norm):
        if _CUSTOMER_AS_LABEL.match(norm, match.start()):
            continue
        return bool(_BENEFIT.search(norm))
    return False


def customer_phrase(text: str) -> str | None:
    """The words naming the customer, when the text names one ("busy parents", "customers")."""
    norm = normalise(text)
    for match in _CUSTOMER.finditer(norm):
        if _CUSTOMER_AS_LABEL.match(norm, match.start()):
            continue
        words = norm[max(0, match.start() - 30) : match.start()].split()
        lead = [w for w in words[-2:] if w.isalpha() and w not in _STOP]
        return " ".join([*lead, match.group(0)])
    return None


_STOP = frozenset(
    "a an the our their for to of and or but because since so as by with from that this these those "
    "who which what when we they it is are was were be been many some most all any more".split()
)


class PrincipleMatcher:
    """Finds the principles a text touches, from each principle's signals."""

    def __init__(self, principles: Sequence[Principle]):
        self._patterns: list[tuple[str, re.Pattern]] = []
        for p in principles:
            words = []
            for signal in p.signals:
                stem = signal[:-1] if signal.endswith("*") else signal
                body = r"\s+".join(re.escape(w) for w in stem.split())
                words.append(body + (r"\w*" if signal.endswith("*") else r"\b"))
            self._patterns.append((p.id, re.compile(r"(?<![\w])(?:" + "|".join(words) + ")")))
        self._customer_id = principles[0].id if principles else None

    def match(self, norm: str, customer: bool = False) -> tuple[str, ...]:
        found = [pid for pid, rx in self._patterns if rx.search(norm)]
        if customer and self._customer_id and self._customer_id not in found:
            found.insert(0, self._customer_id)
        return tuple(found)


def classify_kind(norm: str) -> Kind:
    """The kind of a normalised message, by the rules' order: request, approval, decision."""
    if not norm:
        return Kind.OTHER
    for match in _APPROVAL_REQUEST.finditer(norm):
        if _approval_request_at(norm, match):
            return Kind.APPROVAL_REQUEST
    if _has_approval(norm):
        return Kind.APPROVAL
    for match in _DECISION.finditer(norm):
        if _decision_at(norm, match):
            return Kind.DECISION
    return Kind.OTHER


def detect(text: str, matcher: PrincipleMatcher | None = None) -> Verdict:
    """Judge one message."""
    norm = normalise(text)
    kind = classify_kind(norm)
    if kind not in (Kind.DECISION, Kind.APPROVAL_REQUEST):
        return Verdict(kind=kind, customer_rationale=None)
    rationale = has_customer_rationale(norm)
    principles = matcher.match(norm, customer=rationale) if matcher else ()
    return Verdict(
        kind=kind,
        customer_rationale=rationale,
        principles=principles,
        nudge=not rationale,
        customer=customer_phrase(text) if rationale else None,
    )
