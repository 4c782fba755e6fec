"""cnn_summary's generated solutions of square inputs against its table path (_table), step for step.

A list of layers is solved by source written for the kinds of its layers (dlcore.shapes._square_source), with
the layers' numbers and texts passed in; every answer, step and error must be what _table gives.
"""

from __future__ import annotations

import random
from itertools import repeat

import pytest

import dlcore.shapes as shapes
from dlcore import SolverError, solve
from dlcore.types import Solution, Step
from tests.dlcore.outcome import outcome


def _table_solution(hwc: tuple[int, int, int], layers: list[str], ceil_mode: bool) -> Solution:
    """cnn_summary as the solver computes it without a generated function (_table for H = W)."""
    plan = shapes._cnn_plan(layers)
    if not plan.fc_only_at_the_end:
        shapes._raise_geometry_error(hwc, plan.layers, ceil_mode)
    texts, rows, total = shapes._table(plan, hwc, ceil_mode)
    steps = tuple(map(Step._make, zip(plan.summary_labels, texts, [[*hwc], *rows, total], strict=True)))
    return Solution({"layers": rows, "total_params": total}, steps, True)


def _layer(rng: random.Random) -> str:
    kind = rng.choice(["CONV", "CONV", "POOL", "FC"])
    if kind == "CONV":
        k, n = rng.choice([1, 2, 3, 5, 7, 11]), rng.choice([1, 3, 16, 64, 5000, 100_000])
        if rng.random() < 0.5:
            return f"CONV-{k}-{n}-{rng.randint(1, 4)}-{rng.randint(0, 3)}"
        return f"CONV-{k}-{n}"
    if kind == "POOL":
        return f"POOL-{rng.choice([1, 2, 3, 4, 7])}"
    return f"FC-{rng.choice([1, 4, 10, 100_000])}"


def _layers(rng: random.Random) -> list[str]:
    body = [_layer(rng) for _ in range(rng.randint(0, 7))]
    head = [f"FC-{rng.randint(1, 500)}" for _ in range(rng.randint(0, 3))]
    return (body + head) or ["FC-3"]


def _generated(hwc: tuple[int, int, int], layers: list[str], ceil_mode: bool) -> Solution:
    return shapes.cnn_summary(input=list(hwc), layers=layers, ceil_mode=ceil_mode)


@pytest.mark.parametrize("seed", range(6))
def test_generated_cnn_summaries_equal_the_table_path(seed):
    rng = random.Random(seed)
    for _ in range(150):
        layers = _layers(rng)
        side = rng.choice([1, 2, 5, 7, 28, 32, 55, 64, 128, 224, 4095, 4096, 5000, 10**9])
        hwc = (side, side, rng.choice([1, 3, 64, 4096, 10**9]))
        plan = shapes._cnn_plan(layers)
        assert (plan.square_solutions is not None) == plan.fc_only_at_the_end
        for ceil_mode in (False, True):
            generated = outcome(_generated, hwc, layers, ceil_mode)
            assert generated == outcome(_table_solution, hwc, layers, ceil_mode), (hwc, layers, ceil_mode)


@pytest.mark.parametrize("layers, hwc", [
    (["CONV-9-2", "FC-3"], (8, 8, 1)),  # the kernel does not fit
    (["CONV-3-2", "POOL-7", "FC-3"], (8, 8, 1)),  # the pooling window does not fit
    (["POOL-2", "POOL-2", "POOL-2", "POOL-2"], (9, 9, 1)),  # floor reaches 0 where ceil does not
    (["CONV-3-2", "FC-3", "POOL-2"], (8, 8, 1)),  # a layer after FC: not generated
])
def test_layers_that_do_not_fit_give_the_table_paths_error(layers, hwc):
    for ceil_mode in (False, True):
        generated = outcome(_generated, hwc, layers, ceil_mode)
        assert generated == outcome(_table_solution, hwc, layers, ceil_mode)
    with pytest.raises(SolverError):
        solve("cnn_summary", {"input": list(hwc), "layers": layers, "ceil_mode": False})


def test_long_lists_keep_the_table_path():
    layers = ["CONV-1-2"] * (shapes._GENERATED_LAYERS + 1)
    assert shapes._cnn_plan(layers).square_solutions is None
    assert shapes._cnn_plan(layers[1:]).square_solutions is not None
    hwc = (6, 6, 2)
    assert outcome(_generated, hwc, layers, False) == outcome(_table_solution, hwc, layers, False)


def test_one_function_per_kinds_serves_every_name():
    """The source depends on the kinds only: other numbers reach the same function through its arguments."""
    shapes._square_factory.cache_clear()
    shapes._cached_plan.cache_clear()
    first = solve("cnn_summary", {"input": [32, 32, 3], "layers": ["CONV-3-8", "POOL-2", "FC-10"]})
    second = solve("cnn_summary", {"input": [30, 30, 1], "layers": ["CONV-5-4-1-2", "POOL-3", "FC-7"]})
    assert shapes._square_factory.cache_info().currsize == 2  # CONV/POOL/FC with floor and with ceil pooling
    assert first.answer["total_params"] == 3 * 3 * 3 * 8 + 8 + 15 * 15 * 8 * 10 + 10
    assert second.answer["layers"][1]["shape"] == [10, 10, 4]
    assert second.steps[1].latex.startswith(r"H_{out} = W_{out} = \left\lfloor \frac{30 + 2\cdot2 - 5}{1}")


def test_steps_of_the_generated_path_are_built_like_the_table_paths():
    sol = _generated((128, 128, 3), ["CONV-7-32", "POOL-2", "FC-10", "FC-4"], False)
    reference = _table_solution((128, 128, 3), ["CONV-7-32", "POOL-2", "FC-10", "FC-4"], False)
    assert sol == reference and sol.checked
    assert sol.steps[1].value is sol.answer["layers"][0]  # a layer's step shows its row of the table
    assert list(map(tuple.__len__, sol.steps)) == list(repeat(3, len(sol.steps)))
