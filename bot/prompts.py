"""prompts/*.md → rendered text. A missing file or variable is an error, never a silent gap."""

from __future__ import annotations

from pathlib import Path

import jinja2

from bot.errors import PromptError


class Prompts:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.folder)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=False,
        )

    def render(self, name: str, **variables) -> str:
        try:
            template = self._env.get_template(name)
        except jinja2.TemplateNotFound:
            raise PromptError(f"prompt {name!r} not found in {self.folder}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise PromptError(f"{self.folder / name}: line {exc.lineno}: {exc.message}") from None
        try:
            return template.render(**variables).strip()
        except jinja2.UndefinedError as exc:
            raise PromptError(f"{self.folder / name}: {exc.message}") from None

    def validate(self, name: str) -> None:
        """Parse a template without rendering it; a syntax error names file and line."""
        try:
            self._env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise PromptError(f"{self.folder / name}: line {exc.lineno}: {exc.message}") from None

    def names(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("*.md") if p.name != "README.md")
