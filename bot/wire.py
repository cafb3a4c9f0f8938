"""What arrives over the wire, made safe before anything reads it.

A request body is parsed within a nesting limit, so a body nested thousands deep is a clear
"bad request", not a recursion error; and strings are made valid Unicode: JSON can carry a lone
surrogate (`"\\ud800"`), which neither SQLite nor UTF-8 accepts, so it becomes U+FFFD before any
of it is stored or sent. Pure functions: no SDK, no I/O.
"""

from __future__ import annotations

import json
from typing import TypeVar

# Deeper than any real Slack payload or Teams activity (they stay under 15), far below Python's
# recursion limit.
MAX_DEPTH = 100

T = TypeVar("T")


class BadBody(ValueError):
    """A request body that cannot be read; its text says why in a few words, never quoting the body."""


def parse_json(text: str) -> object:
    """The JSON value `text` holds; BadBody when it is not JSON or is nested deeper than MAX_DEPTH."""
    try:
        value = json.loads(text)
    except RecursionError:  # the decoder's own limit (about 1,000) was reached first
        raise BadBody(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise BadBody("the body is not JSON") from None
    if depth(value) > MAX_DEPTH:
        raise BadBody(f"the JSON is nested deeper than {MAX_DEPTH} levels")
    return value


def depth(value: object) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), counted without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def valid_text(value: T) -> T:
    """A string with each lone surrogate replaced by U+FFFD (anything else comes back as it is)."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def valid_strings(value: T) -> T:
    """A parsed JSON value with every string in it, keys included, made valid by `valid_text`
    (call it on values `parse_json` accepted: their depth is bounded)."""
    if isinstance(value, dict):
        return {valid_text(k): valid_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [valid_strings(v) for v in value]
    return valid_text(value)
