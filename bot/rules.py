"""The detection rules as data: the phrases that make a message a decision, an approval
request or an approval, the words that undo them, and the words that name a customer.

Every pattern runs on normalised text (lower case, markup turned into words; see text.py).
"""

from __future__ import annotations

import functools
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
        # word → the rules whose first group it satisfies, so a message visits only those rules
        by_word: dict[str, list[int]] = {}
        for i, (groups, _) in enumerate(self._rules):
            for word in groups[0]:
                by_word.setdefault(word, []).append(i)
        self._by_word = {word: tuple(rules) for word, rules in by_word.items()}

    def finditer(self, text: str, present: frozenset[str] | None = None) -> Iterator[re.Match]:
        if present is None:
            present = words_in(text, self._sorted_words)
        candidates = sorted({i for word in present for i in self._by_word.get(word, ())})
        for i in candidates:
            groups, pattern = self._rules[i]
            if all(not group.isdisjoint(present) for group in groups[1:]):
                yield from pattern.finditer(text)

    def match(self, text: str, present: frozenset[str] | None = None) -> re.Match | None:
        for found in self.finditer(text, present):
            if found.start() == 0:
                return found
        return None


def words_in(text: str, words: Iterable[str]) -> frozenset[str]:
    """The given trigger words that occur in `text`: one Aho-Corasick pass over the text."""
    return frozenset(word for _, word in _automaton(tuple(words)).iter(text))


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
    r"legal|finance|security|hr|procurement|product|design|the [\w-]+ team|"
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
    ("?", r"\b(?:ok|okay|alright|good|fine|safe) (?:for (?:me|us) )?to (?:merge|ship|deploy|release|launch|publish|"
    r"proceed|go ahead|push|send|roll out|rollout|enable|turn on|cut|run|start|do|try|kill|restart|drop|"
    r"delete|bump|upgrade|rotate|reboot|apply|change)\b[^.!\n]*\?"),
    ("?", r"\b(?:is it|is that|are we|would it be|am i) (?:ok|okay|alright|fine|cool|good)\b[^.!\n]*\?"),
    ("?", r"\b(?:you|u|y'?all) (?:good|ok|okay|fine|cool) with\b[^.!\n]*\?"),
    ("have", r"\b(?:do|did) (?:i|we) have (?:the |your |an? )?(?:approval|sign[- ]?off|green light|go[- ]ahead|ok|okay|"
    r"permission|blessing)\b"),
    ("mind if", r"\bmind if (?:i|we)\b"),
    ("?", r"\b(?:can|may|could) (?:i|we) (?:go ahead|proceed|merge|ship|deploy|release|launch|push|publish|"
    r"roll (?:it )?out|enable|start|land|cut)\b[^.!\n]*\?"),
    ("?", r"\b(?:are we|am i|is this|is it) (?:good|clear|ok|okay|cleared|fine|approved) (?:to|for)\b[^.!\n]*\?"),
    ("?", r"^(?:@[\w.\-]+[,:]?\s+)*(?:good to go|green light|go/no[- ]go|go or no[- ]go|sign[- ]?off|approval|"
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
    ("?", r"\b(?:anyone|someone|somebody|anybody|you|one of you|any of you)\b[^.!?\n]{0,40}\b(?:approve|sign off|"
    r"sign-off|stamp)\b[^.!\n]*\?"),
    ("please|pls|plz", r"\b(?:approval|sign[- ]?off|review and approval)\b[^.!?\n]{0,60}\b(?:please|pls|plz)\b"),
    ("please|pls|plz", r"\b(?:approve|sign off|\+1|stamp|review and approve|approval)\s+(?:please|pls|plz)\b"),
    ("?", r"\b(?:ok|okay|alright|fine|cool) if (?:i|we)\b[^.!\n]*\?"),
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
    ("are you|r u", r"\b(?:are you|r u|is everyone|is everybody) (?:ok|okay|fine|good|happy|cool|alright) with\b[^.!\n]*\?"),
    ("otherwise", r"\botherwise (?:i'll|we'll|i will|we will|i'm|we're|merging|shipping|going ahead|proceeding)\b"),
    ("hear", r"\bunless (?:i|we) hear (?:otherwise|objections|back|any objections)\b"),
    ("rfcbot", r"\brfcbot (?:fcp|poll)\b"),
    ("approver", r"\b(?:need|needs|needed|looking for|waiting (?:on|for)) (?:an? |one more |another |second |"
     r"two |the )*approvers?\b"),
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
    r"in favou?r|\+2|code-review\+[12]|you can (?:expense|go ahead|merge|ship|deploy|proceed|take|book|buy|order|"
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
    ("feel free", r"\bfeel free to (?:merge|ship|deploy|go ahead|proceed|land)\b"),
)
DECLINE = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*(?:-[12]\b|emoji_cross|request denied|denied\b|not approved|rejected|declined|denied|nope|no\b|"
    r"not yet|blocked\b|i (?:can't|cannot|won't) approve|we (?:can't|cannot|won't) approve)"
)

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

