"""Learning from each workspace: its answers refit its own correction of the shipped model, which
its engine then uses; no other workspace is touched."""

from __future__ import annotations

import os
import subprocess
import sys

from builders import message

from bot.actions import Nudge
from bot.detector.adapt import Adaptation, Answer, adapt
from bot.detector.model import shipped_model
from bot.store import Store
from bot.text import normalise

LUNCHES = ("pizza", "sushi", "burgers", "curry", "salads", "pasta", "noodles", "tacos", "kebabs", "soup", "dumplings",
           "sandwiches")


# Each plan worded its own way, so the model must learn more than one phrase.
FORMS = ("We will go with {} for the team lunch on Friday.", "Final call: {} for the team lunch on Friday.",
         "We're going with {} for the team lunch on Friday.", "Decision: {} for the team lunch on Friday.",
         "Going with {} for the team lunch on Friday, decided.", "It's decided, {} for the team lunch on Friday.")
NEW_PLAN = "We will go with ramen for the team lunch on Friday."


def lunch(food: str) -> str:
    return FORMS[LUNCHES.index(food) % len(FORMS)].format(food)


def asked(actions) -> bool:
    return any(isinstance(a, Nudge) for a in actions)


def answer_not_a_decision(engine, clock, workspace: str, foods) -> None:
    """The workspace's team answered "Not a decision" to each plan (kept as its examples; how the
    buttons keep them is tested in test_examples.py)."""
    for food in foods:
        engine.store.record_example("slack", workspace, None, lunch(food), "other", None, "not_a_decision",
                                    "U_LEAD", clock.now)
        clock.advance(minutes=1)


def test_a_workspace_that_says_not_a_decision_is_asked_less_about_the_like(engine, clock):
    """After its team answered "Not a decision" to lunch plans and the model was refitted, a new lunch
    plan is not asked about there — and still is in another workspace."""
    answer_not_a_decision(engine, clock, "T_ONE", LUNCHES[:10])
    assert engine.learned.refit("slack", "T_ONE", clock.now) == 10

    assert not asked(engine.handle(message(NEW_PLAN, clock=clock, workspace="T_ONE", author="U_NEW",
                                           channel="C_NEW")))
    assert asked(engine.handle(message(NEW_PLAN, clock=clock, workspace="T_TWO", author="U_NEW",
                                       channel="C_NEW")))


def test_a_real_decision_is_still_asked_about_after_learning(engine, clock):
    """The correction learns lunch plans are not decisions; a launch decision is still one."""
    answer_not_a_decision(engine, clock, "T_ONE", LUNCHES[:10])
    engine.learned.refit("slack", "T_ONE", clock.now)
    assert asked(engine.handle(message("We decided to move the launch to next Friday.", clock=clock,
                                       workspace="T_ONE", author="U_NEW", channel="C_NEW")))


def test_the_nightly_refit_takes_only_workspaces_with_new_answers(engine, clock):
    """The job refits each workspace that answered since its last refit, once."""
    answer_not_a_decision(engine, clock, "T_ONE", LUNCHES[:3])
    answer_not_a_decision(engine, clock, "T_TWO", LUNCHES[3:5])
    assert sorted(engine.learned.refit_due(clock.now)) == [("slack", "T_ONE", 3), ("slack", "T_TWO", 2)]
    clock.advance(hours=1)
    assert engine.learned.refit_due(clock.now) == []
    answer_not_a_decision(engine, clock, "T_TWO", LUNCHES[5:6])
    assert engine.learned.refit_due(clock.now) == [("slack", "T_TWO", 3)]


def test_a_correction_survives_its_bytes():
    """A correction read back from its stored bytes scores exactly as the one fitted."""
    base = shipped_model()
    fitted = adapt(base, [Answer(lunch(f), "other") for f in LUNCHES[:5]])
    again = Adaptation.from_bytes(fitted.to_bytes())
    assert (again.columns == fitted.columns).all() and again.answers == 5
    assert abs(float(again.kind_delta.sum()) - float(fitted.kind_delta.sum())) < 1e-3
    assert abs(float(again.nudge_delta.sum()) - float(fitted.nudge_delta.sum())) < 1e-3
    text = normalise(NEW_PLAN)
    from bot.detector.adapt import AdaptedModel

    assert AdaptedModel(base, again).scores(text) == AdaptedModel(base, fitted).scores(text)


def test_not_a_decision_lowers_the_nudge_itself():
    """"Not a decision" answers teach the head that says whether to ask, not only the kinds: a new
    plan worded like the answered ones scores lower on it."""
    from bot.detector.adapt import AdaptedModel

    base = shipped_model()
    adapted = AdaptedModel(base, adapt(base, [Answer(lunch(f), "other") for f in LUNCHES[:10]]))
    text = normalise(NEW_PLAN)
    assert adapted.scores(text).nudge < base.scores(text).nudge - 0.2


def test_no_answers_change_nothing():
    """A workspace with no answers scores as the shipped model."""
    from bot.detector.adapt import AdaptedModel

    base = shipped_model()
    empty = AdaptedModel(base, adapt(base, []))
    text = normalise(lunch("pizza"))
    assert empty.scores(text) == base.scores(text)


def test_train_workspace_refits_from_the_log_and_refuses_an_unknown_one(engine, clock, tmp_path):
    """`nudgebot train --workspace ID` refits that workspace from its answers in NUDGEBOT_DB; a
    workspace with no answers gets a clear error and exit 4."""
    answer_not_a_decision(engine, clock, "T_ONE", LUNCHES[:4])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUDGEBOT_", "SLACK_", "OPENAI_"))}
    env["NUDGEBOT_DB"] = str(engine.store.path)
    done = subprocess.run([sys.executable, "-m", "bot", "train", "--workspace", "T_ONE"], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Refitted slack workspace T_ONE from 4 answers."
    store = Store.open(env["NUDGEBOT_DB"])
    try:
        assert store.workspace_model("slack", "T_ONE")["answers"] == 4
        assert store.workspace_model("slack", "T_TWO") is None
    finally:
        store.close()
    unknown = subprocess.run([sys.executable, "-m", "bot", "train", "--workspace", "T_NOBODY"],
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert unknown.returncode == 4
    assert "workspace T_NOBODY has no answers" in unknown.stderr
