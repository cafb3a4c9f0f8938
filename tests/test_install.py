"""A wheel installed outside the checkout works on its own: every command, `serve` included, finds the
bundled principles, prompts, detector model and Teams icons in the installed package.

The wheel is built from a copy of the checkout (sdist first, then the wheel from it, as `python -m build`
does) and installed with `--no-deps --no-index` into a fresh virtualenv in a temp folder. That virtualenv
sees the test environment's packages through a .pth file, so nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

NOT_BUILT_FROM = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
                  "tests", "benchmarks", "*.db", "*.db-*", ".env")
OUR_VARIABLES = ("NUDGEBOT_", "SLACK_", "MicrosoftApp", "MICROSOFT_APP", "OPENAI_", "PORT", "PYTHON", "VIRTUAL_ENV")
APP_ID = "3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b"


@dataclass(frozen=True)
class Installed:
    """The built wheel and the fresh virtualenv it is installed in."""

    wheel: Path
    venv: Path
    site_packages: Path


def run(command: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(workdir: Path) -> Path:
    """Copy the checkout, build its sdist, then the wheel from that sdist; returns the wheel."""
    source = workdir / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_BUILT_FROM))
    probe = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    sdist = run([sys.executable, "-c", probe, str(workdir / "sdist")], cwd=source).stdout.strip().splitlines()[-1]
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(workdir / "wheel"), str(workdir / "sdist" / sdist)], cwd=workdir)
    (wheel,) = (workdir / "wheel").glob("nudgebot-*.whl")
    return wheel


def fresh_virtualenv(venv: Path) -> Path:
    """A virtualenv without pip that can import this environment's packages; returns its site-packages."""
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent)
    python = str(venv / "bin" / "python")
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=venv).stdout
    site_packages = Path(purelib.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "test_environment.pth").write_text("".join(f"{path}\n" for path in sorted(ours)))
    return site_packages


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """The wheel built from this checkout, installed into a fresh virtualenv outside it."""
    workdir = tmp_path_factory.mktemp("install")
    wheel = build_wheel(workdir)
    venv = workdir / "venv"
    site_packages = fresh_virtualenv(venv)
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)], cwd=workdir)
    return Installed(wheel, venv, site_packages)


def nudgebot(installed: Installed, folder: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed `nudgebot` in a folder outside the checkout, with none of our variables set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OUR_VARIABLES)}
    env["NUDGEBOT_DB"] = str(folder / "nudgebot.db")
    return run([str(installed.venv / "bin" / "nudgebot"), *args], cwd=folder, env=env, input=stdin)


def test_the_wheel_carries_every_file_read_at_run_time(installed):
    """principles.yaml, the prompts, the detector's model and the Teams icons are inside the wheel."""
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())

    assert {"bot/bundled/principles.yaml", "bot/bundled/prompts/prfaq.md", "bot/bundled/prompts/nudge.md",
            "bot/detector/data/model.npz", "bot/teams/icons/color.png", "bot/teams/icons/outline.png"} <= names


def test_check_passes_with_the_installed_principles(installed, tmp_path):
    """`nudgebot check` exits 0 and names the principles file inside the installed package."""
    result = nudgebot(installed, tmp_path, "check")

    assert "Configuration OK. Principles:" in result.stdout
    assert f"from {installed.site_packages / 'bot' / 'bundled' / 'principles.yaml'}." in result.stdout
    assert "Platforms configured: none" in result.stdout


def test_prfaq_prints_the_skeleton(installed, tmp_path):
    """`nudgebot prfaq IDEA` prints the PR/FAQ skeleton's headings for the idea."""
    result = nudgebot(installed, tmp_path, "prfaq", "A meal planner for busy parents")

    assert result.stdout.startswith("# PR/FAQ draft: A meal planner for busy parents")
    for heading in ("## Headline", "## The problem", "## External FAQ", "## Internal FAQ"):
        assert heading in result.stdout


def test_piped_shell_asks_the_customer_question(installed, tmp_path):
    """A decision piped into `nudgebot shell` gets the customer question and is logged in NUDGEBOT_DB."""
    result = nudgebot(installed, tmp_path, "shell", stdin="We decided to move the launch to next Friday.\n")

    assert "Who is the customer, and how does this help them?" in result.stdout
    assert (tmp_path / "nudgebot.db").is_file()


def test_teams_package_writes_the_zip(installed, tmp_path):
    """`nudgebot teams-package` writes a zip with the manifest and both icons."""
    result = nudgebot(installed, tmp_path, "teams-package", "--app-id", APP_ID, "--domain", "nudgebot.example.com")

    assert result.stdout.startswith("Wrote nudgebot-teams.zip")
    with zipfile.ZipFile(tmp_path / "nudgebot-teams.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(package.read("manifest.json"))["bots"][0]["botId"] == APP_ID


CORPUS = ROOT.parent / "shared" / "corpus" / "messages.jsonl"
DECISION = "We decided to move the launch to next Friday."


def test_every_other_command_runs_from_the_installed_wheel(installed, tmp_path):
    """classify, eval, digest, export, approvals, import and train work from the installed package,
    in a folder outside the checkout: what each prints is what a user of the checkout gets."""
    from test_import import write_export

    nudgebot(installed, tmp_path, "shell", stdin=DECISION + "\n")
    judged = nudgebot(installed, tmp_path, "classify", stdin=json.dumps({"id": 1, "text": DECISION}) + "\n")
    assert json.loads(judged.stdout)["kind"] == "decision"
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(json.dumps({"text": DECISION, "kind": "decision", "customer_rationale": False}) + "\n"
                        + json.dumps({"text": "lunch anyone?", "kind": "other", "customer_rationale": None}) + "\n")
    assert "macro F1" in nudgebot(installed, tmp_path, "eval", str(labelled)).stdout
    assert "Digest" in nudgebot(installed, tmp_path, "digest", "--week", "2020-W01").stdout
    assert [r["text"] for r in json.loads(nudgebot(installed, tmp_path, "export", "--format", "json").stdout)] \
        == [DECISION]
    assert nudgebot(installed, tmp_path, "approvals").stdout == "No approval requests logged yet.\n"
    history = tmp_path / "history"
    history.mkdir()
    imported = nudgebot(installed, history, "import", str(write_export(tmp_path / "export")))
    assert "decisions" in imported.stdout
    if not CORPUS.exists():
        pytest.fail(f"{CORPUS} is missing: the shared corpus sits beside the checkout")
    trained = nudgebot(installed, tmp_path, "train", str(CORPUS), "--output", str(tmp_path / "model"))
    assert (tmp_path / "model" / "model.npz").is_file() and (tmp_path / "model" / "MODEL.md").is_file()
    assert "Wrote" in trained.stdout


def test_serve_answers_healthz_from_the_installed_wheel(installed, tmp_path):
    """`nudgebot serve` starts from the installed package and answers GET /healthz; SIGTERM stops it."""
    import signal
    import urllib.request

    env = {k: v for k, v in os.environ.items() if not k.startswith(OUR_VARIABLES)}
    env.update(NUDGEBOT_DB=str(tmp_path / "nudgebot.db"), NUDGEBOT_TEAMS_DEV="1")
    with subprocess.Popen([str(installed.venv / "bin" / "nudgebot"), "serve", "--host", "127.0.0.1", "--port", "0"],
                          cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            line = process.stdout.readline()
            port = line.split("http://127.0.0.1:", 1)[1].split(" ", 1)[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
                assert json.loads(answer.read())["ok"] is True
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)
            assert process.returncode == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
