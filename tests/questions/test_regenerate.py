"""regenerate_variant: a fixed version of a template computes the answers for the numbers a student already has."""

from __future__ import annotations

from pathlib import Path

import pytest

from questions import TemplateError, generate_variant, load_template, regenerate_variant

BANK = Path(__file__).resolve().parents[2] / "question_bank"
FIXED = (BANK / "cnn" / "conv-output-size.yaml").read_text()
# A bug a TA fixes later: the parameter count uses one input channel too many. The buggy version redraws
# other variants than the fixed one (its mistakes coincide elsewhere), so a seed alone does not keep numbers.
BUGGY = FIXED.replace("solver_params: {in_channels: c_in, out_channels: n, kernel: k}",
                      "solver_params: {in_channels: c_in + 1, out_channels: n, kernel: k}")


def test_the_fixed_version_keeps_the_students_numbers_where_the_seed_would_draw_others():
    buggy, fixed = load_template(BUGGY), load_template(FIXED)
    moved = 0
    for seed in range(40):
        old = generate_variant(buggy, seed)
        new = regenerate_variant(fixed, seed, old.params)
        assert new.params == old.params
        assert new.part("count").correct != old.part("count").correct  # the fix changes the answer...
        assert new.part("shape").correct == old.part("shape").correct  # ...and only that one
        assert new.seed == seed and new.template_hash == fixed.hash
        moved += generate_variant(fixed, seed).params != old.params
    assert moved, "no seed draws other numbers under the fix: the test would not show anything"


@pytest.mark.parametrize("path", sorted(BANK.rglob("*.yaml")), ids=lambda p: p.stem)
def test_regenerating_with_the_same_version_gives_the_same_variant(path):
    spec = load_template(path.read_text(), str(path))
    for seed in (0, 1, 7):
        variant = generate_variant(spec, seed)
        assert regenerate_variant(spec, seed, variant.params).to_dict() == variant.to_dict()


def test_numbers_that_break_a_constraint_of_the_new_version_are_refused():
    spec = load_template(FIXED)
    params = {**generate_variant(spec, 3).params, "p": 99}
    with pytest.raises(TemplateError, match=r"the student's numbers do not fit this version: constraint 'p < k'"):
        regenerate_variant(spec, 3, params)


def test_a_parameter_the_old_variant_did_not_have_is_refused():
    spec = load_template(FIXED)
    params = generate_variant(spec, 3).params
    del params["k"]
    with pytest.raises(TemplateError, match="the old variant has no value for the parameter 'k'"):
        regenerate_variant(spec, 3, params)
