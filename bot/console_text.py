"""What the bot says, as a terminal shows it: the engine's Slack-style markup made plain text.

`*bold*` and `_italic_` lose their markers, `<@U1>` becomes `@U1`, `<#C1|general>` `#general`,
`<https://…|label>` `label (https://…)`, `:memo:` 📝; Slack's escapes (`&lt;`) become the
characters people typed. Inline code keeps its backticks: it is what to type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.text import shown

INDENT = " " * len("nudgebot › ")  # notes and choices sit under the text of the bot's message

_USER = re.compile(r"<@([^>|]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([^>|]+)(?:\|([^>]*))?>")
_GROUP = re.compile(r"<!subteam\^([^>|]+)(?:\|@?([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|\s]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_ITALIC = re.compile(r"(?<![_\w])_(?=\S)([^_\n]+?)(?<=\S)_(?![_\w])")
_STRIKE = re.compile(r"(?<![~\w])~(?=\S)([^~\n]+?)(?<=\S)~(?![~\w])")
_CODE = re.compile(r"(`[^`\n]*`)")
_SHORTCODE = re.compile(r":[a-z0-9_+\-']+:")
_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _link(match: re.Match) -> str:
    url, label = match.group(1), match.group(2)
    if not label or label in (url, url.removeprefix("mailto:")):
        return url.removeprefix("mailto:")
    return f"{label} ({url})"


def _words(text: str) -> str:
    """Markup outside inline code, as plain words."""
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    return _SHORTCODE.sub(lambda m: shown(m.group(0)) or m.group(0), text)


def plain(markup: str) -> str:
    """The engine's markup as plain text for a terminal."""
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), markup)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _GROUP.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(r"@\1", text)
    text = _DATE.sub(r"\1", text)
    text = _LINK.sub(_link, text)
    text = "".join(part if part.startswith("`") else _words(part) for part in _CODE.split(text))
    for escaped, character in _ESCAPES:
        text = text.replace(escaped, character)
    return text


def choices(numbered: Iterable[tuple[int, str]], lead: str = "") -> str:
    """`[1] Add customer rationale  [2] Not customer-facing`, under a message."""
    return INDENT + lead + "  ".join(f"[{n}] {label}" for n, label in numbered)
