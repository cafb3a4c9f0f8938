"""What never leaves the process for the LLM: e-mail addresses, phone numbers, tokens and keys.

Each is replaced by a placeholder naming what was there, so the text still reads as a sentence
("mail [email] before Friday"). Applied to every piece of chat text before a prompt is rendered.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Slack's <mailto:ann@example.com|ann@example.com> is caught by EMAIL twice, which is fine.

# Known token shapes first: Slack (xoxb-, xoxp-, xapp-…), OpenAI-style (sk-…), GitHub, AWS, JWTs.
TOKENS = re.compile(
    r"\bxox[abposr]-[A-Za-z0-9-]{6,}"
    r"|\bxapp-[A-Za-z0-9-]{6,}"
    r"|\bsk-[A-Za-z0-9_-]{12,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
)
# A value after a word that says it is secret; sentence punctuation after it stays.
BEARER = re.compile(
    r"(?i)\b(bearer|token|api[_ -]?key|password|secret)(\s*[:=]?\s+|\s*[:=]\s*)(?!\[)([^\s,;]{7,}[^\s,;.!?:)\]])"
)
# Long hex, or long base64/url-safe runs mixing letters and digits: keys, hashes, signed URLs' secrets.
LONG_SECRET = re.compile(r"(?<![\w/+=-])(?:[0-9a-fA-F]{32,}|[A-Za-z0-9+/_-]{32,}={0,2})(?![\w/+=-])")
# Digit groups separated by spaces, dots, dashes or brackets, optionally after a country code.
PHONE = re.compile(
    r"(?<![\w.+-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){1,4}(?![\w.-]?\d)"
)


def _phone(match: re.Match) -> str:
    found = match.group(0)
    digits = sum(c.isdigit() for c in found)
    # Dates (2026-11-18), versions and amounts have fewer digits or no separators worth the name.
    if 9 <= digits <= 15 and (found.startswith("+") or "(" in found or digits >= 10):
        return "[phone]"
    return found


def _named_secret(match: re.Match) -> str:
    word, between, value = match.groups()
    # "token: abc…", "Bearer abc…" always; "token rotation" only when the word looks like a key.
    if ":" in between or "=" in between or word.lower() == "bearer" or any(c.isdigit() for c in value):
        return f"{word}{between}[secret]"
    return match.group(0)


def _long_secret(match: re.Match) -> str:
    found = match.group(0)
    if any(c.isdigit() for c in found) and any(c.isalpha() for c in found):
        return "[secret]"
    return found


def redact(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and secrets replaced by placeholders."""
    text = TOKENS.sub("[secret]", text)
    text = BEARER.sub(_named_secret, text)
    text = EMAIL.sub("[email]", text)
    text = LONG_SECRET.sub(_long_secret, text)
    return PHONE.sub(_phone, text)
