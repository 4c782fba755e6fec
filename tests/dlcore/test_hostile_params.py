"""Every solver, every parameter, hostile values: only SolverError or a finite JSON solution, never
another exception (the CLI would print a traceback) and never a NaN."""

from __future__ import annotations

import json
import warnings

import pytest

from dlcore import SolverError, get_solver, list_solvers, mistake_answers, solve
from dlcore.bench import _example_params

HUGE = 10**400  # beyond the float range; json.loads gives such ints
HOSTILE = [
    HUGE, -HUGE, [HUGE], [[HUGE]], [[[HUGE]]], 10**30, -1, 0, 1e-300, -1e300, True, None, "abc", "",
    [], [[]], [[[]]], {}, {"a": 1}, [1, "a"], [[1, 2], [3]], [[1, 2], 3], [None], [[True]], 1.5,
]
EXAMPLES = _example_params()


def _solvers() -> list[str]:
    return [s["name"] for s in list_solvers() if s["name"] in EXAMPLES]


def _check(name: str, params: dict) -> None:
    try:
        sol = solve(name, params)
    except SolverError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        json.dumps(sol.to_dict(), allow_nan=False)
    try:
        answers = mistake_answers(name, params)
    except SolverError:
        return
    json.dumps(answers, allow_nan=False)


@pytest.mark.parametrize("name", _solvers())
def test_hostile_values_in_every_parameter_give_a_solver_error_or_an_answer(name):
    base = EXAMPLES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for param in get_solver(name).params:
            for value in HOSTILE:
                _check(name, {**base, param: value})
        _check(name, {k: v for k, v in base.items() if k != next(iter(base))})  # one missing


def test_an_integer_beyond_the_float_range_is_a_clear_error():
    with pytest.raises(SolverError, match=r"Parameter 'grad' is too large to be a number\."):
        solve("sgd_step", {"theta": 1, "grad": HUGE, "lr": 0.1})
    with pytest.raises(SolverError, match=r"Parameter 'logits\[0\]' is too large to be a number\."):
        solve("softmax", {"logits": [HUGE]})


@pytest.mark.parametrize("name", _solvers())
def test_the_compiled_validator_agrees_with_validate(name):
    from dlcore.params import validate

    info = get_solver(name)
    base = EXAMPLES[name]
    cases = [base, {}, [], {**base, "no_such_parameter": 1}]
    cases += [{**base, param: value} for param in info.params for value in HOSTILE]
    cases += [{k: v for k, v in base.items() if k != param} for param in base]
    for params in cases:
        try:
            expected = validate(name, info.params, params)
        except SolverError as exc:
            with pytest.raises(SolverError) as got:
                info.check_params(params)
            assert str(got.value) == str(exc)
        else:
            assert info.check_params(params) == expected
