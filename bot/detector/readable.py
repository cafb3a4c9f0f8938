"""Whether the detector can judge a message at all.

The detector is a learned model of English chat prose. Given another language, a code paste, a list
of links or a log or data dump it would still produce a confident guess, so `unreadable` names the
problem first and the bot stays quiet instead of guessing.

How it reads the raw text (markup included, since `bot.text.plain` drops code and quotes):

* Code fences and `<pre>` count as code, or as a paste when their lines look like log lines, a
  stack trace or JSON; inline code is a noun in a sentence and counts a little. URLs (bare, Slack
  `<url|label>`, Markdown) count as links; a link's label stays prose. Quote lines, mentions and
  tags count for nothing.
* Every other line is a paste line (tracebacks, JSON, key=value runs, CSV/TSV/table rows, aligned
  columns, hex or base64 blobs, rows of numbers; log lines and error messages when there are two),
  a code line (`def f(`, `const x =`, diffs, a statement ending in `;` or `{`, symbol-dense or
  indented symbol-heavy lines), or prose.
* Code, a paste or links win only when they are most of the message and the prose is short: a
  decision written around a snippet is still judged.
* The prose's language: letters of a non-Latin script (CJK, Cyrillic, Arabic, Devanagari...) mean
  not English; else the words found only in one language's list of common short words are counted
  (English and eleven others), and another language must clearly outscore English. Without such
  evidence ("LGTM", "+1", "r=me", "bors r+", "PTAL") a message is judged.

Pure and fast: standard library only, one pass over at most the first `READ_CHARS` characters and
`READ_LINES` lines in all, so a 40,000-character paste costs about as much as a 4,000-character one.
"""

from __future__ import annotations

import html
import re
from collections import Counter

# Enough to see what a message is; a paste does not turn into prose on page two.
READ_CHARS = 4_000
READ_LINES = 120
LANGUAGE_CHARS = 1_500  # the language is judged on the first this many characters of prose

NOT_ENGLISH = "not English"
_LOG = "log line"  # a paste line that, alone in a message, is read as prose
CODE = "mostly code"
LINKS = "mostly links"
PASTE = "a paste (log or data)"

# Code, paste or links need this many non-space characters, and the prose must stay under
# PROSE_WORDS words and PROSE_SHARE of the characters, before the message counts as one of them.
MIN_OTHER_CHARS = 20
PROSE_WORDS = 20
PROSE_SHARE = 0.3
LINK_SHARE = 0.6
INLINE_CODE_CHARS = 12  # the most non-space characters one inline code span counts for

