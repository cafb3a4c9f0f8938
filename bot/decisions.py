"""The decision rules as data: the phrases that record a choice made, and the words around
them that make a sentence a question, a hypothetical or a negation instead.

Every pattern runs on normalised text (lower case, markup turned into words; see text.py).
"""

from __future__ import annotations

import re

from bot.rules import rule_set

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
DAYS = "mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?"

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
     r"accepting|renewing|reverting|upgrading|changing|adding|removing|migrating)\b"),
    ("now ", r"\bnow (?:prints?|shows?|requires?|needs?|runs?|gets?|uses?|includes?|ships?|starts?|defaults?|"
     r"opens?|closes?|supports?|accepts?|offers?|sends?|sorts?|displays?|appears?|goes|go|lives?|applies|apply|"
     r"covers?|counts?|expires?|renews?)\b"),
    ("no longer", r"\bno longer (?:need|needs|require|requires|get|gets|have to|has to|support|supports|accept|"
     r"accepts|offer|offers|ship|ships|include|includes|show|shows|allow|allows|charge|charges|print|prints|"
     r"send|sends|run|runs)\b"),
    ("effective", r"\beffective (?:\d{1,2}(?:st|nd|rd|th)? (?:" + MONTHS + r")|(?:" + MONTHS + r")(?: \d{1,2})?|"
     r"(?:" + DAYS + r")|next \w+|q[1-4])\b"),
    ("becomes|become", r"\bbecomes? (?:mandatory|required|optional|the default|default|standard|read-only|"
     r"free|paid)\b"),
    ("no ", r"^\W*(?:nope\W+|ok\W+|okay\W+)?no [\w -]{1,30} (?:this|next) (?:week|month|quarter|sprint|"
     r"release|year|cycle)\b"),
    ("go from|goes from", r"\bgo(?:es)? from [^.!?\n]{1,40} to \w"),
    ("runs|ships|stays|goes|starts|moves|happens|lands|gets|keeps|sorts", r"\b(?:runs|ships|stays|goes|starts|moves|"
     r"happens|lands|gets|keeps|sorts)\b[^,.!?\n]{1,40}, not (?:the |a |an |on |in )?[\w'-]"),
    ("outcome|decisions|resolutions|agreed", r"(?:outcomes?|decisions|resolutions|agreed)\W*$"),
    ("slide|slides|slip", r"\b(?:slides?|slips?) to (?:q[1-4]|h[12]|next|" + MONTHS + r"|" + DAYS + r")\b"),
    ("closing the loop", r"\bclosing the loop\b"),
    ("final", r"\b(?:scope|plan|list|lineup|decision|answer|version|call),? final\s*:"),
    (" is in", r"\bis in,? [^.!?\n]{1,40} (?:is|are) out\b"),
    ("no more", r"^\W*(?:[\w ]{1,30}: )?no more [\w-]+ing\b"),
    ("now ", r"\bnow (?!is\b|has\b|was\b|works\b|looks\b|seems\b|does\b|says\b)[a-z]{3,}s\b"),
    ("go/no-go|go/no go", r"\bgo/no[- ]go\s*[:\-]\s*(?:go|no-go|no go)\b"),
    ("disposition|fcp", r"\b(?:final comment period|fcp)\b[^.!?\n]{0,40}\b(?:complete|completed|is now complete|"
     r"has ended|ended)\b|\bdisposition to (?:merge|close|postpone)\b[^.!?\n]{0,30}\bcomplete"),
    ("off the table|ruled out", r"\b(?:is|are) (?:now )?off the table\b|\bruled out\b"),
    ("green|signed off on", r"\b(?:green[- ]?lit|signed off on) (?:the|our)\b"),
    ("a go", r"\b(?:it's|it is|is) a go\b|\bwe're a go\b"),
    ("cancel|postpone|pause|deprecat|discontinu|on hold|deprioriti|descop|shelved|scrapped|killed|greenlit|green-lit|locked in|ratified|adopted|rejected|sunset|retired|decommission|approved|signed off|final|settled|no-go|a go|moved to|pushed|moved up|reschedul|bumped|deferred|punted|chosen|selected|picked|named|appointed|cut|reduced|raised|lowered|capped|limited|extended|shortened|frozen|merged|split|removed|replaced|renamed|decoupled|consolidated|mandatory|required|optional|in effect|default|gone& is | are | been | be | was | were | get", r"\b(?:is|are|has been|have been|will be|was|were|gets|get) (?:now |officially |formally |hereby )?"
    r"(?:cancell?ed|postponed|paused|deprecated|discontinued|on hold|deprioriti[sz]ed|descoped|shelved|"
    r"scrapped|killed|greenlit|green-lit|locked in|ratified|adopted|rejected|"
    r"sunset|retired|decommissioned|final|settled|a no-go|a go|moved to|pushed to|deferred|punted|"
    r"chosen|selected|picked|named|appointed|"
    r"pushed back|moved up|rescheduled|bumped|cut|reduced|raised|lowered|capped|limited|extended|"
    r"shortened|frozen|merged|split|removed|replaced|renamed|decoupled|consolidated|mandatory|required|"
    r"optional|in effect|the default|now in effect|gone)\b"),
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
    ("goes|go |moves|move |switch|stays|stay |keeps|keep |gets|get |drops|drop |ends|end |starts|start |opens|closes|changes|becomes|defaults|requires|accepts|offers|shows|coming out|comes out|is back|are back|switched off|turned off|will |we |we're|we are|i'm going to|shipping|launching|rolling out|adding|removing|enabling|disabling|turning|introducing|raising|lowering|changing|extending|opening|closing|stopping|pays|pay |runs|run |sorts|sends|fires|ships|lands|stop |send |print|sort|lose|loses&from |instead of|before |until |by |starting |on |in |next |this |one more|another |default|for good|after all|anymore|any more|entirely|permanently|going forward|tonight|today|tomorrow|for now|first|back|early|late",
     r"\b(?:goes|moves|switch(?:es)?|stays|keeps|gets|drops|ends|starts|opens|closes|changes|becomes|defaults|"
     r"requires|accepts|offers|shows|comes? out|(?:is|are) coming out|gets? switched off|gets? turned off|"
     r"pays|runs|sorts|sends|fires|ships|lands|prints|loses|"
     r"(?<=s )(?:go|move|switch|stay|get|drop|end|start|stop|open|close|change|become|pay|run|send|print|"
     r"sort|ship|lose)|"
     r"will (?!be able|need|have to|see|probably|likely|try|decide|discuss|talk|meet|let|keep you|follow|review|"
     r"consider|evaluate|think|update|share|get back|circle|sync|check|look|figure|confirm|report|post|"
     r"ping|email|reach)\w+|^\W*(?:shipping|launching|rolling out|adding|"
     r"removing|enabling|disabling|turning (?:on|off)|introducing|raising|lowering|changing|extending|opening|"
     r"closing|stopping)|"
     r"we(?:'re| are)? (?!see|need|think|hope|want|should|could|would|might|can|"
     r"have|got|will|may|must|do|did|don't|didn't|had|were|was|also|all|just|still|discuss|talk|chat|"
     r"meet|sync|review|look|check|try|plan|expect|wonder|agree|disagree|know|feel|believe|guess)\w+(?:ing)?|we'll (?!see|need|think|hope|want|let|keep you|follow up|circle back|sync|"
     r"discuss|talk|check|look|try|figure)\w+|i'm going to \w+)\b"
     r"[^.!?\n]{0,80}?\b(?:from [\w$€£:.%/-]+ to\b|instead of|before (?:anything|we|the|touching|any|\w+ing\b|"
     r"\d|" + MONTHS + r")|back (?:on|in|to|into)\b|a (?:day|week|month) (?:early|earlier|late|later)|"
     r"from (?:build|version|release|v)\s?[\w_]+|from the \d{1,2}(?:st|nd|rd|th)|"
     r"until (?:the |we |further|next|tomorrow|after|" + MONTHS + r"|" + DAYS + r"|\d)|by (?:end|the end|\d|q[1-4]|"
     r"h[12]|next|eod|eow|" + MONTHS + r"|" + DAYS + r")|starting (?:today|tomorrow|now|next|"
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
    ("moves|switches|move |switch ", r"\b(?:moves|switches|move|switch) (?:down |up |back |over )?(?:from [^.!?\n]{1,40} )?(?:to|into) "
     r"(?!see|check|bed|lunch|sleep|the next (?:stage|step|column|status))\w|\bgoes from [^.!?\n]{1,40} to \w"),
    ("coming out|going away|goes away", r"\b(?:is|are) (?:coming out of|going away)\b|\bgoes away\b"),
    ("is what|are what", r"\b(?:is|are) what (?:we're|we are|we'll be|we will be) (?:doing|going with|shipping|using|building)\b"),
    ("pull the plug|pulling the plug|pulled the plug", r"\b(?:pull|pulling|pulled) the plug on\b"),
    ("dead", r"\b(?:idea|project|feature|proposal|plan|initiative|effort|rfc|experiment|pilot) is (?:officially |now )?dead\b"),
    ("we're a|we are a", r"\bwe(?:'re| are) a (?:no|yes|go|no-go|hard no)\b"),
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
     r"\d{1,2}(?:st|nd|rd|th)?\b|\d+(?:_\d+)+|tomorrow|today|eod|eow|backlog|beta|ga|prod|production)\b"),
    # policies: "all new services must…", "no one deploys on Fridays any more"
    ("must|required|may not|will|cannot|can't|no longer|gets|get |receive|go in|go to|go through|live in|are built", r"(?:^|[.:;\n]\s*|\s-\s)(?:\W*)(?:all|every|any|each|no) (?:new |future |)[\w-]+s? "
     r"(?:(?:[\w$-]+ ){0,4})(?:must|will now|are required to|is required to|may not|cannot|can't|no longer|gets?|"
     r"will get|receives?|now gets?|go in|go to|go through|live in|are built in)\b"),
    ("agree", r"\b(?:we|everyone|all|we all) (?:are |all )?agree (?:that|to|on)\b"),
    ("the plan|the way forward|the path forward|the direction|the winner|the pick|the choice",
     r"\b(?:is|are) (?:now )?(?:the|our) (?:plan|way forward|path forward|direction|winner|pick|choice)\b"),
    ("then", r"^(?:ok|okay|fine|alright|right|cool|so),? (?!thanks|thank|thx|bye|see|talk|later|cya)"
     r"[\w' -]{1,24},? then\b[.!]*(?=\s|$)"),
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
    r"haven't|have not|hasn't|has not|didn't|did not|not yet|never)\b"
)
# Negations anywhere in the sentence around a decision word.
UNDECIDED = re.compile(
    r"\b(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|don'?t|do not|not yet|not been|never|"
    r"yet to|still|can'?t|cannot|couldn'?t|won'?t be able|not) (?:\w+ ){0,2}(?:decided|decide|agreed|agree|"
    r"settled|chosen|picked|made (?:a|the) (?:decision|call)|final|landed|concluded|resolved|aligned)\b|"
    r"\b(?:undecided|no decision|nothing (?:is |has been )?(?:decided|final)|tbd|to be decided|"
    r"still deciding|still discussing|up in the air|not final|not set in stone|open question|"
    r"still debating|pending decision|decision pending|awaiting (?:a |the )?decision|(?:going to|gonna|have to|"
    r"saying) (?:say no|pass)|saying no|decided nothing|agreed nothing|decided on nothing)\b|"
    r"^\W*(?:friendly )?reminder\b|"
    # routine, not a new choice
    r"\b(?:as usual|as always|like always|as every (?:week|day|month)|as planned|as scheduled)\b"
)
# After a decision phrase, in its sentence: "we'll add tests later if we have time" is conditional.
CONDITION_AFTER = re.compile(
    r"\b(?:if (?:we have time|needed|necessary|possible|time permits|there's time|we can|it works|all goes well|"
    r"nobody|no one|anyone|qa|legal|finance|they)|provided that|as long as|assuming)\b"
)
QUESTION_START = re.compile(
    r"^(?:@[\w.\-]+[,:]?\s+)*(?:should|shall|do|does|did|can|could|would|will|is|are|was|were|have|has|"
    r"had|what|why|how|when|which|who|where|any idea|anyone know|thoughts)\b"
)
