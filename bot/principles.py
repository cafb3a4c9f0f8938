"""principles.yaml → validated Principle models, with errors that name file, line, entry and field."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import PrinciplesError
from bot.models import Principle

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _PrincipleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    question: str = Field(min_length=1)
    signals: list[str] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be lowercase kebab-case, like customer-obsession")
        return value

    @field_validator("signals")
    @classmethod
    def _signals(cls, value: list[str]) -> list[str]:
        cleaned = [s.strip().lower() for s in value]
        if any(not s or s == "*" for s in cleaned):
            raise ValueError("signals must be non-empty words or phrases")
        return cleaned


class _PrinciplesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principles: list[_PrincipleSpec] = Field(min_length=1)


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            keys = [k for k, v in node.value if k.value == part]
            if not match:
                break
            line = keys[0].start_mark.line + 1
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_principles(path: str | Path) -> tuple[Principle, ...]:
    """Read and validate a principles file; any problem raises PrinciplesError naming where."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PrinciplesError(f"{path}: file not found (set NUDGEBOT_PRINCIPLES to your principles file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PrinciplesError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise PrinciplesError(f"{path}:{where}: {problem}") from None
    if not isinstance(data, dict):
        raise PrinciplesError(f"{path}: expected a mapping with a 'principles' list at the top")
    try:
        parsed = _PrinciplesFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(error["loc"])
        line = _line_of(node, loc)
        where = f" line {line}:" if line else ""
        entry = ""
        in_entry = len(loc) >= 2 and loc[0] == "principles" and isinstance(loc[1], int)
        if in_entry:
            raw = data["principles"][loc[1]] if isinstance(data.get("principles"), list) else None
            label = raw.get("id") if isinstance(raw, dict) else None
            entry = f" entry {loc[1] + 1}" + (f" ({label})" if label else "")
            loc = loc[2:]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            allowed = "id, name, summary, question, signals" if in_entry else "principles"
            message = f"unknown field (allowed: {allowed})"
        if in_entry and not loc:
            # The entry itself is not a mapping (a bare string under `principles:`).
            raise PrinciplesError(
                f"{path}:{where}{entry}: expected a mapping with id, name, summary, question and signals"
            ) from None
        field = ".".join(str(p) for p in loc) or "principles"
        raise PrinciplesError(f"{path}:{where}{entry} field '{field}': {message}") from None
    first_entry: dict[str, int] = {}
    for index, spec in enumerate(parsed.principles):
        if spec.id in first_entry:
            line = _line_of(node, ("principles", index, "id"))
            where = f" line {line}:" if line else ""
            raise PrinciplesError(
                f"{path}:{where} entry {index + 1} ({spec.id}) field 'id': duplicate id {spec.id!r}, "
                f"already used by entry {first_entry[spec.id] + 1}"
            )
        first_entry[spec.id] = index
    return tuple(
        Principle(id=p.id, name=p.name, summary=p.summary, question=p.question, signals=tuple(p.signals))
        for p in parsed.principles
    )
