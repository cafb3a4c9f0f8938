"""The customer as a clean noun phrase: the people noun a customer rule matched, with only the words that
modify it ("churned accounts", "smb customers", "plugin authors"), never a verb, a preposition or half a clause
("give users", "to users", "people who").

Closed classes are listed whole; verbs, an open class, by the common ones that come before the people they act
on; word shape does the rest (-ly adverbs; -ing and -ed forms modify only inside a noun phrase a determiner
opens: "the affected users", not "informing readers"). Every function reads a few words either side of a match.
"""

from __future__ import annotations

import re

from bot.customers import CUSTOMER, NOT_PEOPLE, ROLE_PLURAL

DETERMINERS = frozenset(
    """a an the this that these those my your his her its our their whose which what whatever some any no every
    each either neither all both half many much more most few fewer less least several enough other another such
    same own""".split()
)
# The determiners that only ever open a noun phrase: "this", "which" may be a subject ("this forces people",
# "which allows customers"), "all", "both" may float ("we can both help users").
_NOUN_OPENERS = frozenset("a an the my your his her its our their every no several many most some any few".split())
_DEMONSTRATIVES = frozenset(("those", "these"))
PRONOUNS = frozenset(
    """i me we us you he him she it they them myself ourselves yourself yourselves themselves itself one ones
    someone anyone everyone nobody somebody anybody everybody something anything everything nothing who whom
    whoever""".split()
)
PREPOSITIONS = frozenset(
    """about above across after against along alongside amid among amongst around as at before behind below
    beneath beside besides between beyond by despite down during except for from in inside into like near of off
    on onto out outside over past per since than through throughout till to toward towards under underneath
    unlike until up upon via with within without versus vs""".split()
)
# After a subject, a modal or "do", the next word is a verb: "we email users", "will host", "don't want".
_VERB_NEXT = frozenset(
    """i we you he she they it will would can could shall should must may might do does did don't doesn't didn't
    won't wouldn't can't cannot couldn't shouldn't mustn't let's""".split()
)
_VERB_BEFORE = _VERB_NEXT | {"to"}
_PERFECT = frozenset("have has had having".split())
FUNCTION_WORDS = (
    DETERMINERS
    | PRONOUNS
    | PREPOSITIONS
    | _VERB_NEXT
    | _PERFECT
    | frozenset(
        """and or but nor so yet because although though if unless whether while whereas where when whenever wherever
    why how once then else otherwise also plus is are was were be been being am ought not never always often
    sometimes usually just only even still already again too very really quite rather almost nearly now today
    tomorrow yesterday tonight soon later here there maybe perhaps lot lots plenty bunch majority minority number
    couple rest none first second third fourth fifth next one two three four five six seven eight nine ten eleven
    twelve twenty thirty fifty hundred thousand million dozen yes ok okay please thanks etc""".split()
    )
)
# Nouns that head a clause rather than modify a noun ("the first thing integrators touch"), and adjectives that
# only follow a verb ("make sure subscribers…").
_NEVER_MODIFIERS = frozenset(
    """thing things way ways time times reason reasons point place case cases kind sort type part stuff sure able
    unable aware unaware glad afraid alone alike ready""".split()
)
_VERBS = """accept add address adopt advise affect alert allow annoy answer apply appear ask assign assume avoid ban
    become believe bill block bore bother brake break bring build burden buy call cause change charge check choose
    come communicate complain confirm confuse connect consider contact continue convince cost create cut deal
    decide delay delete delight deliver deny depend deprecate describe disable disappoint discourage disrupt drive
    drop email enable encounter encourage enforce ensure exclude exit expect explain export expose fail feel find
    fix focus force frustrate get give go grandfather grant guide happen harm hear help hit hold hope hurt ignore
    impact improve include indicate inform integrate interrupt invite involve keep kick know lead leave let like
    limit list lock lose love make manage mean meet mention message migrate mislead miss move need note notify
    nudge offer onboard order owe pay permit ping plan prefer present prevent prioritise prioritize prohibit
    promise protect provide publish punish push put reach read receive recommend redirect reduce refund reject
    release relieve rely remind remove replace require reset restrict return reward route run satisfy save say see
    seem sell send serve set share show sign solve start stay stop suggest support surprise survey take talk target
    teach tell thank think train treat trust try turn understand unblock update upgrade upset upsell urge use wait
    want warn welcome win wish worry write""".split()