# Common short words per language. English is first; the others only ever argue "not English".
# Words an English message uses freely ("no", "me", "on", "per", "con", "die", "also") are left out
# of the other lists, so names, quotes and loanwords in English text add little to them. The jargon
# every language's chat borrows (merge, PR, CI, LGTM, deploy, release, fix) is in no list at all.
_WORDS = {
    "en": """about above after again against ago all almost along already also although always am among an and
        another any anybody anyone anything anyway are aren around as ask asked at away back bad be because been
        before behind being below better between both but by can cannot could couldn did didn do does doesn doing
        don done down during each either else enough even ever every everyone everything few fine for from further
        get gets getting give go goes going gone good got great guess had hadn has hasn have haven having he her
        here hers him his how however if in instead into is isn it its itself just keep know last later least less
        let like ll looks lot made make many may maybe me might mine more most much must my need needs never new
        next no nobody none nor not nothing now of off on once one only or other others our ours out over own please
        probably quite rather re really right said same say see seems shall she should shouldn since so some someone
        something soon still such sure than thank thanks that the their them then there these they thing things
        think this those though through thus till to today together tomorrow too took toward try under unless until
        up upon us ve very want wants was wasn way we well went were weren what whatever when where whether which
        while who whom whose why will with within without won would wouldn yeah yep yes yet you your yours able
        actually add added agree agreed anymore believe call come coming day days decide decided decision easy end
        feel first found friday happy hard help hold idea later likely look looking means monday month morning move
        moving nice people point put quick reason small sorry take thursday tonight tried tuesday understand use
        used using wait wednesday week work works worth wrong yesterday""",
    "de": """aber alle allem allen aller alles als andere anderen auch auf aus bei beim bereits bevor bitte bleibt
        da dafür daher damit danach dann danke darauf darum das dass dein deine dem den denn der des dich dies diese
        diesem diesen dieser dieses doch dort durch eine einem einen einer eines einig einverstanden erst etwas euch
        freigegeben für gehen geht gemacht genehmigt gerade gern gibt haben habe hast hatte hätte heute ich ihm ihn
        ihr ihre immer ist jetzt kann kein keine können könnte machen mal mehr mich mir möchte morgen muss müssen
        nach nicht nichts noch nur oder ohne sehr sein seine sich sind schon sollen sollte soll über uns unser
        unsere unter viele vom von vor wann warum weil weiter welche wenn werde werden wie wieder wir wird wo wurde
        wurden zu zum zur zusammen zwischen ja nein woche freitag montag entschieden passt gerne genau prima""",
    "fr": """aux avec avez avons beaucoup bien bon bonne ce cela celui ces cette chez comme comment dans de déjà des
        donc du elle elles en encore est et été être fait faire faut ici il ils je jour jusqu la le les leur leurs
        lui mais merci mes mettre moi mon même nos notre nous ou où oui pas peu peut peux pourquoi pour quand que
        quel quelle qui quoi sans semaine ses sont sur toi tous tout toute toutes très trop tu une vendredi vers vos
        votre vous ça qu demain parce avoir validé décidé accord lundi valide parfait""",
    "es": """ahora algunos aquí así aunque bien bueno cada como cómo cuando cuál del desde donde de dónde el ella
        ellos en entonces es esa ese eso esta está están este esto estos fue gracias hacer hay hemos hoy la las le
        les lo los mañana más mejor mi mismo muy nos nosotros nuestra nuestro otra otro para pero poco por porque
        puede pues que qué semana ser sí sido sobre su también tiene tienen todos tu una unos usted vamos aprobado
        adelante decidimos viernes lunes equipo vale perfecto listo claro hecho acuerdo""",
    "pt": """agora ainda aqui assim até cada como da das depois dele dela deles dessa desse disso ela ele eles então
        essa esse está estamos estão este fazer foi hoje isso isto já mais mas muito não nem nos nós nossa nosso
        obrigado obrigada onde ou para pela pelo pode porque por que quando de ser será seu sua são também tem temos
        tudo uma você vocês vamos semana amanhã aprovado decidimos sexta segunda equipe certo""",
    "it": """abbiamo adesso alla alle anche ancora avete bene che chi cosa così cui da dal dalla dei del della delle
        dell deve devo di dopo ecco essere fatto già gli grazie hanno ho il lei loro lui ma mi molto nel nella nell
        noi nostro nostra oggi ogni ora perché però più possiamo prima proprio quando quella quello questa questo
        qui quindi se sei sempre siamo sono stato sua suo sul sulla sull tra tutti tutto una uno voi domani
        settimana approvato deciso venerdì lunedì perfetto procedi mille certo giusto""",
    "nl": """aan alleen als bij dat deze dit doen een eens geen gaan gaat goed de en graag heb hebben heeft het hier
        ik ja je jij kan komen kunnen maar meer mij misschien moet moeten morgen naar niet nog nu ons onze ook te
        toch tot uit vandaag veel voor waar wat wel wij wil worden wordt zal ze zeker zich zijn zo zou bedankt
        akkoord besloten goedgekeurd vrijdag maandag prima""",
    "sv": """att och det är inte jag för på med som har av om kan ska nu också efter från eller hej tack vad alla
        bara där här någon måste""",
    "da": """og det ikke jeg på med som har af om kan skal nu også efter fra eller hej tak godt hvad alle så der
        nogen skal være""",
    "pl": """nie się jest że jak ale czy już tak tylko jeszcze może być mamy będzie przez dla bardzo też tego tym
        jego jej dzięki dziękuję dobrze jutro""",
    "tr": """ve bir bu da için ile değil çok daha ama gibi olarak sonra kadar şimdi evet hayır teşekkürler tamam
        yarın yok biz""",
    "id": """yang di ini itu dengan untuk tidak dari dalam akan pada juga ke karena sudah bisa kami kita saya atau
        jika terima kasih belum setuju""",
}
_LANGS = tuple(_WORDS)
_SETS = [set(_WORDS[lang].split()) for lang in _LANGS]
_LANG_BITS = {w: sum(1 << i for i, words in enumerate(_SETS) if w in words) for w in set().union(*_SETS)}
_EN = 1
# For each mask seen in the lists: the foreign languages it names, computed once.
_FOREIGN_OF = {m: tuple(i for i in range(1, len(_LANGS)) if m >> i & 1) for m in set(_LANG_BITS.values())}
_LANG_CODES = frozenset("en de fr es pt it nl sv da pl tr id".split())

_WORD = re.compile(r"[^\W\d_]+")
# The same split for ASCII text, several times faster: everything but a letter becomes a space.
_ASCII_NON_LETTERS = bytes(c if chr(c).isalpha() and c < 128 else 32 for c in range(256))  # for bytes.translate
# Letters outside the Latin blocks (Basic, Latin-1, Extended-A/B, Extended Additional).
_NON_LATIN = re.compile(r"[^\W\d_\x00-\u024f\u1e00-\u1eff]+")
_EMOJI_CODE = re.compile(r":[a-z][a-z0-9_+'\-]*:")
# Locale codes ("en-US", "de_DE", "pt-BR") name languages; they are not written in them.
_LOCALE = re.compile(r"\b[a-z]{2}[-_][A-Z]{2}\b")

# Bounded and stopping at the next "<", so that a "<" that never closes costs a little.
_SLACK_LINK = re.compile(r"<((?:https?|mailto|ftp):[^|<>\s]{1,2000}+)(?:\|([^<>\n]{0,300}+))?>")
_SLACK_REF = re.compile(r"<[@#!][^<>\n]{0,200}+>")
_BREAK = re.compile(r"<(?:br|/p|/div|/li|/tr)\s*/?>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^<>]*>")
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>|&gt;).*$", re.M)
_QUOTED = ("\n>", "\n&gt;", "\n >", "\n &gt;")
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.[\w-]+\.\S+")

_LEVEL = r"(?:INFO|WARN(?:ING)?|ERROR|DEBUG|TRACE|FATAL|CRITICAL)"
# A line that starts like a stack-trace frame or a JSON member; or (the "log" group, weaker: one
# such line in a message is read as prose) like a log line or an error message.
_PASTE_LINE = re.compile(
    rf"""Traceback\ \(most\ recent\ call\ last\)
    | File\ "[^"]+",\ line\ \d+
    | at\ [\w$.<>\[\]/\ ]+\([^()]*:\d+(?::\d+)?\)$
    | at\ [\w$.<>]+\((?:Native\ Method|Unknown\ Source)\)$
    | at\ (?:/|file:|[A-Za-z]:\\)\S*:\d+
    | (?:[a-z_]\w*\.)+[A-Z]\w*(?:Error|Exception)\b
    | \.\.\.\ \d+\ more | goroutine\ \d+\ \[ | \#\d+\s+0x[0-9a-fA-F]+ | -->\ \S+:\d+
    | "[^"\n]{{1,80}}"\s*:\s*(?:(?:"[^"\n]*"|-?\d[\d.eE+-]*|true|false|null)\s*,?$|[\[{{])
    | [\[{{]\s*(?:"|$)
    | (?P<log>\[?(?:{_LEVEL}\]?[\s:]+)?\[?\d{{4}}[-/.]\d\d[-/.]\d\d[T _]\d\d:\d\d
      | \[?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s
      | [A-Z][a-z]{{2}}\s+\d{{1,2}}\s\d\d:\d\d:\d\d
      | [IWEF]\d{{4}}\s\d\d:\d\d:\d\d
      | \[\s*\d+\.\d{{4,}}\]
      | \[{_LEVEL}\]
      | {_LEVEL}\s+(?:\[[\w.$-]+\]|[\w$-]+(?:\.[\w$-]+)+:?)\s
      | level=\w
      | [A-Z]\w+(?:Error|Exception)(?::\s|$)
      | Caused\ by:\s | panic:\s | thread\ '[^']*'\ panicked | npm\ (?:ERR|WARN)! | error\[E\d+\])
    """,
    re.X,
)
# A line that starts or ends like source code or a shell command.
_CODE_LINE = re.compile(
    r"""(?:async\s+)?def\s+\w+\s*\( | class\s+\w+\s*[(:{] | from\s+[\w.]+\s+import\s
    | import\s+[\w.]+(?:\s+as\s+\w+)?;?$ | import\s.*\sfrom\s+['"]
    | (?:const|let|var)\s+[\w{}\[\],\s]+= | (?:function|func|fn)\s*\w*\s*\(
    | return\s.*;$ | (?:public|private|protected)\s+(?:static\s+)?[\w<>\[\]]+\s+\w+\s*[(;=]
    | \#(?:include|define|ifdef|ifndef|endif|pragma)\b | (?:if|for|while|switch|catch)\s*\(.*\)\s*\{$
    | \}\s*(?:else|catch|finally)\b | \$\s+[a-z] | @\w+(?:\.\w+)*\(
    | (?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\s+[\w*(),.\s]+\s(?:FROM|INTO|SET|TABLE|WHERE)\b
    | \w+\([^()]*\)$ | [\w.]+\.\w+\(.*\);?$
    | [A-Za-z_][\w.\[\]]*\s*(?:[-+*/|&]?=|:=)\s*\S+$ | [})\]]+[;,)]*$
    | diff\ --git\ | (?:---|\+\+\+)\ [ab]/ | @@\ -\d+
    """,
    re.X,
)
_BLOCK_OPENER = ("for ", "while ", "if ", "elif ", "with ", "except ")
_CALL = re.compile(r"\w\(")
_KEY_VALUE = re.compile(r"[\w.\-]+=[^\s=]+")
_BLOB = re.compile(r"[0-9a-fA-F]{32,}|[A-Za-z0-9+/]{48,}={0,2}")
# Counted on the UTF-8 bytes: bytes.translate deletes in one fast pass, and no byte of a multi-byte
# character is ASCII, so the counts are of characters.
_DIGITS = b"0123456789"
_SYMBOLS = b"{}[]()<>;=|&^%$\\~"
_SPECIAL = _DIGITS + _SYMBOLS


