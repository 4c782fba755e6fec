"""Softmax's generated per-n solutions (activations._direct_source) against a plain reference and the general path."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import SolverError, solve
from dlcore.activations import _GENERATED, _direct_source, _softmax_general, _softmax_solver
from dlcore.finite import non_finite_error
from dlcore.fmt import num
from dlcore.types import Solution

_LOG_PLAIN_MIN, _LOG_PLAIN_MAX = math.log(1e-4), math.log(999_999.0)


def _row(xs: list[float]) -> str:
    return "[" + ", ".join([num(x) for x in xs]) + "]"


def reference(logits: list[float]) -> tuple[list[float], list[tuple[str, str, object]]]:
    """Softmax worked from its definition, each number written by fmt.num (no fast path)."""
    z_max = max(logits)
    steps: list[tuple[str, str, object]] = []
    if -500.0 <= z_max <= 500.0:
        exps = [math.exp(z) for z in logits]
    else:
        shifted = [z - z_max for z in logits]
        if not all(math.isfinite(s) for s in shifted):
            raise SolverError("non-finite")
        head = f"z - ({num(z_max)}) = " if z_max < 0 else f"z - {num(z_max)} = "
        steps.append(("Subtract the largest logit (does not change the result)", head + _row(shifted), shifted))
        exps = [math.exp(s) for s in shifted]
    total = sum(exps)
    p = [e / total for e in exps]
    shift = "" if not steps else r" - \max z"
    steps += [
        ("Exponentiate", f"e^{{z_i{shift}}} = " + _row(exps), exps),
        ("Sum of exponentials", rf"\sum_j e^{{z_j{shift}}} = " + num(total), total),
        ("Normalise", r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}} = " + _row(p), p),
    ]
    return p, steps


def _plain(sol: Solution) -> tuple[str, list[tuple[str, str, str]]]:
    """The solution with every number as its repr (so that -0.0 and 0.0 differ)."""
    return repr(sol.answer), [(s.label, s.latex, repr(s.value)) for s in sol.steps]


def assert_same(logits: list[float]) -> None:
    """The solver for len(logits) gives the reference's answer and steps exactly, and the general path's."""
    try:
        expected = reference(logits)
    except SolverError:
        sentence = str(non_finite_error("softmax"))
        for solution in (_softmax_solver(len(logits)), _softmax_general):
            with pytest.raises(SolverError) as raised:
                solution(logits)
            assert str(raised.value) == sentence
        return
    sol = _softmax_solver(len(logits))(logits)
    assert sol.checked
    answer, steps = expected
    assert _plain(sol) == (repr(answer), [(label, latex, repr(value)) for label, latex, value in steps])
    assert _plain(sol) == _plain(_softmax_general(logits))
    assert sol.answer is sol.steps[-1].value  # one list, as the general path returns it


EDGES = [
    [0.0], [-0.0], [0.0, -0.0], [-0.0, -0.0, -0.0], [0.3] * 4, [1.0, 2.0, 3.0], [2.0, 1.0, 0.1],
    [500.0, 0.0], [-500.0, -501.0], [math.nextafter(500.0, 1e9), 0.0], [math.nextafter(-500.0, -1e9), -600.0],
    [1000.0, 980.0], [-1000.0, -1001.0], [-1e308, 1e308], [1e308, -1e308, 0.0], [-1e308, -1e308],
    [14.0, 0.0], [13.8, 13.8], [-10.0, 0.0], [-745.0, 0.0], [-800.0, 10.0], [500.0, 500.0, 500.0],
    [_LOG_PLAIN_MIN, 0.0], [math.nextafter(_LOG_PLAIN_MIN, 0.0), 5.0], [math.nextafter(_LOG_PLAIN_MIN, -1.0), -9.0],
    [_LOG_PLAIN_MAX], [math.nextafter(_LOG_PLAIN_MAX, 99.0)], [math.log(999_999.5)], [math.log(1e6)],
    [0.0] * 5 + [10.0], [0.0] * 10_000 + [1.0],  # p < 1e-4
    [math.log(2.0), 0.0], [math.log(3.0)] * 3, [5e-324, -5e-324], [1e-300, -1e-300],
]


@pytest.mark.parametrize("logits", EDGES)
def test_edge_inputs(logits):
    assert_same(logits)


def test_every_generated_size_on_random_logits():
    rng = random.Random(20261204)
    for n in range(1, _GENERATED + 3):
        for scale in (1.0, 5.0, 20.0, 300.0, 600.0, 1e6):
            assert_same([rng.uniform(-scale, scale) for _ in range(n)])
        assert_same([float(rng.randint(-3, 3)) for _ in range(n)])
        assert_same([rng.choice([0.0, -0.0, 1.0, -20.0, 14.0, 499.9, -700.0]) for _ in range(n)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=_GENERATED + 2))
def test_any_finite_logits(logits):
    assert_same(logits)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-520.0, 520.0), min_size=1, max_size=12))
def test_logits_around_the_direct_range(logits):
    assert_same(logits)


def test_solve_uses_the_generated_solution_and_reports_non_finite_results():
    assert solve("softmax", {"logits": [0.3] * 4}).answer == [0.25] * 4
    assert _softmax_solver(4) is not _softmax_general and _softmax_solver(_GENERATED + 1) is _softmax_general
    with pytest.raises(SolverError) as generated:
        solve("softmax", {"logits": [-1e308, 1e308]})
    with pytest.raises(SolverError) as general:
        solve("softmax", {"logits": [-1e308] * (_GENERATED + 1) + [1e308]})
    assert str(generated.value) == str(general.value)


def test_source_depends_on_the_number_of_logits_only():
    source = _direct_source(3)
    assert "def softmax_n(logits):" in source and "z2" in source and "z3" not in source
    assert _direct_source(3) == source
