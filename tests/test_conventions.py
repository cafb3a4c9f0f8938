"""Conventions the project keeps, checked like any other behaviour."""

from __future__ import annotations

import ast
import re

import pytest
from conftest import ROOT

from bot.cli import cli
from bot.config import Settings

README = (ROOT / "README.md").read_text()
COMMANDS = (ROOT / "docs" / "commands.md").read_text()  # the command table, with every option
# The edges may speak to chat platforms, HTTP and the LLM; every other module in bot/ is core.
EDGE = {"__main__", "cli", "server", "llm"}
CORE = sorted(p.stem for p in (ROOT / "bot").glob("*.py")
              if p.stem not in EDGE and not p.stem.startswith("cli_") and p.stem != "__init__")
SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "openai", "aiohttp")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented(name):
    """Each CLI command has a row in the command table (docs/commands.md) and in the README's list."""
    assert re.search(rf"^\| `nudgebot {re.escape(name)}[ `]", COMMANDS, re.M)
    assert re.search(rf"^\| `nudgebot {re.escape(name)}[ `]", README, re.M)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_help_has_an_example(name):
    """Each command's help text carries an example."""
    assert "Example" in (cli.commands[name].help or "")


def _env_names() -> list[str]:
    names = []
    for field in Settings.model_fields.values():
        names.append(field.validation_alias.choices[0])
    return names


@pytest.mark.parametrize("name", _env_names())
def test_every_environment_variable_is_documented(name):
    """Each setting's environment variable is in the README's configuration table."""
    assert f"`{name}`" in README


def test_every_prompt_file_is_used():
    """Every template in prompts/ is rendered somewhere in bot/."""
    source = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))
    prompts = [p.name for p in (ROOT / "prompts").glob("*.md") if p.name != "README.md"]
    assert prompts
    for name in prompts:
        assert f'"{name}"' in source, f"prompts/{name} is never rendered"
        assert f"`{name}`" in (ROOT / "prompts" / "README.md").read_text()


@pytest.mark.parametrize("module", CORE)
def test_core_imports_no_chat_or_llm_sdk(module):
    """The core modules import no Slack, Teams, OpenAI or HTTP SDK."""
    tree = ast.parse((ROOT / "bot" / f"{module}.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & set(SDKS)


def test_nothing_reads_the_environment_but_config():
    """Only bot/config.py touches os.environ or getenv."""
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "bot").rglob("*.py")
        if p.name != "config.py" and re.search(r"os\.environ|getenv\(", p.read_text())
    ]
    assert offenders == []


def test_ci_runs_the_readme_test_command():
    """.ci/run runs `make test`, the command the README gives for the tests."""
    assert "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def _anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings."""
    heads = re.findall(r"^#+ (.+)$", re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


def test_links_between_the_readme_and_docs_resolve():
    """Every relative link in README.md and docs/ names a file that exists, and a heading it has."""
    broken = []
    for page in [ROOT / "README.md", ROOT / "prompts" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists() or (anchor and anchor not in _anchors(file.read_text())):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_required_layout_exists():
    """The product's required top level is present."""
    for name in ("bot", "prompts", "principles.yaml", "pyproject.toml", "tests", "Procfile", "README.md"):
        assert (ROOT / name).exists(), name


def test_procfile_commands_exist():
    """Every process in the Procfile runs a nudgebot command that exists."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if not line.strip():
            continue
        process, _, command = line.partition(":")
        words = command.split()
        assert words[0] == "nudgebot" and words[1] in cli.commands, line


def test_modules_stay_small():
    """No module grows past 450 lines without being split."""
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / "bot").rglob("*.py")}
    assert {n: s for n, s in sizes.items() if s > 450} == {}



def test_lint_is_clean():
    """ruff finds nothing to complain about in the code, tests and benchmarks."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "bot", "tests", "benchmarks"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_heavy_sdks_load_only_when_their_feature_is_on():
    """Starting the server loads neither the LLM client, the Teams SDK nor the plotting library until
    a key, Teams settings or a digest chart needs them (they cost tens of MB each)."""
    import subprocess
    import sys

    probe = ("import sys, bot.cli, bot.server; "
             "print(sorted(m for m in ('openai', 'botbuilder', 'matplotlib') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr
