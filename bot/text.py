"""Chat markup → plain text the rules can read.

What people quote (`>` lines, code blocks, inline code) or strike through is not what they are
saying now, so it is dropped. Slack mrkdwn (`<@U1>`, `<#C1|name>`, `<https://…|label>`,
`<!here>`), Teams/HTML (`<at>Name</at>`, `<p>`, `<blockquote>`) and emoji codes are turned into
words. For the rules, approval emoji become the tokens `emoji_check` / `emoji_thumbsup` /
`emoji_cross`; text shown back to people (`excerpt`) keeps its emoji as emoji, so no token leaks.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable

# Long enough for any real chat message (Slack's own limit is 40,000 characters).
MAX_CHARS = 40_000
# The rules read at most this much; a decision is stated early, not on page ten.
DETECT_CHARS = 8_000

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.S)
_PRE = re.compile(r"<(pre|code|blockquote)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>|&gt;).*$", re.M)
_STRIKE = re.compile(r"(?<![\w~])~[^~\n]+~(?![\w~])")
_AT = re.compile(r"<at\b[^>]*>(.*?)</at\s*>", re.S | re.I)
_BREAK = re.compile(r"<(?:br|/p|/div|/li)\s*/?>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^<>]*>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK_LABEL = re.compile(r"<((?:https?|mailto):[^|>\s]+)\|([^>]*)>")
_LINK = re.compile(r"<(?:https?|mailto):[^>\s]+>")
_BARE_URL = re.compile(r"https?://\S+")
_EMOJI_CODE = re.compile(r":([a-z0-9_+\-']+):")
_MARKERS = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_SPACES = re.compile(r"[ \t\u00a0]+")

_EMOJI_WORDS = {
    "white_check_mark": " emoji_check ",
    "heavy_check_mark": " emoji_check ",
    "ballot_box_with_check": " emoji_check ",
    "+1": " emoji_thumbsup ",
    "thumbsup": " emoji_thumbsup ",
    "thumbs_up": " emoji_thumbsup ",
    "shipit": " ship it ",
    "ship": " ship it ",
    "-1": " emoji_cross ",
    "thumbsdown": " emoji_cross ",
    "x": " emoji_cross ",
    "no_entry": " emoji_cross ",
    "no_entry_sign": " emoji_cross ",
}
_TYPOGRAPHY = {"’": "'", "‘": "'", "“": '"', "”": '"', "—": " - ", "–": " - "}
_UNICODE_EMOJI = str.maketrans(
    {
        "✅": " emoji_check ",
        "🟢": " emoji_check ",
        "✔": " emoji_check ",
        "☑": " emoji_check ",
        "👍": " emoji_thumbsup ",
        "👎": " emoji_cross ",
        "❌": " emoji_cross ",
        "\ufe0f": "",
        **_TYPOGRAPHY,
    }
)
_SHOWN_TYPOGRAPHY = str.maketrans(_TYPOGRAPHY)
# Shortcodes (Slack's, and Teams' text) as the characters every client shows; others stay as written.
_EMOJI_CHARS = {
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "ballot_box_with_check": "☑️", "+1": "👍",
    "thumbsup": "👍", "thumbs_up": "👍", "-1": "👎", "thumbsdown": "👎", "x": "❌", "no_entry": "⛔",
    "no_entry_sign": "🚫", "shipit": "🐿️", "ship": "🚢", "tada": "🎉", "rocket": "🚀", "eyes": "👀",
    "fire": "🔥", "heart": "❤️", "pray": "🙏", "clap": "👏", "raised_hands": "🙌", "ok_hand": "👌",
    "muscle": "💪", "100": "💯", "warning": "⚠️", "memo": "📝", "bulb": "💡", "sparkles": "✨",
    "star": "⭐", "wave": "👋", "smile": "😄", "slightly_smiling_face": "🙂", "grinning": "😀",
    "joy": "😂", "sweat_smile": "😅", "thinking_face": "🤔", "point_right": "👉", "point_up": "☝️",
    "calendar": "📅", "chart_with_upwards_trend": "📈", "bug": "🐛", "lock": "🔒",
    "large_green_circle": "🟢", "red_circle": "🔴",
}


def clean_control(text: str) -> str:
    """Drop NULs and other control characters, and cap the length; for storing text safely."""
    if not isinstance(text, str):
        text = str(text)
    return _CONTROL.sub("", text[:MAX_CHARS])


def _emoji(match: re.Match) -> str:
    return _EMOJI_WORDS.get(match.group(1), " ")


def _emoji_char(match: re.Match) -> str:
    code = match.group(1)
    if code.startswith("skin-tone-"):
        return ""
    return _EMOJI_CHARS.get(code, match.group(0))


def plain(text: str) -> str:
    """Readable plain text for the rules: markup turned into words, quotes and code removed, case
    kept; approval emoji become tokens (`emoji_thumbsup`), other emoji codes go."""
    return _readable(text, _emoji, _UNICODE_EMOJI)


def shown(text: str) -> str:
    """`plain()` for people to read: emoji stay emoji (a shortcode becomes its character), no token."""
    return _readable(text, _emoji_char, _SHOWN_TYPOGRAPHY)


def _readable(text: str, emoji: Callable[[re.Match], str], characters: dict[int, str]) -> str:
    text = clean_control(text)[:DETECT_CHARS]
    if "```" in text:
        text = _CODE_BLOCK.sub(" ", text)
    if "<" in text:
        text = _PRE.sub(" ", text)
        text = _AT.sub(lambda m: "@" + m.group(1).strip(), text)
        text = _USER.sub(lambda m: "@" + (m.group(2) or "someone"), text)
        text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or "channel"), text)
        text = _SUBTEAM.sub(lambda m: "@" + (m.group(1) or "group"), text)
        text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
        text = _DATE.sub(lambda m: m.group(1), text)
        text = _LINK_LABEL.sub(lambda m: m.group(2), text)
        text = _LINK.sub(" ", text)
        text = _BREAK.sub("\n", text)
        text = _TAG.sub(" ", text)
    if ">" in text or "&gt;" in text:
        text = _QUOTE_LINE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "`" in text:
        # A placeholder, not nothing: "goes from `60` to `120`" still reads as a change.
        text = _INLINE_CODE.sub(" code ", text)
    if "~" in text:
        text = _STRIKE.sub(" ", text)
    if "http" in text:
        text = _BARE_URL.sub(" ", text)
    if ":" in text:
        text = _EMOJI_CODE.sub(emoji, text)
    if not text.isascii():  # every character either table maps is outside ASCII
        text = text.translate(characters)
    if "*" in text or "_" in text:
        text = _MARKERS.sub("", text)
    if "  " in text or "\t" in text or "\u00a0" in text:  # else the spaces are single already
        text = _SPACES.sub(" ", text)
    return text.strip()


_VERSION_DOT = re.compile(r"(?<=\d)\.(?=\d)")


def normalise(text: str) -> str:
    """`plain()` in lower case: what the detection rules match against.

    Dots inside numbers ("the 5.2 launch") become underscores, so they do not end a sentence.
    """
    return _normalised(text) if isinstance(text, str) else _normalise(text)


# The detector, the approvals and the engine each read the message they are handed: the same text
# is normalised once.
@functools.lru_cache(maxsize=8)
def _normalised(text: str) -> str:
    return _normalise(text)


def _normalise(text: str) -> str:
    text = plain(text).lower()
    return _VERSION_DOT.sub("_", text) if "." in text else text


def excerpt(text: str, limit: int = 140) -> str:
    """A one-line excerpt for digests and lists, as people read it (emoji as emoji)."""
    flat = " ".join(shown(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