_IRREGULAR = """became begun bought brought broke broken built came chose chosen did drove driven fed felt found gave
    given got gotten gone went had heard held hid hidden hit hurt kept knew known laid led left let lost made meant
    met misled paid put ran said sat saw seen sent set shown shut sold spent stood stuck taken took taught thought
    told understood won wrote written""".split()


def _inflections(verb: str) -> set[str]:
    """A verb's regular forms: give → gives, giving; stop → stopped, stopping; rely → relies, relied."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", verb + "es", stem + "ed", stem + "ing"}
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "o", "u"):
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
    if len(verb) > 2 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    return forms


VERB_FORMS = frozenset(_IRREGULAR).union(*(_inflections(v) for v in _VERBS))
# Participles that describe people wherever they stand ("for existing users", "help paying customers").
ADJECTIVAL = frozenset(
    """existing paying returning remaining incoming upcoming working visiting aspiring struggling participating
    contributing affected registered verified unverified invited churned churning lapsed paid unpaid trusted
    dedicated experienced qualified skilled disabled retired licensed subscribed interested sighted impaired
    logged-in signed-in signed-up""".split()
)
# -ing words that are nouns and modify like any noun ("small accounting firms", "building managers").
_ING_NOUNS = frozenset(
    """accounting marketing engineering nursing housing billing banking gaming shipping hosting streaming learning
    training manufacturing consulting publishing recruiting ticketing farming mining trucking catering cleaning
    printing clothing dining parking coaching tutoring boarding teaching planning purchasing lending fundraising
    building meeting morning evening spring king ring string sibling wedding""".split()
)
# Words ending in -ly that are adjectives or nouns, not adverbs ("early adopters", "family caregivers").
_LY_WORDS = frozenset(
    """early elderly daily weekly biweekly monthly yearly quarterly hourly nightly friendly unfriendly lonely lovely
    likely unlikely costly family supply assembly italy july ugly silly anomaly monopoly rally tally belly bully
    jelly holly molly kelly sally emily billy reply apply""".split()
)
# Plurals that modify a noun anywhere; any other needs a determiner ("the returns clerks"), for a plural before a
# people noun usually ends a clause ("in the interviews users thought…").
_PLURAL_MODIFIERS = frozenset(
    "sales ops devops windows news sports arts systems operations logistics analytics".split()
)
# Modifiers a rule matches on their own: the nouns after them belong to the phrase ("churned accounts").
MODIFIER_CUES = frozenset(
    "churned churning first-time downstream enterprise smb pro free paying biggest largest top".split()
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")
_LAST_WORD = re.compile(r"([a-z0-9][a-z0-9'-]*?)(?:[.,;:!?)\"]|\n)")  # "distributions." ends its clause
_LETTER = re.compile(r"[a-z]")
_REACH = 80  # how far either side of a match words are read: more than any three words people write


def is_people(word: str) -> bool:
    """A word that names people by itself ("users", "nurses", "community")."""
    word = _bare(word)
    return bool(CUSTOMER.fullmatch(word) or ROLE_PLURAL.fullmatch(word)) and word not in NOT_PEOPLE


def _bare(word: str) -> str:
    """The word without a possessive: "customer's" → "customer", "users'" → "users"."""
    return word[:-2] if word.endswith("'s") else word[:-1] if word.endswith("s'") else word


def _is_verbal(word: str) -> bool:
    """A verb form, or shaped like a participle or gerund ("give", "breaking", "deprecated")."""
    return word in VERB_FORMS or (len(word) > 5 and word.endswith(("ing", "ed")) and word not in _ING_NOUNS)


def _is_adverb(word: str) -> bool:
    last = word.rsplit("-", 1)[-1]
    return len(last) > 4 and last.endswith("ly") and last not in _LY_WORDS


def is_modifier(word: str, before: str | None) -> bool:
    """`word` can modify the noun after it, `before` being the word in front of it (None at the start of a
    clause): an adjective, a noun, an acronym or a possessive; never a function word, an adverb or a verb, and a
    participle only inside a noun phrase a determiner opens ("the affected users")."""
    if not _TOKEN.fullmatch(word) or not _LETTER.search(word):
        return False
    if word in FUNCTION_WORDS or word in _NEVER_MODIFIERS or before in _VERB_NEXT:
        return False
    if _bare(word) != word:  # a possessive: "the clinic's nurses", but not "it's", "that's"
        return _bare(word) not in FUNCTION_WORDS
    if "'" in word or _is_adverb(word):  # "don't", "we're"; "really", "especially"
        return False
    if word in ADJECTIVAL:
        return True
    opened = before is not None and (before in _NOUN_OPENERS or _bare(before) != before)
    if word in VERB_FORMS or (word.endswith("ing") and _is_verbal(word)):
        return opened
    if _is_verbal(word):  # -ed, not a verb we know: an adjective ("uninsured"), unless after "have"
        return before not in _PERFECT
    plural = len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "ics"))
    return opened or not plural or word in _PLURAL_MODIFIERS


def _is_noun_word(word: str) -> bool:
    """Inside a matched phrase: a word of its noun phrase, not of a clause around it ("people", not "who")."""
    if is_people(word):
        return True
    if not _TOKEN.fullmatch(word) or word in FUNCTION_WORDS or ("'" in word and _bare(word) == word):
        return False
    return word in ADJECTIVAL or not (_is_verbal(word) or _is_adverb(word))


def _words_before(norm: str, pos: int, count: int) -> list[str | None]:
    """Up to `count` words just before `pos`, nearest first, joined to it by single spaces; a None marks the start
    of the clause (a line break, punctuation or the start of the text)."""
    if pos < 2 or norm[pos - 1] != " ":
        return [None]
    start = max(0, pos - 1 - _REACH)
    parts = norm[start : pos - 1].split(" ")[1 if start else 0 :]  # the first part may be cut
    words: list[str | None] = []
    for part in reversed(parts):
        if len(words) == count:
            return words
        line_start, part = "\n" in part, part.rsplit("\n", 1)[-1]
        if not _TOKEN.fullmatch(part):
            break
        words.append(part)
        if line_start:
            break
    return [*words, None]


def _words_after(norm: str, pos: int, count: int) -> list[str]:
    """Up to `count` words just after `pos`, joined by single spaces, up to any punctuation."""
    words: list[str] = []
    if pos >= len(norm) or norm[pos] != " ":
        return words
    for part in norm[pos + 1 : pos + 1 + _REACH].split(" ")[:count]:
        if not _TOKEN.fullmatch(part):
            words += [cut.group(1)] if (cut := _LAST_WORD.match(part)) else []
            break
        words.append(part)
    return words


def modifiers_before(norm: str, pos: int, limit: int = 2) -> list[str]:
    """The words right before `pos` that modify the noun there ("churned", "smb", "low-vision")."""
    words = _words_before(norm, pos, limit + 1)
    lead: list[str] = []
    for i, word in enumerate(words[:limit]):
        if word is None or not is_modifier(word, words[i + 1] if i + 1 < len(words) else None):
            break
        lead.insert(0, word)
    return lead


def _phrase_before(norm: str, pos: int) -> list[str]:
    """The noun phrase that ends right before `pos` ("food banks" in "food banks on the waitlist")."""
    head = _words_before(norm, pos, 1)[0]
    if head is None or not _is_noun_word(head):
        return []
    return [*modifiers_before(norm, pos - len(head) - 1), head]


def _phrase_after(norm: str, pos: int, limit: int = 3) -> list[str]:
    """The noun phrase right after `pos`, without its determiner ("merchants" in "from merchants who")."""
    words = _words_after(norm, pos, limit + 2)
    skipped = []
    while words and words[0] in DETERMINERS:
        skipped.append(words.pop(0))
    if words and words[0] in PRONOUNS:
        return [] if skipped else words[:1]
    phrase: list[str] = []
    for word in words[:limit]:
        if not _is_noun_word(word) or (phrase and word.endswith("ing") and word not in _ING_NOUNS):
            if phrase and word.endswith("s") and word[:-1] in VERB_FORMS and not word.endswith("ss"):
                phrase.append(word)  # a plural that looks like a verb ends the phrase: "downstream ci builds"
            break
        phrase.append(word)
    return phrase or [w for w in skipped[-1:] if w in _DEMONSTRATIVES]  # "feedback from those who…"


def _runs(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of noun-phrase words. A determiner opens a noun phrase that lasts to the next
    function word, whatever its words look like; an -ing word last, after a noun, is a clause ("devs building")."""
    runs, start, opened = [], None, False
    for i, word in enumerate([*words, ""]):
        if opened and word and (word not in FUNCTION_WORDS or (start is None and word == "it")):
            noun = True  # right after a determiner "it" is IT: "their it leads"
        else:
            opened = False
            noun = bool(word) and _is_noun_word(word)
            noun = noun and not (start is not None and i == len(words) - 1 and word.endswith("ing"))
        opened = opened or (word in _NOUN_OPENERS and start is None)
        if noun and start is None:
            start = i
        elif not noun and start is not None:
            runs.append((start, i))
            start = None
    return runs