def _line_kind(line: str) -> str | None:
    """PASTE, _LOG or CODE for a line that looks like one, None for prose. `line` is stripped."""
    n = len(line)
    if n < 4:
        return CODE if line[0] in "{})]" else None
    # The patterns read the start of a long line: a line of code or a log line shows itself early.
    head = line if n <= 240 else line[:240]
    if paste := _PASTE_LINE.match(head):
        return _LOG if paste.lastgroup else PASTE
    if "=" in line and line.count("=") >= 3:
        pairs = _KEY_VALUE.findall(line)
        if len(pairs) >= 3 and 2 * sum(map(len, pairs)) >= n - line.count(" "):
            return PASTE  # key=value runs, not a sentence that sets three values
    if ("\t" in line and line.count("\t") >= 2) or (line[0] == "|" and line[-1] == "|" and line.count("|") >= 3):
        return PASTE
    if "   " in line and line.count("   ") >= 2:
        cells = [cell for cell in line.split("   ") if cell.strip()]
        if len(cells) >= 3 and sum(map(len, cells)) <= 16 * len(cells):
            return PASTE  # short cells lined up in columns
    if line[0] in "+-" and line[1] not in " +-0123456789":
        return _line_kind(line[1:].strip() or "-")  # a line of a diff
    spaces = line.count(" ")
    if "," in line and line.count(",") >= 3 and spaces <= line.count(","):
        return PASTE
    # A blob fills at least half the line, so the line has few spaces.
    if n >= 48 and 8 * spaces < n and (blob := _BLOB.search(line)) and 2 * len(blob.group()) >= n:
        return PASTE
    if line[-1] == "{" or _CODE_LINE.match(head):
        return CODE
    if line[-1] == ":" and line.startswith(_BLOCK_OPENER) and _CALL.search(head):
        return CODE  # "for name in os.listdir(path):", not "for the record:"
    data = line.encode("utf-8", "surrogatepass")
    special = len(data) - len(data.translate(None, _SPECIAL))
    if 4 * special < n - spaces:
        symbols = 0
        if special < 2 or line[-1] != ";":
            return None
    else:
        digits = len(data) - len(data.translate(None, _DIGITS))
        if n >= 16 and spaces >= 2 and 2 * digits >= n - spaces:
            return PASTE  # a row of numbers
        symbols = special - digits
        if symbols >= 3 and 4 * symbols >= n:
            return CODE
    if line[-1] == ";":
        symbols = symbols or len(data) - len(data.translate(None, _SYMBOLS))
        # A statement ending in ";" has code symbols; a sentence ending in ";" (or "(-;") does not.
        if symbols >= 3 or (symbols == 2 and spaces <= 4):
            return CODE
    return None