# --- decisions: a choice that has been made and commits people to a course of action ---------
WE = (
    r"(?:we|i|we've|we have|we had|we all|i've|i have|the team|our team|team|everyone|everybody|leadership|"
    r"management|the group|the committee|the board|the pmc|the council|the steering (?:council|committee)|"
    r"product|eng|engineering|design|legal|finance|ops|marketing|sales|support|security|"
    r"[a-z]+ and i|[a-z]+ and we|@[\w.\-]+ and i|(?:the )?[a-z]+ team|the (?:leads|execs|pms|owners|"
    r"maintainers|core team|tsc|wg|sig|cab|arb|architects|panel|jury|group)|(?:the )?(?:cto|ceo|cfo|coo|cpo|"
    r"vp|director|founders?))"
)
WE_WILL = (
    r"(?:we're|we are|we'll|we will|we r|we're gonna|we are gonna|we r gonna|we're going to|we are going to|"
    r"i'm|i am|i'll|i will|team is|we've|we have)"
)
# What a team that "will" do something commits to (not "we'll see", "we'll discuss").
COMMIT_VERB = (
    r"(?:be (?!able)\w+ing|go with|go ahead with|run with|roll with|lock in|take|book|eat the cost|keep(?! (?:you|an eye|in mind|going|trying|it up|us))|"
    r"drop(?! off| by| in)|ship|launch|move(?! (?:faster|quickly|fast|on|forward))|switch|use|extend|"
    r"grandfather|stop(?! by)|start(?! (?:in|at|now|soon|shortly|the (?:call|meeting)))|pause|"
    r"cancel|migrate|sunset|deprecate|remove|add|hire|freeze|close|require|charge|offer|translate|"
    r"prioriti[sz]e|postpone|delay|skip|stay|stick|continue|roll back|rollback|revert|retire|kill|cut|"
    r"standardi[sz]e|adopt|rename|replace|rewrite|merge|split|consolidate|outsource|insource|limit|cap|"
    r"raise|lower|increase|decrease|reduce|double|halve|block|allow|ban|enforce|default|archive|delete|"
    r"make|set|change|introduce|implement|invest|focus|treat|follow|hold off|defer|deprioriti[sz]e|"
    r"phase out|wind down|shut down|turn off|turn on|enable|disable|go live|release|publish|support|"
    r"not (?:ship|support|do|build|renew|launch|release|offer|use|go|be doing|proceed|move|extend|add|"
    r"keep|hire|pursue|fix|backport))"
)
DECISION = rule_set(
    ("decided|agreed|settled|landed|chose|chosen|picked|opted|committed|aligned|resolved|concluded|voted|went with|gone with|signed off on|approved|accepted|adopted|rejected|greenlit|green-lit|ratified|selected|pulled|dropped|killed|removed|cut|scrapped|moved|switched|bumped|changed|postponed|cancel|shelved|paused", r"\b" + WE + r"\s+(?:have |has |had |'ve |just |finally |collectively |officially |now |ultimately |"
    r"eventually |unanimously |already |jointly |all )*(?:decided|agreed|settled|landed|chose|chosen|"
    r"picked|opted|committed|aligned|resolved|concluded|voted|went with|gone with|signed off on|"
    r"approved|accepted|adopted|rejected|greenlit|green-lit|ratified|selected|pulled|dropped|killed|removed|"
    r"cut|scrapped|moved|switched|bumped|changed|postponed|cancell?ed|shelved|paused)\b"
    r"(?! (?:your|my|his|her|us|the invite|the invitation|the meeting|the call)\b)"),
    ("and ", r"\band (?:have |finally |ultimately |eventually |unanimously )?(?:decided|agreed) (?:to|not to|on|"
    r"against|that)\b"),
    ("decided|agreed|settled|resolved|confirmed", r"\b(?:it was|it's been|it has been|it is|it's) (?:decided|agreed|settled|resolved|confirmed)\b"),
    ("decided|agreed|settled|resolved|confirmed|done deal", r"(?:^|:\s*|\b(?:ok|okay|so|alright|right|fine),?\s+)(?:(?:decided|agreed|settled|resolved|confirmed)"
    r"(?:\s*[:\-]|\s+(?:to|that|on|we|then)\b|\s*(?:[.!]+|$))|done deal)"),
    ("decided", r"^decided (?:to|not to|on|against)\b"),
    (":| - |is to|is that|was to|is we|was that|has been made|was made", r"\b(?:decision|decisions|final decision|the decision|outcome|conclusion|verdict|"
    r"consensus|the call|final call|plan of record|ruling|final answer|for the record|agreed|"
    r"agreement|decided|settled|my call|the plan)(?! (?:from|in|of) (?:19|20)\d\d)"
    r"(?: [\w'’]+){0,5}\s*(?::|\s-\s|is to|is that|was to|is we|was that|has been made|was made)"),
    ("decision", r"^\W*decisions?\W*$|^\W*decision log\b|^\W*decisions? from (?!\d)|\bdecisions? (?:made|taken)\b"),
    ("call|decision|is final|take|taken|took|taking|done discussing|end of discussion|case closed|for the record|noting|dri", r"\b(?:final call|the call is|made the call|made a call|made the decision|made a decision|"
    r"decision (?:is|was|has been) (?:made|taken|final)|is final|(?:take|taken|took|taking) (?:the|a) decision|"
    r"done discussing|end of discussion|case closed|for the record|noting (?:it|this) here|my dri call|"
    r"dri hat|as (?:the )?dri)\b"),
    ("we're|we are|we'll|we will|we r |we've|we have|i'm|i am|i'll|i will|team is", r"\b" + WE_WILL + r"\s+(?:now\s+|just\s+|officially\s+|definitely\s+|also\s+)?(?:going (?:to go )?with|"
    r"go(?:ing)? ahead with|moving (?:forward|ahead) with|sticking with|standardi[sz]ing on|"
    r"switching (?:to|over|from|back|the|our|all|everything)|migrating to|moving (?:to|the|our|all|it|"
    r"everything|away)|dropping (?:support|the|our|it|this|that)|killing|sunsetting|deprecating|pausing|"
    r"cancell?ing|postponing|delaying|pushing (?:back|the launch|the release|it)|freezing|reverting|"
    r"rolling back|adopting|going to go with|not going to|not going ahead|no longer|stopping|holding off|"
    r"shelving|punting|descoping|cutting (?:the|our|it|this|that|support|scope)|keeping (?:the|our|it|this|"
    r"that|both|support)|pulling (?:the|our|it)|removing|retiring|turning off|renaming|closing (?:the|our|"
    r"it|this|that|down)|shutting down|doing it|doing this|doing that|not \w+ing|grandfathering|extending)\b"
    r"(?! (?:now|right now|at the moment|for now|today only)\b)"),
    ("we'll|we will|we're gonna|we are gonna|we r gonna|we're going to|we are going to|we won't", r"\b(?:we'll|we will|we're gonna|we are gonna|we r gonna|we're going to|we are going to|we won't|"
    r"we will not)\s+(?:now\s+|just\s+|officially\s+|definitely\s+|also\s+)?" + COMMIT_VERB + r"\b"),
    ("let", r"(?:^|\b(?:so|then|ok|okay|alright|right|cool|great|fine|yes|yep|sure|agreed|good),?\s+)let'?s (?:go with|do (?:it|that|this|"
    r"option|plan|the)|stick with|ship (?:it|with|on)|keep|drop|move (?:it|the)|use|pick|make it)\b"),
    ("go with|going with|sticking with|moving forward with", r"(?:^|\b(?:so|then|ok|okay|alright|right|cool|great|fine|good|yes|yep),?\s+)(?:going with|go with|"
    r"sticking with|moving forward with|we go with)\b(?! the flow)"),
    ("pass|carrie|accepted|approved|rejected|fail", r"\b(?:vote|motion|proposal|rfc|kep|pep|adr|resolution)(?:[- ]?[\w.]*\d[\w.]*)? (?:has |is |was )?"
    r"(?:passe[sd]|carrie[sd]|accepted|been accepted|approved|been approved|rejected|been rejected|fails|"
    r"failed)\b"),
    ("[", r"\[result\]|\[decision\]|\[decided\]"),
    ("from now on|going forward|effective |as of ", r"\b(?:from now on|going forward|effective (?:immediately|today|now|monday|tomorrow|next week)|"
    r"as of (?:today|now|monday|next week))\b"),
    ("moving forward|from here|starting|beginning", r"^\W*(?:moving forward|from here on(?: out)?|starting (?:today|tomorrow|now|next \w+|this \w+|"
     r"on \w+|in \w+|monday|tuesday|wednesday|thursday|friday|january|february|march|april|may|june|july|"
     r"august|september|october|november|december|q[1-4])|beginning (?:in |on |next )?\w+),"),
    ("consensus", r"\bconsensus (?:was|has been|is) reached\b|\breached (?:a |rough )?consensus\b"),
    ("not ", r"^\W*not (?:doing|shipping|supporting|pursuing|going ahead with|moving forward with|merging|"
     r"accepting|renewing)\b"),
    ("go/no-go|go/no go", r"\bgo/no[- ]go\s*[:\-]\s*(?:go|no-go|no go)\b"),
    ("disposition|fcp", r"\b(?:final comment period|fcp)\b[^.!?\n]{0,40}\b(?:complete|completed|is now complete|"
     r"has ended|ended)\b|\bdisposition to (?:merge|close|postpone)\b[^.!?\n]{0,30}\bcomplete"),
    ("off the table|ruled out", r"\b(?:is|are) (?:now )?off the table\b|\bruled out\b"),
    ("green|signed off on", r"\b(?:green[- ]?lit|signed off on) (?:the|our)\b"),
    ("a go", r"\b(?:it's|it is|is) a go\b|\bwe're a go\b"),
    ("cancel|postpone|pause|deprecat|discontinu|on hold|deprioriti|descop|shelved|scrapped|killed|greenlit|green-lit|locked in|ratified|adopted|rejected|sunset|retired|decommission|approved|signed off|final|settled|no-go|a go|moved to|pushed|moved up|reschedul|bumped|deferred|punted|chosen|selected|picked|named|appointed& is | are | been | be | was | were | get", r"\b(?:is|are|has been|have been|will be|was|were|gets|get) (?:now |officially |formally |hereby )?"
    r"(?:cancell?ed|postponed|paused|deprecated|discontinued|on hold|deprioriti[sz]ed|descoped|shelved|"
    r"scrapped|killed|greenlit|green-lit|locked in|ratified|adopted|rejected|"
    r"sunset|retired|decommissioned|final|settled|a no-go|a go|moved to|pushed to|deferred|punted|"
    r"chosen|selected|picked|named|appointed|"
    r"pushed back|moved up|rescheduled|bumped)\b"),
    # "Headcount for Q3 is approved" announces; "the PR was approved" reports a code review.

    ("final", r"^\W*final\s*:"),
    ("resolved|decided|agreed", r"^\W*(?:resolved|decided|agreed) (?:in|at|during|on) [^:\n]{3,40}:"),
    (" it is", r"^[\w .\-/+#]{1,40} it is(?:[.!]+(?=\s|$)|$)"),
    ("stay|remain|back on|back off", r"\b(?:stays|remains|stay|remain|staying|remaining) (?:as is|as-is|the same|unchanged|in place|"
    r"free|on|off|with|closed|open|put|where it is|exactly)\b|\b(?:is|are) back (?:on|off)\b(?! the table)"),
    ("calling it|done with", r"\b(?:we're|we are|i'm) (?:calling it|done with|officially done with)\b|\bcalling it:"),
    (" wins| won| it is", r"\b(?:option|plan|proposal|variant|version|approach|design|candidate) [\w-]+ (?:wins|won|it is)\b"),
    ("official|policy|standard|default|required|mandatory", r"\b(?:is|are) now (?:the )?(?:official|policy|standard|default|required|mandatory)\b|\bofficial policy\b"),
    ("lifted|reversed|overturned|waived|extended to", r"\b(?:is|are|has been|have been) (?:now |officially )?(?:lifted|reversed|overturned|waived|extended to)\b"),
    ("dropping|killing|sunsetting|deprecating|pausing|cancel|postponing|shelving|freezing|reverting|switching|moving|rolling back|going ahead with|proceeding with|cutting|merging|staying|keeping|splitting|ending|retiring|scrapping|ditching|axing|nixing|greenlighting|signing|committing|locking|parking|tabling|pulling|sunsetting|standardi|adopting|extending|delaying|deferring|punting", r"^\W*(?:dropping|killing|sunsetting|deprecating|pausing|cancell?ing|postponing|shelving|freezing|"
    r"reverting|switching|moving|rolling back|going ahead with|proceeding with|cutting|merging|staying|"
    r"keeping|splitting|ending|retiring|scrapping|ditching|axing|nixing|greenlighting|signing|committing to|"
    r"locking in|parking|tabling|pulling the plug|standardi[sz]ing on|adopting|extending|delaying|deferring|"
    r"punting) \w"),
    # A declarative change with a when, an order or a scope: "Premium response time goes from 8h to 4h",
    # "the portal will show prices starting next month", "we build Shopify before WooCommerce".
    ("goes|go |moves|move |switch|stays|stay |keeps|keep |gets|get |drops|drop |ends|starts|opens|closes|changes|becomes|defaults|requires|accepts|offers|shows|coming out|comes out|is back|are back|switched off|turned off|will |we |we're|we are|i'm going to|shipping|launching|rolling out|adding|removing|enabling|disabling|turning|introducing|raising|lowering|changing|extending|opening|closing&from |instead of|before |until |by |starting |on |in |next |this |one more|another |default|for good|after all|anymore|any more|entirely|permanently|going forward|tonight|today|tomorrow|for now|first",
     r"\b(?:goes|moves|switch(?:es)?|stays|keeps|gets|drops|ends|starts|opens|closes|changes|becomes|defaults|"
     r"requires|accepts|offers|shows|comes? out|(?:is|are) coming out|gets? switched off|gets? turned off|"
     r"will (?:go|move|switch|stay|keep|get|drop|end|start|open|close|change|become|default|require|accept|"
     r"offer|show|come out|be)|^\W*(?:shipping|launching|rolling out|adding|removing|enabling|disabling|"
     r"turning (?:on|off)|introducing|raising|lowering|changing|extending|opening|closing)|"
     r"we(?:'re| are)? (?!see|need|think|hope|want|should|could|would|might|can|"
     r"have|got|will|may|must|do|did|don't|didn't|had|were|was|also|all|just|still|discuss|talk|chat|"
     r"meet|sync|review|look|check|try|plan|expect|wonder|agree|disagree|know|feel|believe|guess)\w+(?:ing)?|we'll (?!see|need|think|hope|want|let|keep you|follow up|circle back|sync|"
     r"discuss|talk|check|look|try|figure)\w+|i'm going to \w+)\b"
     r"[^.!?\n]{0,80}?\b(?:from [\w$€£:.%/-]+ to\b|instead of|before (?:anything|we|the|touching|any)|"
     r"until (?:the |we |further|next|tomorrow|after|" + MONTHS + r"|" + DAYS + r"|\d)|by (?:end|the end|\d)|starting (?:today|tomorrow|now|next|"
     r"this|on|in|" + DAYS + r"|" + MONTHS + r")|from (?:today|tomorrow|now|next|" + DAYS + r"|" + MONTHS +
     r"|q[1-4]|\d{1,2}(?:st|nd|rd|th)? (?:" + MONTHS + r"))|on \d{1,2}(?:st|nd|rd|th)? (?:" + MONTHS + r")|"
     r"on (?:" + MONTHS + r") \d|on " + r"(?:" + DAYS + r")|in (?:" + MONTHS + r"|q[1-4]|h[12])\b|"
     r"next (?:week|month|quarter|sprint|release|cycle|year)|this (?:week|month|quarter|sprint|weekend|year)|"
     r"(?:one more|another) (?:year|release|quarter|month|cycle)|by default|as the default|for good|"
     r"after all|any ?more|entirely|permanently|going forward|tonight|today|tomorrow|for now|first\b)"),
    ("from|starting|as of|beginning", r"^\W*(?:from|starting|as of|beginning) (?:today|tomorrow|" + DAYS + r"|"
     r"\d{1,2}(?:st|nd|rd|th)? (?:" + MONTHS + r")|(?:" + MONTHS + r")(?: \d{1,2})?|next \w+|this \w+|"
     r"q[1-4]|h[12])\b"),
    ("starting", r"\bstarting (?:this|next) (?:week|weekend|month|quarter|sprint|release|cycle)\b"),
    ("won't fix|wont fix|wontfix|won't-fix|resolved|closing", r"\bwon'?t[- ]?fix\b|\bmarking (?:this |it )?(?:as )?"
     r"resolved\b|\bclosing (?:this |it )?(?:out )?as (?:won'?t|not planned|wontfix)"),
    ("that's a|that is a", r"\bthat(?:'s| is) a (?:no|yes|go|no-go|hard no) (?:on|for|to)\b"),
    ("moved|pushed|bumped", r"\b(?:moved|pushed|bumped) (?:up|back|out|forward) (?:a|one|two|by|to)\b"),
    ("bumped|moved|pushed|postponed|cancel|rescheduled|shelved|scrapped|killed|dropped|pulled",
     r"^\W*(?:bumped|moved|pushed back|postponed|cancell?ed|rescheduled|shelved|scrapped|killed|dropped|"
     r"pulled) (?!by\b|my\b|our (?:gym|lunch|dinner|trip)\b)\w"),
    ("(accepted)|(approved)|(decided)|(adopted)|(rejected)", r"\((?:accepted|approved|decided|adopted|rejected)\)"),
    ("freeze|ban|moratorium|embargo", r"\b(?:freeze|ban|moratorium|embargo|hiring freeze) is (?:now )?(?:on|in effect|lifted|over|off)\b"),
    ("support", r"\b(?:drops|dropping|dropped|ends|ending|ended) support for\b|\bsupport (?:ends|stops|is dropped|is ending)\b"),
    ("moves|switches|goes from", r"\b(?:moves|switches) (?:down |up |back |over )?(?:from [^.!?\n]{1,40} )?(?:to|into) "
     r"(?!see|check|bed|lunch|sleep|the next (?:stage|step|column|status))\w|\bgoes from [^.!?\n]{1,40} to \w"),
    ("coming out|going away|goes away", r"\b(?:is|are) (?:coming out of|going away)\b|\bgoes away\b"),
    ("is what|are what", r"\b(?:is|are) what (?:we're|we are|we'll be|we will be) (?:doing|going with|shipping|using|building)\b"),
    ("pull the plug|pulling the plug|pulled the plug", r"\b(?:pull|pulling|pulled) the plug on\b"),
    ("dead", r"\b(?:idea|project|feature|proposal|plan|initiative|effort|rfc|experiment|pilot) is (?:officially |now )?dead\b"),
    ("we're a|we are a", r"\bwe(?:'re| are) a (?:no|yes|go|no-go|hard no)\b"),
    ("yes to|no to", r"^\W*(?:yes|no) to (?:the |our |a )?\w"),
    ("decision's|decision is in", r"\bdecision(?:'s| is) (?:made|final|in)\b"),
    ("the answer is|answer:", r"\b(?:the answer is|answer:)\s*(?:no|yes|a hard no)\b"),
    ("we go live|we launch|we ship|we start|we switch|we move|we cut over|we freeze|we kick off|we roll out",
     r"\bwe (?:go live|launch|ship|start|switch|move|cut over|freeze|kick off|roll out)\b(?: [\w'-]+){0,3}? "
     r"(?:on|in|next|this|from|by|tomorrow|today)\b"),
    ("going ahead|goes ahead|go ahead", r"\b(?:is|are) (?:officially )?going ahead\b|\b(?:goes|will go) ahead\b"),
    ("approved|rejected|cancel|postponed|shelved|greenlit|confirmed|scrapped|denied|dropped|killed|deferred",
     r"^(?!(?:the )?(?:pr|mr|patch|diff|change|commit|expense|ticket|request|report)\b)[\w' -]{2,40} "
     r"(?:approved|rejected|cancell?ed|postponed|shelved|greenlit|confirmed|scrapped|denied|dropped|killed|"
     r"deferred)[.!]*$"),
    ("consensus|vote|acclamation", r"\b(?:adopted|passed|accepted|approved|agreed|carried|resolved) (?:by|via|through|with) "
    r"(?:lazy |silent |rough |unanimous |general )?(?:consensus|vote|acclamation)\b"),
    ("landing on|landed on|settling on|settled on|locking in|locked in|settles it|settled|decision made|call made|done deal", r"\b(?:landing on|landed on|settling on|settled on|locking in|locked in|that settles it|"
    r"it's settled|we're settled|decision made|call made|done deal)\b"),
    ("proceed|moving ahead|going ahead", r"\b(?:we're|we are|we'll|we will|i'm|i'll) (?:now )?(?:proceeding|proceed|moving ahead|going ahead)\b"),
    (" by ", r"(?<!be )(?<!been )(?<!being )(?<!get )(?<!gets )(?<!was )(?<!were )\b(?:approved|signed off) by "
     r"(?:the )?[a-z@]"),
    # "Screen-reader mode goes into the next sprint", "the launch moves to Q3"
    ("goes|go |moves|move |ships|ship |lands|launches|slips|pushed|starts|kicks off|rolls out|will &sprint|week|month|quarter|release|cycle|milestone|day|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|q1|q2|q3|q4|h1|h2|tomorrow|today|eod|eow|backlog|beta|ga|prod|0|1|2|3|4|5|6|7|8|9",
     r"\b(?:goes|moves|ships|lands|launches|slips|gets pushed|is pushed|starts|kicks off|rolls out|goes live|"
     r"goes out|will (?:go|move|ship|land|launch|start|roll out|slip))\b(?: [\w'-]+){0,4}? (?:next|this|on|by|in|"
     r"to|until|after|before|into|from) (?:the |our |a )?(?:next |following |coming )?(?:sprint|week|month|"
     r"quarter|release|cycle|milestone|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|"
     r"february|march|april|may|june|july|august|september|october|november|december|q[1-4]|h[12]|v\d|"
     r"\d{1,2}(?:st|nd|rd|th)?\b|tomorrow|today|eod|eow|backlog|beta|ga|prod|production)\b"),
    # policies: "all new services must…", "no one deploys on Fridays any more"
    ("must|required|may not|will|cannot|can't|no longer|gets|get |receive", r"(?:^|[.:;\n]\s*|\s-\s)(?:\W*)(?:all|every|any|each|no) (?:new |future |)[\w-]+s? "
     r"(?:(?:[\w$-]+ ){0,4})(?:must|will now|are required to|is required to|may not|cannot|can't|no longer|gets?|"
     r"will get|receives?|now gets?)\b"),
    ("agree", r"\b(?:we|everyone|all|we all) (?:are |all )?agree (?:that|to|on)\b"),
    ("the plan|the way forward|the path forward|the direction|the winner|the pick|the choice",
     r"\b(?:is|are) (?:now )?(?:the|our) (?:plan|way forward|path forward|direction|winner|pick|choice)\b"),
    ("then", r"^(?:ok|okay|fine|alright|right|cool|so),? (?!thanks|thank|thx|bye|see|talk|later|cya)"
     r"[\w' -]{1,24},? then\b[.!]*(?=\s|$)"),
    ("let", r"^let'?s not\b"),
    ("let", r"\blet'?s (?:roll with|run with|lock (?:it |that |this )?in|go for)\b"),
    ("plan|policy|rule", r"^(?:\W*)(?:change of plans?|new policy|new rule|policy change|plan change|rule change)\b"),
    ("discussion|discussed", r"^(?:\W*)(?:after (?:some |much |a lot of |long |lengthy )?discussion|as discussed|per (?:the |our )?"
     r"discussion)\b,?\s*(?:we|the|it|this|our|[a-z]+ (?:is|are|will|goes|stays))\b"),
    ("per |after |following |from ", r"^(?:\W*)(?:per|after|following|from) (?:today's|this week's|yesterday's|the|our|last week's) "
    r"(?:[\w-]+ ){0,3}(?:review|sync|meeting|call|discussion|standup|retro|council|committee|weekly|board|"
    r"leadership|steering|vote|decision)\s*[:,-]"),
    # a bulleted line in meeting notes: "• approved the rebuild plan as proposed"
    ("\n", r"(?<=\n)[•\-\s]*(?:approved|adopted|accepted|rejected) (?:the|a|an|\w+'s)\b"),
    flags=re.M,
)
LEADING_EMOJI = re.compile(r"^(?:emoji_\w+\s*)+")
# "decided to grab lunch": choices about one's own day are not work decisions.
PERSONAL = re.compile(
    r"\bdecided to (?:grab|get|have|take|work from|head|go home|call it|sleep|leave|log off|skip lunch)\b|"
    r"\bdecided (?:that )?(?:my|i'm|i am|i'll|i will|i'd)\b"
)