def noun_phrase(norm: str, start: int, end: int) -> str:
    """The customer named by the rule match at norm[start:end], as a clean noun phrase.

    The match may be a people noun ("users"), a noun with a clause after it ("people who", "tickets from"), or a
    clause that only points at them ("so that they can", "on the waitlist"); the phrase is the people noun with
    its modifiers, the noun the clause points at, or a pronoun.
    """
    while start > 1 and norm[start - 1] == "-" and norm[start - 2].isalnum() and end - start < _REACH:
        start -= 1  # the whole hyphenated word: "screen-reader", not "reader"
        while start > 0 and norm[start - 1].isalnum():
            start -= 1
    words = norm[start:end].split()
    if words[-1] == "from" or (len(words) > 1 and words[-2] == "from"):  # "tickets from merchants"
        if after := _phrase_after(norm, end if norm[end - 1] != " " else end - 1):
            return _join(after)
    if words[0] in PREPOSITIONS or words[0] in ("who", "that") or words[0].endswith("ing"):
        if before := _phrase_before(norm, start):  # "food banks on the waitlist", "shops buying from us"
            return _join(before)
    runs = _runs(words)
    if not runs:
        pronoun = next((w for w in words if w in PRONOUNS or w in _DEMONSTRATIVES), None)
        return pronoun or _join(_phrase_before(norm, start) or words)
    people = [r for r in runs if any(is_people(w) for w in words[r[0] : r[1]])]
    after_for = [r for r in runs if "for" in words[: r[0]]]  # "broke the flow for a blind caseworker"
    first, last = (people or after_for or runs)[0]
    phrase = words[first:last]
    if first == 0:
        phrase = [*modifiers_before(norm, start), *phrase]
    if last == len(words):
        after = _phrase_after(norm, end, 2)
        if phrase[-1] in MODIFIER_CUES or phrase[-1] in ADJECTIVAL or after_for:
            phrase += after  # "churned" → "churned accounts", "a blind" → "a blind caseworker"
        elif after and is_people(after[0]) and not phrase[-1].endswith("s"):
            phrase.append(after[0])  # "screen reader users", "community members"
    return _join(phrase)