class _Parts:
    """Non-space characters of each kind in a message, and the prose left to read."""

    __slots__ = ("code", "paste", "links", "n_links", "prose", "prose_chars", "logs", "lines_left")

    def __init__(self) -> None:
        self.code = self.paste = self.links = self.n_links = self.prose_chars = 0
        self.lines_left = READ_LINES
        self.prose: list[str] = []
        self.logs: list[str] = []

    def add_code(self, block: str) -> None:
        """A code block: its paste-like lines count as a paste, the rest as code."""
        for line in self.lines(block):
            line = line.strip()
            if line:
                if _line_kind(line) in (PASTE, _LOG):
                    self.paste += len(line) - line.count(" ")
                else:
                    self.code += len(line) - line.count(" ")

    def lines(self, text: str) -> list[str]:
        """The lines of `text`, as many as the budget for the whole message still allows."""
        lines = text.split("\n", self.lines_left)[: self.lines_left]
        self.lines_left -= len(lines)
        return lines

    def add_html_code(self, tag: str, content: str) -> str:
        """Teams code: `<pre>` is a block, a one-line `<code>` is inline and weighs little."""
        if tag.lower() == "code" and "\n" not in content:
            self.code += min(len(content), INLINE_CODE_CHARS)
        else:
            self.add_code(content)
        return " "

    def add_links(self, urls: list[str]) -> None:
        self.links += sum(map(len, urls))
        self.n_links += len(urls)


def _elements(text: str, tag: str, replace) -> str:
    """`text` with each `<tag ...>content</tag>` replaced by `replace(tag, content)`; in one pass
    with str.find, where a regular expression would rescan the rest for every unclosed tag."""
    low = text.lower()
    opening, closing = "<" + tag, "</" + tag
    out, pos, start = [], 0, 0
    while (start := low.find(opening, start)) >= 0:
        after = start + len(opening)
        if low[after : after + 1].isalnum():  # "<atom>" is not "<at>"
            start = after
            continue
        gt = low.find(">", after)
        end = low.find(closing, gt) if gt >= 0 else -1
        close = low.find(">", end) if end >= 0 else -1
        if close < 0:
            break  # no closing tag after this one: none after any later one either
        out += (text[pos:start], replace(tag, text[gt + 1 : end]))
        pos = start = close + 1
    return "".join(out) + text[pos:] if out else text


