"""Builds the wheel with the top-level `principles.yaml` and `prompts/` inside it, as `bot/bundled/`.

Everything else about the package is declared in pyproject.toml; this file only adds that build step.
An editable install reads the files from the checkout instead, so edits there take effect at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = "bundled"  # bot/bundled/ in the installed package; bot.config.bundled() looks there first


def bundled_sources() -> list[str]:
    """The top-level files the wheel carries: principles.yaml and every prompt template."""
    return ["principles.yaml", *sorted(p.as_posix() for p in Path("prompts").glob("*.md"))]


class BuildPyWithBundled(build_py):
    """build_py that also copies the bundled files into the built `bot` package."""

    def _targets(self) -> list[tuple[str, str]]:
        return [(source, os.path.join(self.build_lib, "bot", BUNDLED, source)) for source in bundled_sources()]

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, target in self._targets():
            self.mkpath(os.path.dirname(target))
            self.copy_file(source, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        return outputs if self.editable_mode else outputs + [target for _, target in self._targets()]

    def get_source_files(self) -> list[str]:
        """The sdist carries the bundled files too, so a wheel built from it has them."""
        return super().get_source_files() + bundled_sources()


setup(cmdclass={"build_py": BuildPyWithBundled})