# Words in a sentence, before the phrase, that make it not (yet) a decision.
HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|once|unless|until|in case|suppose|supposing|assuming|would|might|maybe|perhaps|"
    r"possibly|probably|could|should|shall|what if|wonder|wondering|think we|thinking|considering|"
    r"i think|i believe|i guess|i assume|seems|looks like|afaik|iirc|apparently|rumou?r|"
    r"propose|proposing|proposal is|suggest|suggesting|recommend|recommending|hope|hoping|plan to|"
    r"planning to|want to|wanna|might want|need to decide|have to decide|before we|when we|"
    r"ask(?:ed|ing)? (?:whether|if)|about to|trying to|try to|sure (?:if|whether)|how we|"
    r"haven't|have not|hasn't|has not|didn't|did not|not yet|never|no one|nobody|nothing)\b"
)
# Negations anywhere in the sentence around a decision word.
UNDECIDED = re.compile(
    r"\b(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|don'?t|do not|not yet|not been|never|"
    r"yet to|still|can'?t|cannot|couldn'?t|won'?t be able|not) (?:\w+ ){0,2}(?:decided|decide|agreed|agree|"
    r"settled|chosen|picked|made (?:a|the) (?:decision|call)|final|landed|concluded|resolved|aligned)\b|"
    r"\b(?:undecided|no decision|nothing (?:is |has been )?(?:decided|final)|tbd|to be decided|"
    r"still deciding|still discussing|up in the air|not final|not set in stone|open question|"
    r"still debating|pending decision|decision pending|awaiting (?:a |the )?decision|(?:i'm|i am) going to "
    r"(?:say no|pass))\b|"
    # routine, not a new choice
    r"\b(?:as usual|as always|like always|as every (?:week|day|month)|as planned|as scheduled)\b"
)
# After a decision phrase, in its sentence: "we'll add tests later if we have time" is conditional.
CONDITION_AFTER = re.compile(r"\b(?:if|unless|provided|as long as|assuming)\b")
QUESTION_START = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*(?:should|shall|do|does|did|can|could|would|will|is|are|was|were|have|has|"
    r"had|what|why|how|when|which|who|where|any idea|anyone know|thoughts)\b"
)

