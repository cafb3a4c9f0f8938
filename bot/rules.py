"""The detection rules as data: the phrases that make a message a decision, an approval
request or an approval, the words that undo them, and the words that name a customer.

Every pattern runs on normalised text (lower case, markup turned into words; see text.py).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Iterator, Sequence

import ahocorasick


class Rules:
    """Patterns, each with literal words that must occur before the pattern is tried.

    `"a|b"` means a or b must occur; `"a|b&c|d"` means (a or b) and (c or d). Checking which of
    the words occur, once per message, is far cheaper than running every regex over the text,
    and most messages contain none of a rule's words.
    """

    def __init__(self, rules: Sequence[tuple[str, str]], flags: int = 0):
        self._rules = tuple(
            (tuple(frozenset(group.split("|")) for group in words.split("&")), re.compile(pattern, flags))
            for words, pattern in rules
        )
        self.words = frozenset(w for groups, _ in self._rules for group in groups for w in group)
        self._sorted_words = tuple(sorted(self.words))
        # word → the rules whose first group it satisfies, as the bits of an int, so a message's
        # candidates are an OR of a few ints, in rule order
        self._mask_by_word: dict[str, int] = {}
        for i, (groups, _) in enumerate(self._rules):
            for word in groups[0]:
                self._mask_by_word[word] = self._mask_by_word.get(word, 0) | 1 << i
        self._tried = tuple((groups[1:], pattern) for groups, pattern in self._rules)

    def patterns(self, present: frozenset[str]) -> list[re.Pattern]:
        """The patterns worth trying on a text in which `present` are the words found, in rule order."""
        mask = 0
        get = self._mask_by_word.get
        for word in present:
            mask |= get(word, 0)
        found = []
        tried = self._tried
        while mask:
            low = mask & -mask
            mask ^= low
            rest, pattern = tried[low.bit_length() - 1]
            if not rest or all(not group.isdisjoint(present) for group in rest):
                found.append(pattern)
        return found

    def finditer(self, text: str, present: frozenset[str] | None = None) -> Iterator[re.Match]:
        if present is None:
            present = words_in(text, self._sorted_words)
        for pattern in self.patterns(present):
            yield from pattern.finditer(text)

    def search(self, text: str, present: frozenset[str] | None = None) -> bool:
        """Whether any pattern matches (`next(self.finditer(…), None) is not None`, without a generator)."""
        if present is None:
            present = words_in(text, self._sorted_words)
        return any(pattern.search(text) for pattern in self.patterns(present))

    def match(self, text: str, present: frozenset[str] | None = None) -> re.Match | None:
        """The first match that starts the text. A pattern's first match starts at 0 exactly when
        the pattern matches there, so nothing past the start is searched."""
        if present is None:
            present = words_in(text, self._sorted_words)
        for pattern in self.patterns(present):
            found = pattern.match(text)
            if found is not None:
                return found
        return None


_SECOND = operator.itemgetter(1)
# The automaton of each word list a caller passes, found by the list's identity: hashing a tuple
# of hundreds of words to look its automaton up costs more than the search itself.
_by_identity: dict[int, tuple[Iterable[str], ahocorasick.Automaton]] = {}


def words_in(text: str, words: Iterable[str]) -> frozenset[str]:
    """The given trigger words that occur in `text`: one Aho-Corasick pass over the text."""
    known = _by_identity.get(id(words))
    if known is None or known[0] is not words:
        if len(_by_identity) >= 64:  # callers pass the same few constant lists; a stray one is not kept forever
            _by_identity.clear()
        known = _by_identity[id(words)] = (words, _automaton(tuple(words)))
    return frozenset(map(_SECOND, known[1].iter(text)))


@functools.cache
def _automaton(words: tuple[str, ...]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


def rule_set(*rules: tuple[str, str], flags: int = 0) -> Rules:
    return Rules(rules, flags)


# --- approval requests: someone is asked for approval, sign-off, permission or a vote ---------
GRANT_NOUN = (
    r"(?:approv\w*|sign[- ]?offs?|signoffs?|green[- ]?light|go[- ]ahead|go/no[- ]go|go-no-go|blessing|"
    r"thumbs[- ]up|\+1s?|lgtm|emoji_thumbsup|emoji_check|permission|ok|okay|stamp|vote|exception)"
)
APPROVAL_REQUEST = rule_set(
    # "can you approve", "could someone sign off on", "would you mind giving this a +1"
    ("approv|sign|green|give|ok |ok?|okay|bless|stamp|vote", r"\b(?:can|could|would|will|pls|please|plz|kindly)\s+(?:you|u|someone|somebody|anyone|one of you|"
    r"legal|finance|security|hr|procurement|product|design|the [\w-]+ team|the [\w-]+ (?:group|committee|board|"
    r"council|pmc|tsc)|"
    r"you all|y'?all|you guys|folks|@[\w.\-]+)\b[^.?!\n]{0,40}?\b(?:approve\b|approval\b(?! (?:mail|email|emails|"
    r"process|flow|workflow|step|queue))|sign\s?off|sign-off|"
    r"green[- ]?light|give (?:it |this |me |us )?(?:an? |your )?(?:\+1|lgtm|ok|okay|thumbs[- ]up|go[- ]ahead)|"
    r"(?:ok|okay) (?:the|this|it|that|my|our|me|us)\b|bless|stamp|vote)"),
    ("can i|can we|could i|could we|may i|may we", r"\b(?:can|could|may) (?:i|we) (?:get|have|grab|ask for)\b[^.?!\n]{0,30}?(?:\b|(?<=\s))" + GRANT_NOUN),
    ("please|pls|plz|kindly", r"\b(?:please|pls|plz|kindly)\s+(?:review and\s+)?(?:approve|sign[- ]?off|vote|ok|okay|\+1|give|ack)\b"),
    ("need|requir|request|seek|looking for|asking for|like|await|waiting", r"\b(?:need|needs|needed|needing|requires? your|required from|requesting|request|seeking|"
    r"looking for|asking for|would like|i'd like|still need|awaiting your|waiting (?:on|for) your)\s+"
    r"(?:an?\s+|the\s+|your\s+|their\s+|his\s+|her\s+|@[\w.\-]+'?s?\s+|\w+'s\s+|[a-z]+\s+){0,3}?"
    r"(?:approval|approvals|sign[- ]?offs?|signoffs?|go[- ]ahead|go/no[- ]go|go-no-go|green[- ]?light|"
    r"blessing|thumbs[- ]up|\+1s?|lgtm|ok from|okay from|permission|binding votes?|votes?|exception|"
    r"signature|countersignature|yes|yes/no|go from|(?<=your )ok|(?<=an )ok|(?<=the )ok|(?<=your )okay)(?!\w)"
    r"(?! (?:flow|process|workflow|step|queue|mail|email|chain|matrix|rules?|policy|system|tool|page|form|"
    r"button|status|emails))"),
    ("approval|sign", r"\b(?:for|awaiting) (?:your |final )(?:approval|sign[- ]?off|review and approval)\b"),
    ("approval|sign", r"\b(?:approval|sign[- ]?off) (?:request|requested|needed|required|please)\b"),
    ("vote|voting", r"(?<!\[result\])\[vote\]|\bcall for (?:a )?votes?\b|\bplease (?:cast )?(?:your )?votes?\b|"
    r"\bvoting (?:is )?(?:now )?open\b"),
    ("permission", r"^permission to\b"),
    ("?&ok |okay |alright |good |fine |safe & to ", r"\b(?:ok|okay|alright|good|fine|safe) (?:for (?:me|us) )?to (?:merge|ship|deploy|release|launch|publish|"
    r"proceed|go ahead|push|send|roll out|rollout|enable|turn on|cut|run|start|do|try|kill|restart|drop|add|use|"
    r"give|offer|spend|pay|hire|book|buy|order|sign|post|share|list|"
    r"delete|bump|upgrade|rotate|reboot|apply|change)\b[^.!\n]*\?"),
    ("?&is it|is that|are we|would it be|am i", r"\b(?:is it|is that|are we|would it be|am i) (?:ok|okay|alright|fine|cool|good)\b[^.!\n]*\?"),
    ("?& with", r"\b(?:you|u|y'?all) (?:good|ok|okay|fine|cool) with\b[^.!\n]*\?"),
    ("have", r"\b(?:do|did) (?:i|we) have (?:the |your |an? )?(?:approval|sign[- ]?off|green light|go[- ]ahead|ok|okay|"
    r"permission|blessing)\b"),
    ("mind if", r"\bmind if (?:i|we)\b"),
    ("?&can i|can we|may i|may we|could i|could we", r"\b(?:can|may|could) (?:i|we) (?:go ahead|proceed|merge|ship|deploy|release|launch|push|publish|"
    r"roll (?:it )?out|enable|start|land|cut)\b[^.!\n]*\?"),
    ("?&are we|am i|is this|is it", r"\b(?:are we|am i|is this|is it) (?:good|clear|ok|okay|cleared|fine|approved) (?:to|for)\b[^.!\n]*\?"),
    ("?", r"^(?:@[\w.\-]+[,:]?\s+)*(?:quick )?(?:good to go|green light|go/no[- ]go|go or no[- ]go|sign[- ]?off|approval|"
    r"\+1|lgtm|ok|okay|thumbs up)\s*\?"),
    ("love|appreciate|like", r"\b(?:would|'d) (?:love|appreciate|like) (?:an? |your |the |some )?(?:[\w-]+ ?\+? ?){0,3}?"
    + GRANT_NOUN + r"(?!\w)"),
    ("lazy consensus", r"\b(?:for|under|via|calling|call for|invoking|proceeding (?:with|under)|hold for) lazy consensus\b"),
    ("speak up|shout|object|yell", r"\b(?:speak up|shout|object|yell) (?:if (?:you |anyone |anybody )?(?:object|disagree|have "
     r"(?:concerns|objections)|are against|see a problem)|by|before)\b"),
    ("need", r"\bneed(?:s|ed)? (?:someone|somebody|one of you|you|@[\w.\-]+|(?:[\w'-]+ ){0,2}[a-z]+)(?: from [\w@.\-]+)? to "
    r"(?:approve|sign off|sign-off|ok|okay|bless|stamp|review and approve|give (?:a |the |their )?(?:\+1|go-ahead))\b"),
    ("get a", r"\b(?:can|could) (?:we|i) get a (?:decision|call|ruling|verdict|go/no-go)\b"),
    ("who ", r"\bwho (?:can|could|should|needs to|will|is able to) (?:approve|sign off|give (?:this |it )?(?:a |the )?"
    r"(?:\+1|go-ahead|green light|ok))\b"),
    ("?&approve|sign off|sign-off|stamp", r"\b(?:anyone|someone|somebody|anybody|you|one of you|any of you)\b[^.!?\n]{0,40}\b(?:approve|sign off|"
    r"sign-off|stamp)\b[^.!\n]*\?"),
    ("please|pls|plz", r"\b(?:approval|sign[- ]?off|review and approval)\b[^.!?\n]{0,60}\b(?:please|pls|plz)\b"),
    ("please|pls|plz", r"\b(?:approve|sign off|\+1|stamp|review and approve|approval)\s+(?:please|pls|plz)\b"),
    ("?&if i|if we", r"\b(?:ok|okay|alright|fine|cool) if (?:i|we)\b[^.!\n]*\?"),
    ("any ", r"\bany (?:concerns|objections)\b[^.!\n]*\?"),
    ("[", r"\[(?:approval|approval needed|approval request|sign[- ]?off|for approval|needs approval)\]"),
    ("objection", r"\b(?:any|no) objections?\b[^.!\n]*\?"),
    ("unless", r"\bunless (?:someone|anyone|anybody|somebody|you) (?:objects?|disagrees?|shouts?|says? otherwise)\b"),
    # time off, budget, access and other things people ask permission for
    ("request|asking for|would like|i'd like|can i|could i|may i",
     r"\b(?:requesting|request(?:ing)? (?:for )?|asking for|would like|i'd like|can i (?:get|have|take)|"
     r"could i (?:get|have|take)|may i (?:get|have|take))\s+(?:an? |the |some |my |\w+ )?(?:pto|time off|leave|"
     r"vacation|(?:a |the )?day off|days off|expense|reimbursement|(?:\w+ )?access|budget|headcount|waiver|"
     r"extension|freeze exception|exception|approval|sign[- ]?off)\b"),
    ("off", r"\bcan (?:i|we) (?:take|have|get) (?:\w+ ){0,3}off\b[^.!\n]*\?"),
    ("would", r"\bwould (?:you|the [\w-]+|[a-z]+|@[\w.\-]+) be (?:ok|okay|fine|cool|happy|comfortable|alright) "
     r"(?:with|if)\b"),
    ("intent to", r"\bintent to (?:ship|implement|deprecate|prototype|experiment|remove)\b"),
    ("vote|hands", r"^\W*(?:quick )?vote(?: time)?\s*(?:[:!-]|$|emoji|[^\w\s])|\b(?:quick )?vote\s*:|\breact (?:with )?[^.!?\n]{1,25} for (?:yes|no)\b|"
     r"\bshow of hands\b|\bhands up if\b|\bneed a second(?:er)?(?:[,.]|$| then| for the motion)"),
    ("has to|have to|needs to|need to", r"\b(?:still )?(?:has|have|needs?) to (?:ok|okay|approve|sign off|sign-off|bless)\b"),
    ("are you|you're|you are", r"\b(?:are you|you're|you are) (?:ok|okay|fine|good|happy|alright) (?:with|if|to|\w+ing)\b[^.!\n]*\?|"
     r"\b(?:check|confirm|make sure) (?:that )?you(?:'re| are) (?:ok|okay|good|fine|happy|alright) with\b"),
    ("nobody|no one|barring", r"\bif (?:nobody|no one|noone) (?:objects|disagrees|shouts)\b|\bbarring (?:any |major |further )?objections\b"),
    ("can i|can we|may i|may we|could i|could we", r"\b(?:can|may|could) (?:i|we) (?:offer|expense|buy|purchase|order|hire|book|send|publish|release|"
     r"merge|ship|deploy|run|proceed|spend|sign|enable|disable|delete|refund|comp|waive|extend|cancel|push|"
     r"launch|start|roll|cut|land|close|archive|rename|migrate|upgrade|bump|schedule|announce|go ahead)\b"
     r"[^.!\n]*\?"),
    ("need a yes|need your yes|a yes from|is that a yes|is this a yes", r"\bneed (?:a|your) yes\b|\b(?:is that|is this) a yes\b|\ba yes from you\b"),
    ("until", r"\buntil (?:someone|somebody|one of you|you|@[\w.\-]+|[a-z]+)(?: from [\w@.\-]+)? (?:approves|signs off|oks|"
     r"okays|gives (?:the |a )?(?:go|ok|nod))\b"),
    ("get ", r"\bget (?:someone|somebody|one of you|[a-z@]+)(?: from [\w@.\-]+)? to (?:say yes|sign off|approve|ok|okay|"
     r"give (?:the |a )?(?:go|ok|nod|thumbs up))\b"),
    ("?", r"^(?:@[\w.\-]+[,:]?\s+)*(?:thumbs up|green light|go|ok|okay|sign-off|approval|a \+1) (?:to|for|on)\b[^.!\n]*\?"),
    ("hit approve|click approve|press approve", r"\b(?:hit|click|press) approve\b"),
    ("needed from", r"\b(?:r\+|\+1|\+2|lgtm|approval|sign[- ]?off|review) needed from\b"),
    ("request", r"^\W*(?:pto|time off|leave|vacation|expense|budget|access|purchase|headcount|hiring|travel) request\b"),
    ("objection", r"^\W*objections?\s*\?"),
    ("object|opposed|against", r"\b(?:anyone|everyone|anybody|any of you) (?:object|objects|opposed|against)\b[^.!\n]*\?"),
    ("ready for", r"\bready for (?:(?:your |a |final )?(?:\w+ )?(?:&|and|\+) )?(?:your |a |final )?(?:approval|sign[- ]?off|"
     r"vote|review and approval|the go-ahead|a \+1|an lgtm)\b"),
    ("consensus", r"\b(?:seeking|looking for|asking for|need|want to reach) (?:a |rough |lazy )?consensus\b"),
    ("let me know|lmk", r"\b(?:let me know|lmk) (?:if|whether) (?:i|we|it's|this is|that's) (?:can |may |should |ok to |"
     r"okay to |good to |fine to )?(?:proceed|go ahead|merge|ship|deploy|release|launch)\b"),
    ("confirm", r"\b(?:please |pls |can you |could you )confirm (?:that )?(?:i|we|it's ok|this is ok|it is ok) "
     r"(?:can|may|to|are good)\b"),
    ("your ", r"\byour (?:blessing|sign[- ]?off|approval|ok|okay|go-ahead|green light|\+1)\b[^.!\n]*\?"),
    ("are you|r u|is everyone|is everybody", r"\b(?:are you|r u|is everyone|is everybody) (?:ok|okay|fine|good|happy|cool|alright) with\b[^.!\n]*\?"),
    ("is & with", r"\bis (?:the |your |our )?[\w-]+ (?:ok|okay|fine|happy|good) with\b[^.!\n]*\?"),
    ("go/no-go|go/no go", r"\bgo/no[- ]go (?:on|for|from)\b"),
    ("your call|yes or no", r"\byour call\b|\byes or no\s*\?"),
    ("a go", r"\b(?:for|need|needs|requesting|asking for|get) a go\b"),
    ("otherwise", r"\botherwise (?:i'll|we'll|i will|we will|i'm|we're|merging|shipping|going ahead|proceeding)\b"),
    ("hear", r"\bunless (?:i|we) hear (?:otherwise|objections|back|any objections)\b"),
    ("rfcbot", r"\brfcbot (?:fcp|poll)\b"),
    ("approver", r"\b(?:need|needs|needed|looking for|waiting (?:on|for)) (?:an? |one more |another |second |"
     r"two |the |\d+ )*approvers?\b"),
)
# Before a request phrase, in its sentence: it asks whether approval is needed, or says it came.
NOT_A_REQUEST = re.compile(
    r"(?:\b(?:got|received|have|had|no|don't|do not|doesn't|without|never|even)\s*$)|"
    r"^\s*(?:reminder|fyi|psa|note|workday|coupa|jira|notification)\b|"
    r"\b(?:not sure|don't think|whether|if) (?:we|this|it|you)\b|\b(?:who|about)\s*$"
)
# "does the changelog need legal approval?" asks whether approval is needed; it requests nothing.
ASKS_WHETHER = re.compile(r"^\s*(?:@[\w.\-]+[,:]?\s+)*(?:quick q\W*)?(?:does|do|did|is|are|will|should)\b")
NEEDS = re.compile(r"needs?\b|needed|needing|requires?\b|required")

# --- approvals: approval, sign-off or a positive vote is given ---------------------------------
APPROVAL_LEAD = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*/?(?:(?:ok|okay|yes|yep|yup|sure|great|nice|thanks|thx|ty|cool|alright|"
    r"all good|good stuff|done|sounds good|looks great|nice work|great work|good catch|agreed|fine|that's fine|"
    r"that is fine)[,!.:]?\s+)?"
    r"(?:approved|approving|approve[ds]?|lgtm|l\.g\.t\.m|sgtm|looks good(?: to me)?|\+1|emoji_check|"
    r"emoji_thumbsup|ship it|shipit|signed[- ]off|sign-off given|go for it|go ahead|green[- ]?lit|"
    r"green light(?:ed)?|you have my|i approve|we approve|fine by me|fine with me|works for me|"
    r"ok from|okay from|all good from|no objections?(?: from)?|granted|binding \+1|\+1 binding|"
    r"(?:merge|ship|deploy|send|publish|release) it|you can (?:merge|ship|deploy|go ahead|expense|proceed)|"
    r"lgtm\d|r\+|good to go|you're good to go|you are good to go|all yours|consider it approved|"
    r"happy (?:to approve|with this|for (?:this|you) to)|no concerns(?: from)?|sounds good,? go|"
    r"approval granted|ack(?:ed)?|(?<=ok )go|(?<=okay )go|(?<=yes )go|r=me|signed[.!]*$|do it|"
    r"yes from (?:me|us|legal|finance|security|my side)|yes,? (?:take|go|do it|you can|approved|please do|pls do)|"
    r"in favou?r|\+2|code-review\+[12]|yes to|(?:sure|ok|okay|yep|fine),? (?:take|go ahead|do it|you can)|"
    r"lifting my hold|removing my hold|/?hold cancel(?:led)?|signed (?:in|via|on) docusign|countersigned|"
    r"you can (?:expense|go ahead|merge|ship|deploy|proceed|take|book|buy|order|"
    r"hire|offer|send|publish|release)|"
    r"feel free to (?:merge|ship|deploy|go ahead|proceed|land)|merge (?:away|when ready)|"
    r"(?:approved|lgtm|\+1) (?:from|by) (?:me|my side|us|legal|security|finance))"
    r"(?=$|[\s,.!:;)(])"
)
APPROVAL = rule_set(
    ("approved|signed off|given", r"\b(?:i|we|legal|finance|security|compliance|procurement|hr|"
    r"[a-z]+ team|pmc|@[\w.\-]+)\s+(?:have |has |had |just |already |officially |formally )*"
    r"(?:approved|signed off|given (?:the |our |my |their )?(?:approval|sign[- ]?off|green light|go[- ]ahead))\b"
    r"(?! us\b)"),
    ("you have my|you've got my|you have got my", r"\byou(?: have|'ve)(?: got)? my (?:approval|sign[- ]?off|blessing|\+1|vote|ok|okay)\b"),
    ("you can", r"(?:^|[,.!;-]\s*|\b(?:yes|yep|sure|ok|okay|fine)\W+)you can (?:expense|go ahead|merge|ship|deploy|proceed|take|book|buy|"
     r"order|hire|offer|send|publish|release)\b"),
    (" from", r"\b(?:approved|signed off|lgtm|\+1) from (?:me|my side|legal|finance|security|our side|us)\b"),
    ("granted|given|done", r"\b(?:approval|sign[- ]?off) (?:granted|given|done)\b"),
    ("go ahead and", r"\bgo ahead and (?:merge|ship|deploy|release|launch|publish|proceed|push|send|roll)\b"),
    ("signing off", r"\b(?:i'm |i am |we're |we are )?signing off(?! (?:for|on) (?:the day|today|now)| early| now)\b"),
    (" with", r"\b(?:i'm|i am|we're|we are|[a-z]+ is|[a-z]+ are) (?:totally |fully )?(?:fine|ok|okay|happy|good|"
    r"comfortable) with (?:it|this|that|the change|shipping|going ahead|merging)\b"),
    ("cleared|clear to|good to|free to", r"\b(?:you're|you are|you're all|we're|we are) (?:cleared|clear|good|free) to (?:go|merge|ship|deploy|"
    r"proceed|launch|release)\b"),
    ("ship it", r"(?:^|[,.!:;-]\s*|\b(?:so|just|yes|ok|okay|then|sure)\s+)ship it\b"),
    ("my ", r"\b(?:consider (?:this|it) |here'?s |that'?s |this is )my (?:sign[- ]?off|approval|\+1|blessing|ok)\b"),
    ("+1", r"\b(?:i'm|i am|we're|we are|count me (?:as |in as )?(?:a )?)\+1\b"),
    # "the waiver is approved": said in reply to the request it grants
    ("approved|signed off", r"(?<!pr )(?<!mr )(?<!patch )(?<!report )(?<!change )(?<!diff )"
     r"\b(?:is|are|has been|have been) (?:now |officially |formally )?(?:approved|signed off)\b"),
    ("sign-off from me|approval from me|sign off from me", r"\byou have (?:my |the )?(?:sign[- ]?off|approval|go-ahead|green light|\+1) from me\b"),
    ("good to|ok to|okay to|clear to|safe to", r"\b(?:good|ok|okay|fine|safe|clear) to (?:merge|ship|go|deploy|land|proceed)\b(?![^.!\n]*\?)"),
    ("feel free", r"\bfeel free to (?:merge|ship|deploy|go ahead|proceed|land)\b"),
)
DECLINE = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*(?:-[12]\b|emoji_cross|request denied|denied\b|not approved|rejected|declined|denied|nope|no\b|"
    r"not yet|blocked\b|i (?:can't|cannot|won't) approve|we (?:can't|cannot|won't) approve)"
)
