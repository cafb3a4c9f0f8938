"""principles.yaml: the bundled file loads, an organisation's own file loads, a broken one is explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import PrinciplesError
from bot.models import Principle
from bot.principles import load_principles

BUNDLED = Path(__file__).resolve().parent.parent / "principles.yaml"

# Two entries; each test breaks one thing. Line numbers below count from 1.
GOOD = """\
principles:
  - id: customer-obsession
    name: Customer Obsession
    summary: Start with the customer and work backwards.
    question: Who is the customer, and how does this help them?
    signals: [customer, user]
  - id: bias-for-action
    name: Bias for Action
    summary: Speed matters; many decisions are reversible.
    question: Is this a two-way door we can walk back through?
    signals:
      - reversible
      - two-way door
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "principles.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path) -> str:
    with pytest.raises(PrinciplesError) as raised:
        load_principles(path)
    return str(raised.value)


# -- the bundled file -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return load_principles(BUNDLED)


def test_the_bundled_file_has_sixteen_principles(bundled):
    """Amazon's sixteen leadership principles ship with the bot."""
    assert len(bundled) == 16


def test_customer_obsession_comes_first_with_the_customer_question(bundled):
    """The first principle is Customer Obsession, asking who the customer is."""
    first = bundled[0]

    assert (first.id, first.name, first.question) == (
        "customer-obsession",
        "Customer Obsession",
        "Who is the customer, and how does this help them?",
    )


def test_bundled_ids_are_unique(bundled):
    """No two bundled principles share an id."""
    ids = [p.id for p in bundled]

    assert sorted(set(ids)) == sorted(ids)


def test_every_bundled_question_is_a_question(bundled):
    """Each bundled principle asks something: its question ends with a question mark."""
    assert [p.id for p in bundled if not p.question.endswith("?")] == []


# -- an organisation's own file ---------------------------------------------------------------


def test_an_organisations_own_file_loads(tmp_path):
    """A small custom file becomes Principles as written, signals lower-cased, in file order."""
    path = write(tmp_path, GOOD.replace("[customer, user]", "[Customer, ' User ']"))

    assert load_principles(path) == (
        Principle(
            id="customer-obsession",
            name="Customer Obsession",
            summary="Start with the customer and work backwards.",
            question="Who is the customer, and how does this help them?",
            signals=("customer", "user"),
        ),
        Principle(
            id="bias-for-action",
            name="Bias for Action",
            summary="Speed matters; many decisions are reversible.",
            question="Is this a two-way door we can walk back through?",
            signals=("reversible", "two-way door"),
        ),
    )


# -- errors -----------------------------------------------------------------------------------


def test_a_missing_field_names_file_line_entry_and_field(tmp_path):
    """Leaving out a summary names the file, the entry's line, its number and id, and the field."""
    path = write(tmp_path, GOOD.replace("    summary: Speed matters; many decisions are reversible.\n", ""))

    assert error_for(path) == f"{path}: line 7: entry 2 (bias-for-action) field 'summary': Field required"


def test_an_unknown_key_is_refused_and_the_allowed_ones_listed(tmp_path):
    """A key the bot does not know (a typo) is an error listing the allowed keys."""
    path = write(tmp_path, GOOD.replace("    name: Bias for Action\n", "    name: Bias for Action\n    colour: blue\n"))

    assert error_for(path) == (
        f"{path}: line 9: entry 2 (bias-for-action) field 'colour': "
        "unknown field (allowed: id, name, summary, question, signals)"
    )


def test_an_unknown_top_level_key_lists_what_the_top_allows(tmp_path):
    """A stray key next to `principles:` is named, and only `principles` is offered."""
    path = write(tmp_path, GOOD + "version: 2\n")

    assert error_for(path) == f"{path}: line 14: field 'version': unknown field (allowed: principles)"


