"""`nudgebot train`, and the cross-validation behind `nudgebot eval --cv`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from bot.errors import ConfigError, InputError


def _needs_training_extra():
    try:
        import scipy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError:
        raise ConfigError(
            "training needs scikit-learn: pip install 'nudgebot[train]'"
        ) from None


def load(files, extras, extra_weight: float):
    from bot.detector import train as T

    examples, sources = [], []
    for path in files:
        found, source = T.read_examples(Path(path))
        examples += found
        sources.append(source)
    for path in extras:
        found, source = T.read_examples(Path(path), weight=extra_weight, primary=False)
        examples += found
        sources.append(source)
    return examples, sources


def cross_validate(examples):
    """Rules only, model only and the hybrid, each cross-validated the same way; the hybrid is what
    is shipped, and its out-of-fold scores and calibration are returned with them."""
    from bot.detector import report
    from bot.detector.features import Featuriser

    variants = [report.rules_only(examples)]
    model_only, _, _ = report.learned("model only", examples, Featuriser(use_rules=False))
    variants.append(model_only)
    hybrid, oof, cal = report.learned("hybrid", examples, Featuriser())
    variants.append(hybrid)
    return variants, oof, cal


_FILES = click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
_EXTRA = click.option("--extra", "extras", multiple=True, type=click.Path(exists=True, dir_okay=False),
                      help="A labelled file to train on but not to measure (repeatable).")


@click.command()
@_FILES
@_EXTRA
@click.option("--extra-weight", type=click.FloatRange(0, 1), default=None,
              help="Weight of each --extra example against a measured one (default 0.02).")
@click.option("--output", type=click.Path(file_okay=False), default="nudgebot-model", show_default=True,
              help="Folder for model.npz and MODEL.md.")
@click.option("--workspace", help="Refit this workspace's model from its own answers in the log (no FILES).")
@click.pass_context
def train(ctx, files, extras, extra_weight, output, workspace):
    """Train the detector from labelled JSON Lines files and write the model with its model card.

    FILES are trained on and measured by grouped cross-validation (folds by the `group` or `source`
    of each line, so a thread never straddles a split); --extra files are only trained on. The
    same inputs always give the same model. Needs the `train` extra (scikit-learn).

    \b
    Example:
        nudgebot train ../shared/corpus/messages.jsonl --extra tests/data/tune.jsonl --output model/
        nudgebot train --workspace T024BE7LH

    With --workspace, the shipped model is corrected by that workspace's answers ("Not a decision",
    a rationale added, "Log as decision", approvals pressed), kept in NUDGEBOT_DB; the server does
    the same every night for each workspace that answered. No scikit-learn needed for that.
    """
    if workspace is not None:
        if files or extras:
            raise click.UsageError("--workspace refits from the log: give no FILES or --extra with it")
        _train_workspace(ctx.obj, workspace)
        return
    if not files:
        raise click.UsageError("give the labelled FILES to train on (or --workspace ID)")
    _needs_training_extra()
    from bot.detector import report
    from bot.detector import train as T
    from bot.detector.model import MODEL_FILE

    weight = T.EXTRA_WEIGHT if extra_weight is None else extra_weight
    examples, sources = load(files, extras, weight)
    variants, oof, cal = cross_validate(examples)
    model = T.train_model(examples, cal=cal)
    shipped = variants[-1]
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / MODEL_FILE)
    card = report.model_card(sources, variants, shipped, model.thresholds, date.today(), model.candidate,
                             report.candidate_share(cal))
    (folder / "MODEL.md").write_text(card, encoding="utf-8")
    click.echo(report.table(variants))
    click.echo("")
    click.echo(report.curve(shipped))
    click.echo(f"\nWrote {folder / MODEL_FILE} and {folder / 'MODEL.md'}.")


def _train_workspace(app, workspace: str) -> None:
    engine = app.engine()
    try:
        platforms = engine.store.platforms_with_examples(workspace)
        if not platforms:
            raise InputError(f"workspace {workspace} has no answers in {app.settings.db} to learn from yet")
        for platform in platforms:
            answers = engine.learned.refit(platform, workspace, engine.clock())
            click.echo(f"Refitted {platform} workspace {workspace} from {answers} answers.")
    finally:
        engine.store.close()


def eval_cv(files, extras, fmt: str) -> None:
    import json

    from bot.detector import report
    from bot.detector import train as T

    _needs_training_extra()
    examples, _ = load(files, extras, T.EXTRA_WEIGHT)
    variants, _, _ = cross_validate(examples)
    if fmt == "json":
        click.echo(json.dumps({
            v.name: {
                **v.overall.as_dict(),
                "calibration_error": v.calibration_error,
                "sensitivity": {s.value: {"precision": r.nudge.precision, "recall": r.nudge.recall}
                                for s, r in v.sensitivities.items()},
                "registers": {name: r.as_dict() for name, r in v.registers.items()},
            } for v in variants
        }, indent=2))
        return
    click.echo(report.table(variants))
    click.echo("")
    click.echo(report.curve(variants[-1]))
