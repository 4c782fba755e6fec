"""pool2d's generated straight-line solutions against its index-table path, number for number.

A quiz-sized geometry is solved by source written for it (dlcore.pooling._solution_source); every answer, step
and error must be exactly what the tables path (_table_solution) gives for the same map: -0.0 against 0.0 in
ties, exponents, averages that overflow.
"""

from __future__ import annotations

import json
import random

import pytest

import dlcore.pooling as pooling
from dlcore import SolverError, solve
from tests.dlcore.outcome import outcome

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, 0.1, 1e-9, -3.5e-7, 1234567.0, 2e15, 0.30000000000000004, 1e308, -1e308,
           5e-324, 7.0, 7.0]


def _value(rng: random.Random) -> float:
    kind = rng.random()
    if kind < 0.4:
        return rng.choice(SPECIAL)
    if kind < 0.7:
        return float(rng.randint(-3, 3)) * rng.choice([1.0, -1.0])  # many ties, some of them +-0.0
    return rng.uniform(-1e6, 1e6)


def _geometry(rng: random.Random) -> tuple[int, int, int, int | None, int, bool, str, bool]:
    while True:
        h, w, kernel = rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 4)
        stride = rng.choice([None, 1, 2, 3])
        padding = rng.randint(0, kernel // 2)
        geometry = (h, w, kernel, stride, padding, rng.random() < 0.5, rng.choice(["max", "avg"]), rng.random() < 0.5)
        try:
            layout = pooling._build_layout(*geometry)
        except SolverError:
            continue
        cells = sum(len(window(list(range(h * w)))) for window in layout.windows)
        if cells + 8 * len(layout.windows) <= pooling._GENERATED:  # else not generated
            return geometry


def _both(geometry: tuple, x: list[list[float]]) -> tuple[str, str]:
    generated = pooling._build_layout(*geometry, generate=True)
    assert generated.solution is not None
    tables = pooling._build_layout(*geometry)
    assert tables.solution is None
    return outcome(generated.solution, x), outcome(pooling._table_solution, tables, x, geometry[6])


@pytest.mark.parametrize("seed", range(8))
def test_generated_solutions_equal_the_tables_path(seed):
    rng = random.Random(seed)
    for _ in range(60):
        geometry = _geometry(rng)
        h, w = geometry[:2]
        x = [[_value(rng) for _ in range(w)] for _ in range(h)]
        generated, tables = _both(geometry, x)
        assert generated == tables, (geometry, x)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_ties_of_zero_and_negative_zero_keep_what_the_tables_keep(mode):
    for x in ([[0.0, -0.0], [-0.0, 0.0]], [[-0.0, 0.0], [0.0, -0.0]], [[-0.0, -0.0], [-0.0, -0.0]],
              [[-1.0, -0.0], [0.0, -2.0]], [[-0.0]]):
        for kernel, stride in ((1, None), (1, 2), (len(x), None), (len(x), 1)):
            geometry = (len(x), len(x[0]), kernel, stride, 0, False, mode, True)
            generated, tables = _both(geometry, x)
            assert generated == tables, (geometry, x)
    answer = solve("pool2d", dict(input=[[-0.0, 0.0], [0.0, 1.0 - 1.0]], kernel=2)).answer
    assert json.dumps(answer) == "[[-0.0]]"  # the first maximum stays, as torch and max() keep it


def test_averages_that_overflow_raise_the_same_error():
    x = [[1e308, 1e308, -1e308], [1e308, 1e308, 1.0], [0.0, -0.0, 2.0]]
    for geometry in ((3, 3, 2, 1, 0, False, "avg", True), (3, 3, 2, None, 1, True, "avg", False),
                     (3, 3, 3, None, 0, False, "avg", True)):
        generated, tables = _both(geometry, x)
        assert generated == tables
    assert generated.startswith("error: Solver 'pool2d' produced a non-finite result")
    assert json.loads(_both((3, 3, 2, 1, 0, False, "max", True), x)[0])[0] == [[1e308, 1e308], [1e308, 1e308]]


def test_only_quiz_sized_geometries_are_generated():
    assert pooling._layout(5, 5, 2, None, 0, False, "max", True).solution is not None
    # window cells + 8 x windows above _GENERATED: the tables path
    assert pooling._layout(16, 16, 4, 1, 0, False, "max", True).solution is None
    x = [[float((i * 7 + j * 3) % 11) - 5.0 for j in range(16)] for i in range(16)]
    sol = solve("pool2d", dict(input=x, kernel=4, stride=1))
    tables = pooling._table_solution(pooling._build_layout(16, 16, 4, 1, 0, False, "max", True), x, "max")
    assert json.dumps([sol.answer, sol.steps]) == json.dumps(list(tables))