def _split(text: str) -> _Parts:
    # What is taken out leaves nothing behind, not a space: runs of spaces mean aligned columns.
    parts = _Parts()
    if (">" in text or "&gt;" in text) and (text.lstrip().startswith((">", "&gt;")) or any(q in text for q in _QUOTED)):
        text = _QUOTE_LINE.sub("", text)  # before the fences: a quoted code block is still a quote
    if "```" in text:
        pieces = text.split("```")
        for block in pieces[1::2]:  # an unclosed fence runs to the end
            parts.add_code(block)
        text = "\n".join(pieces[0::2])
    if "<" in text:
        low = text.lower()  # each pattern runs only when its tag is there (taking tags out adds none)
        for tag in ("pre", "code", "blockquote", "at"):
            if f"</{tag}" in low:
                text = _elements(text, tag, parts.add_html_code if tag in ("pre", "code") else lambda *_: " ")
        if "<http" in low or "<mailto:" in low or "<ftp" in low:
            parts.add_links([m.group(1) for m in _SLACK_LINK.finditer(text)])
            text = _SLACK_LINK.sub(lambda m: f" {m.group(2)} " if m.group(2) else "", text)
        if "<@" in text or "<#" in text or "<!" in text:
            text = _SLACK_REF.sub("", text)
        if "</" in text or "<br" in low:
            text = _BREAK.sub("\n", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "`" in text:
        if spans := _INLINE_CODE.findall(text):
            # Inline code is a noun in a sentence ("going with `x = 5`"), so each span weighs little.
            parts.code += sum(min(len(span) - 2, INLINE_CODE_CHARS) for span in spans)
            text = _INLINE_CODE.sub("", text)
    if "://" in text or "www." in text:
        if urls := _URL.findall(text):
            parts.add_links(urls)
            text = _URL.sub("", text)
    for raw in parts.lines(text):
        line = raw.strip()
        if not line or line[0] == ">":  # quoted text is not the writer's words
            continue
        kind = _line_kind(line)
        if kind is None and raw[0] in " \t" and len(raw) - len(raw.lstrip()) >= 4:
            data = line.encode("utf-8", "surrogatepass")  # indented and symbol-heavy
            symbols = len(data) - len(data.translate(None, _SYMBOLS))
            kind = CODE if symbols >= 2 and 8 * symbols >= len(line) else None
        size = len(line) - line.count(" ")
        if kind is PASTE:
            parts.paste += size
        elif kind is CODE:
            parts.code += size
        elif kind is _LOG:
            parts.logs.append(line)
            parts.paste += size
        else:
            parts.prose.append(line)
            parts.prose_chars += size
    if len(parts.logs) == 1 and parts.paste == (alone := len(parts.logs[0]) - parts.logs[0].count(" ")):
        # "ValueError: fixed in #12, merging" alone is a sentence, not a paste.
        parts.prose.append(parts.logs[0])
        parts.prose_chars += alone
        parts.paste = 0
    return parts


def _words(prose: str) -> list[str]:
    """The lower-case words of some prose, emoji codes left out."""
    prose = prose.lower()
    if ":" in prose:
        prose = _EMOJI_CODE.sub(" ", prose)
    if not prose.isascii():
        for mark in "’‘“”—–…\u00a0":  # so that most text takes the fast ASCII split below
            if mark in prose:
                prose = prose.replace(mark, " ")
        if not prose.isascii():
            return _WORD.findall(prose)
    return prose.encode().translate(_ASCII_NON_LETTERS).decode().split()


def _languages(words: list[str]) -> tuple[int, int]:
    """The English words, and the most words of any one other language."""
    masks = list(map(_LANG_BITS.get, words))
    english = masks.count(_EN)
    foreign = [0] * len(_LANGS)
    for mask, count in Counter(masks).items():
        if mask is not None and not mask & _EN:
            for i in _FOREIGN_OF[mask]:
                foreign[i] += count
    return english, max(foreign)


def _outnumbered(english: int, foreign: int) -> bool:
    return foreign >= 2 and (foreign > 2 * english or (foreign >= 4 and 2 * foreign >= 3 * english))


def _not_english(prose: str, words: list[str]) -> bool:
    """Whether the prose is clearly in another language: another script, or another language's
    common words clearly outnumbering English ones."""
    n = len(words)
    if not n:
        return False
    ascii_only = prose.isascii()
    if not ascii_only:
        foreign_letters = sum(map(len, _NON_LATIN.findall(prose)))
        letters = sum(map(len, words))
        if (foreign_letters >= 2 and 10 * foreign_letters >= 3 * letters) or foreign_letters == letters:
            return True
    masks = list(map(_LANG_BITS.get, words))
    english = masks.count(_EN)
    # Every listed word that is not English-only: an upper bound on any other language's count.
    if _outnumbered(english, n - english - masks.count(None)):
        if ("-" in prose or "_" in prose) and _LOCALE.search(prose):
            words = _words(_LOCALE.sub(" ", prose))  # "en-US", "pt_BR"
        if len(_LANG_CODES.intersection(words)) >= 3:  # "en, de, fr and es builds"
            words = [w for w in words if w not in _LANG_CODES]
        english, foreign = _languages(words)
        if _outnumbered(english, foreign):
            return True
    # A language with no list here (Czech, Hungarian, Vietnamese...): many accented words, little English.
    if n >= 6 and not ascii_only and 5 * english < n:
        return 5 * sum(1 for w in words if not w.isascii()) >= n
    return False


def unreadable(text: str) -> str | None:
    """None when the text is English prose the detector can judge; otherwise a short reason
    the user can read: "not English", "mostly code", "mostly links", "a paste (log or data)"."""
    if not isinstance(text, str):
        text = str(text)
    parts = _split(text[:READ_CHARS])
    prose = "\n".join(parts.prose)[:LANGUAGE_CHARS]
    words = _words(prose)
    n_words = len(words)
    if parts.links >= MIN_OTHER_CHARS:
        total = parts.links + parts.code + parts.paste + parts.prose_chars
        if parts.links >= LINK_SHARE * total and (n_words == 0 or (parts.n_links >= 2 and n_words <= parts.n_links)):
            return LINKS
    other = parts.code + parts.paste
    if other >= MIN_OTHER_CHARS and n_words < PROSE_WORDS and parts.prose_chars < PROSE_SHARE * (
        other + parts.prose_chars
    ):
        return PASTE if parts.paste > parts.code else CODE
    if _not_english(prose, words):
        return NOT_ENGLISH
    return None