# --- customer rationale ------------------------------------------------------------------------
CUSTOMER = re.compile(
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
    r"focus groups?|user research|usability (?:tests?|testing|study|sessions?)|user testing|surveys?|"
    r"feedback from|beta testers|early adopters|in the field|in the wild|"
    r"so (?:that )?(?:they|people|you|folks|everyone|anyone|nobody|no one) (?:can|can't|don't|won't|no longer|"
    r"will|get|have|stop|never|aren't|are not)|"
    r"our (?:enterprise|smb|pro|free|paying|biggest|largest|top)\b)"
)
# "<some people> asked for / told us / keep asking": whoever asks is the customer of the choice.
ASKERS = re.compile(
    r"\b[a-z]+s (?:[\w']+ ){0,3}?(?:have |had |all |kept |keep |literally )?(?:asked for|asking for|requested|told us|"
    r"keep asking|kept asking|kept telling|keep telling|complained|listed it|were bailing|are bailing|said|"
    r"kept writing in|keep writing in|wrote in|write in)\b"
)
# Before a people noun that is the subject of its sentence: "Most of our", "Eight of the ten", "Low-vision".
SUBJECT_LEAD = re.compile(
    r"\W*(?:(?:most|many|some|all|half|a lot|lots|plenty|several|few|none|\w+) of (?:the |our |their |those |these )?"
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
    r"library|side|sdk|app|code|certificate|secret|cert)\b"
)
# Plural nouns that usually name people by what they do.
ROLE_PLURAL = re.compile(
    r"\b(?:[a-z]{3,}(?:ers|ors|ists|ians|ees|ants|ents)|people|folks|staff|employees|colleagues|teammates|"
    r"newcomers|beginners|newbies|everyone who|anyone who|teams that|teams who|kids|adults|seniors|"
    r"women|men|humans|households|homeowners|renters|owners|nurses|doctors|clinicians|lawyers)\b"
)
NOT_PEOPLE = frozenset(
    """servers containers headers footers layers filters parameters orders numbers letters papers others
    matters chapters clusters workers buffers routers markers triggers answers offers registers computers
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

STOP = frozenset(
    "a an the our their for to of and or but because since so as by with from that this these those "
    "who which what when we they it is are was were be been many some most all any more".split()
)

# Every trigger word of the three rule sets, searched once per message.
TRIGGER_WORDS = tuple(sorted(APPROVAL_REQUEST.words | APPROVAL.words | DECISION.words))