def _join(words: list[str]) -> str:
    return " ".join([*words[:-1], _bare(words[-1])])


def weak_match(norm: str, start: int, end: int) -> bool:
    """A match that is probably not the people noun it looks like: part of a longer word ("host" in "hosted",
    "user" in "userspace"), or a verb ("we will host")."""
    if end < len(norm) and norm[end].isalnum() and norm[end - 1].isalnum():
        return True
    return norm[start:end] in VERB_FORMS and _words_before(norm, start, 1)[0] in _VERB_BEFORE


def weak_phrase(norm: str, start: int, end: int) -> str:
    """The phrase for a weak match when no better one follows: never a piece of a word."""
    if end < len(norm) and norm[end].isalnum() and norm[end - 1].isalnum():
        if (last_word := norm.rfind(" ", start, end)) != -1:  # "people in" of "people indicating…"
            return noun_phrase(norm, start, last_word)
        while end < len(norm) and end - start < _REACH and (norm[end].isalnum() or norm[end] in "'-"):
            end += 1
        return _bare(norm[start:end].strip("'-"))  # "hosted" for "host"
    return noun_phrase(norm, start, end)


def asker_phrase(norm: str, start: int, end: int) -> str:
    """Who asked, from the words before the asking verb (ASKERS' `who`): "ops managers" in "the ops managers
    asked for it", "small practices" in "small practices told us", "they" in "this week and they all said"."""
    words = norm[start:end].split()
    last = len(words)
    while last and not (_is_noun_word(words[last - 1]) or words[last - 1] in PRONOUNS):
        last -= 1
    if not last or words[last - 1] in PRONOUNS:
        return words[last - 1] if last else _join(_phrase_before(norm, start) or words[:1])
    first = last - 1
    while first and _is_noun_word(words[first - 1]):
        first -= 1
    return _join([*(modifiers_before(norm, start) if first == 0 else []), *words[first:last]])


def subject_phrase(norm: str, start: int, end: int) -> str:
    """The people a PEOPLE_SUBJECT match names ("home cooks" who arrive…, the "ap team" works…); when its plural
    is a verb ("the current wording indicates that…"), the subject before it."""
    word = norm[start:end]
    if word in VERB_FORMS and not is_people(word) and (before := _phrase_before(norm, start)):
        return _join(before)
    return _join([*modifiers_before(norm, start), *word.split()])