def test_signals_must_be_a_list(tmp_path):
    """`signals: customer` (a string, not a list) is an error on that line."""
    path = write(tmp_path, GOOD.replace("signals: [customer, user]", "signals: customer"))

    assert error_for(path) == (
        f"{path}: line 6: entry 1 (customer-obsession) field 'signals': Input should be a valid list"
    )


def test_signals_must_not_be_empty(tmp_path):
    """A principle with no signals could never match, so `signals: []` is an error."""
    path = write(tmp_path, GOOD.replace("signals: [customer, user]", "signals: []"))

    assert error_for(path) == (
        f"{path}: line 6: entry 1 (customer-obsession) field 'signals': "
        "List should have at least 1 item after validation, not 0"
    )


def test_a_blank_signal_is_refused(tmp_path):
    """A signal that is only spaces would match everything, so it is an error."""
    path = write(tmp_path, GOOD.replace("[customer, user]", "[customer, '  ']"))

    assert error_for(path) == (
        f"{path}: line 6: entry 1 (customer-obsession) field 'signals': "
        "signals must be non-empty words or phrases"
    )


def test_an_id_must_be_kebab_case(tmp_path):
    """`Bias_For_Action` is refused with an example of the expected form."""
    path = write(tmp_path, GOOD.replace("id: bias-for-action", "id: Bias_For_Action"))

    assert error_for(path) == (
        f"{path}: line 7: entry 2 (Bias_For_Action) field 'id': "
        "must be lowercase kebab-case, like customer-obsession"
    )


def test_a_duplicate_id_names_both_entries(tmp_path):
    """Two entries with one id: the second is named with its line, and the first is pointed at."""
    path = write(tmp_path, GOOD.replace("id: bias-for-action", "id: customer-obsession"))

    assert error_for(path) == (
        f"{path}: line 7: entry 2 (customer-obsession) field 'id': "
        "duplicate id 'customer-obsession', already used by entry 1"
    )


def test_an_entry_that_is_not_a_mapping_is_explained(tmp_path):
    """A bare string under `principles:` says an entry needs the five fields."""
    path = write(tmp_path, "principles:\n  - Customer Obsession\n")

    assert error_for(path) == (
        f"{path}: line 2: entry 1: expected a mapping with id, name, summary, question and signals"
    )


def test_an_empty_principles_list_is_refused(tmp_path):
    """`principles: []` leaves the bot with no question to ask, so it is an error."""
    path = write(tmp_path, "principles: []\n")

    assert error_for(path) == (
        f"{path}: line 1: field 'principles': List should have at least 1 item after validation, not 0"
    )


def test_invalid_yaml_names_the_line(tmp_path):
    """A YAML syntax error (an unclosed bracket) is reported with its line."""
    path = write(tmp_path, GOOD.replace("    name: Bias for Action", "    name: [Bias for Action"))

    assert error_for(path) == f"{path}: line 9: expected ',' or ']', but got ':'"


def test_a_file_that_is_not_a_mapping_is_explained(tmp_path):
    """A top-level list instead of `principles:` says what the top should be."""
    path = write(tmp_path, "- customer-obsession\n- bias-for-action\n")

    assert error_for(path) == f"{path}: expected a mapping with a 'principles' list at the top"


def test_an_empty_file_is_explained(tmp_path):
    """An empty file gets the same explanation as any other wrong top level."""
    path = write(tmp_path, "")

    assert error_for(path) == f"{path}: expected a mapping with a 'principles' list at the top"


def test_a_missing_file_says_how_to_point_at_another(tmp_path):
    """A path that does not exist is named, with the variable that chooses the file."""
    path = tmp_path / "ours.yaml"

    assert error_for(path) == f"{path}: file not found (set NUDGEBOT_PRINCIPLES to your principles file)"


def test_a_file_that_is_not_utf8_text_is_an_error(tmp_path):
    """Binary content is a PrinciplesError, not a crash."""
    path = tmp_path / "principles.yaml"
    path.write_bytes(b"\xff\xfe\x00principles")

    assert error_for(path) == f"{path}: cannot be read (UnicodeDecodeError)"
