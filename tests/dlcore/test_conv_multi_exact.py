"""conv2d_multi: every number exactly as the step-by-step formula gives it, on each of its code paths.

Paths: "generated" (quiz sizes: straight-line source written for the geometry), "tables" (kept plans without
it), "lazy" (big geometries: nothing kept).

The reference below is the plain formula in nested loops: S[f][c] at (i, j) is ``sum`` of window * kernel
over the kernel cells row-major (the order the solver promises), out[f] = (S[f][0] + S[f][1] + ...) + b[f].
"""

from __future__ import annotations

import json
import random

import pytest

import dlcore.conv_multi as conv_multi
from dlcore import SolverError, mistake_answers, solve
from dlcore.fmt import mat, num


def _pad(x: list[list[list[float]]], p: int) -> list[list[list[float]]]:
    w = len(x[0][0]) + 2 * p
    return [[[0.0] * w for _ in range(p)] + [[0.0] * p + [float(v) for v in row] + [0.0] * p for row in ch]
            + [[0.0] * w for _ in range(p)] for ch in x]


def _reference(params: dict, flip: bool = False) -> tuple[list, list, list]:
    """(padded input, S[f][c] maps, output maps) by the formula, one number at a time."""
    x, w = params["input"], params["filters"]
    s, p = params.get("stride", 1), params.get("padding", 0)
    b = params.get("bias") or [0.0] * len(w)
    xp = _pad(x, p)
    kh, kw = len(w[0][0]), len(w[0][0][0])
    h_out, w_out = (len(xp[0]) - kh) // s + 1, (len(xp[0][0]) - kw) // s + 1
    maps, outs = [], []
    for f, w_f in enumerate(w):
        s_f = []
        for c, k in enumerate(w_f):
            cells = [float(v) for row in k for v in row]
            if flip:
                cells.reverse()
            s_f.append([[sum(xp[c][i * s + u][j * s + v] * cells[u * kw + v] for u in range(kh) for v in range(kw))
                         for j in range(w_out)] for i in range(h_out)])
        maps.append(s_f)
        total = s_f[0]
        for m in s_f[1:]:
            total = [[a + c for a, c in zip(r1, r2, strict=True)] for r1, r2 in zip(total, m, strict=True)]
        outs.append([[v + float(b[f]) for v in row] for row in total])
    return xp, maps, outs


def _expected_steps(params: dict) -> list[dict]:
    xp, maps, outs = _reference(params)
    b = params.get("bias") or [0.0] * len(outs)
    steps = []

    def paren(v: float) -> str:  # a negative bias as a term of the sum: + (-0.5)
        return num(v) if v >= 0 else f"({num(v)})"

    if params.get("padding", 0):
        steps.append({"label": "Zero-padded input",
                      "latex": rf"{len(xp)} \times {len(xp[0])} \times {len(xp[0][0])}", "value": xp})
    for f, (s_f, out) in enumerate(zip(maps, outs, strict=True)):
        for c, m in enumerate(s_f):
            steps.append({"label": f"Filter {f}, channel {c}: cross-correlation", "latex": mat(m), "value": m})
        names = " + ".join(f"S_{{{f},{c}}}" for c in range(len(s_f)))
        steps.append({"label": f"Filter {f}: sum over channels + bias",
                      "latex": f"{names} + {paren(float(b[f]))} = {mat(out)}", "value": out})
    shape = [len(outs), len(outs[0]), len(outs[0][0])]
    steps.append({"label": "Output shape", "latex": rf"{shape[0]} \times {shape[1]} \times {shape[2]}", "value": shape})
    return steps


def _random_params(rng: random.Random) -> dict:
    c, f, kh, kw = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)
    h, w = rng.randint(kh, 6), rng.randint(kw, 6)

    def value() -> float:
        return rng.choice([rng.randint(-5, 9), round(rng.uniform(-3, 3), rng.choice([1, 2, 7])), 0, -0.0, 1e-9])

    params = {"input": [[[value() for _ in range(w)] for _ in range(h)] for _ in range(c)],
              "filters": [[[[value() for _ in range(kw)] for _ in range(kh)] for _ in range(c)] for _ in range(f)],
              "stride": rng.randint(1, 3), "padding": rng.randint(0, 2)}
    if rng.random() < 0.6:
        params["bias"] = [value() for _ in range(f)]
    return params


CASES = [_random_params(random.Random(seed)) for seed in range(60)]


def _geometry(params: dict) -> tuple[int, ...]:
    x, w = params["input"], params["filters"]
    return (len(w), len(x), len(x[0]), len(x[0][0]), len(w[0][0]), len(w[0][0][0]), params["stride"],
            params["padding"])


def test_most_random_cases_take_the_generated_path():
    conv_multi._small_plan.cache_clear()
    generated = [conv_multi._plan(*_geometry(params)).solution is not None for params in CASES]
    assert sum(generated) >= 40


def _as_json(value: object) -> str:
    return json.dumps(value)  # tells 0.0 from -0.0 and 1 from 1.0


PATHS = ["generated", "tables", "lazy"]


@pytest.fixture
def path(request, monkeypatch):
    """Sends every geometry down one path (plans kept under another setting are dropped before and after)."""
    conv_multi._small_plan.cache_clear()
    if request.param == "tables":  # kept plans, without a generated solution
        monkeypatch.setattr(conv_multi, "_GENERATED", -1)
    if request.param == "lazy":  # every geometry takes the path of big ones: windows repeated lazily, nothing kept
        monkeypatch.setattr(conv_multi, "_SMALL", 0)
    yield request.param
    conv_multi._small_plan.cache_clear()


@pytest.mark.parametrize("params", CASES)
@pytest.mark.parametrize("path", PATHS, indirect=True)
def test_steps_and_answer_are_the_formula_exactly(params, path):
    if path != "generated":
        assert conv_multi._plan(*_geometry(params)).solution is None
    sol = solve("conv2d_multi", params)
    assert sol.checked
    assert _as_json(sol.to_dict()["steps"]) == _as_json(_expected_steps(params))
    assert _as_json(sol.answer) == _as_json(_reference(params)[2])


@pytest.mark.parametrize("params", CASES[:20])
@pytest.mark.parametrize("path", PATHS, indirect=True)
def test_mistakes_are_the_formula_exactly(params, path):
    wrong = mistake_answers("conv2d_multi", params)
    _, maps, outs = _reference(params)
    b = params.get("bias") or [0.0] * len(outs)
    assert _as_json(wrong["flipped_kernel"]) == _as_json(_reference(params, flip=True)[2])
    assert _as_json(wrong["first_channel_only"]) == _as_json(
        [[[v + float(b_f) for v in row] for row in s_f[0]] for s_f, b_f in zip(maps, b, strict=True)])
    assert _as_json(wrong["forgot_bias"]) == _as_json(_reference({**params, "bias": None})[2])
    kh, kw = len(params["filters"][0][0]), len(params["filters"][0][0][0])
    fits = len(params["input"][0]) >= kh and len(params["input"][0][0]) >= kw
    if params["padding"] == 0:
        assert _as_json(wrong["ignored_padding"]) == _as_json(outs)
    elif fits:
        assert _as_json(wrong["ignored_padding"]) == _as_json(_reference({**params, "padding": 0})[2])
    else:
        assert "ignored_padding" not in wrong


def test_a_sum_of_negative_zeros_is_zero_as_python_sums_it():
    params = {"input": [[[-0.0, 0.0], [0.0, -0.0]]], "filters": [[[[1.0, 1.0]]]]}
    sol = solve("conv2d_multi", params)
    assert _as_json(sol.answer) == "[[[0.0], [0.0]]]"


def test_the_plan_of_a_geometry_is_reused_and_bounded():
    conv_multi._small_plan.cache_clear()
    params = {"input": [[[1, 2, 3], [4, 5, 6]]], "filters": [[[[1, 0], [0, 1]]]]}
    solve("conv2d_multi", params)
    solve("conv2d_multi", {**params, "input": [[[9, 8, 7], [6, 5, 4]]]})
    assert conv_multi._small_plan.cache_info().hits >= 1
    assert conv_multi._small_plan.cache_info().maxsize is not None


def test_a_big_geometry_is_computed_without_cached_tables():
    conv_multi._small_plan.cache_clear()
    x = [[[float((i * 7 + j) % 5) for j in range(60)] for i in range(60)]]
    sol = solve("conv2d_multi", {"input": x, "filters": [[[[1, -1], [2, 0.5]]]] * 2})
    assert conv_multi._small_plan.cache_info().currsize == 0
    assert sol.answer[1][58][58] == x[0][58][58] - x[0][58][59] + 2 * x[0][59][58] + 0.5 * x[0][59][59]


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"input": [[[1, 2], [3]]], "filters": [[[[1]]]]}, "Parameter 'input' must be a 3-D array"),
        ({"input": [[[True, False]]], "filters": [[[[1]]]]}, "Parameter 'input' must be a 3-D array"),
        ({"input": [[["1"]]], "filters": [[[[1]]]]}, "Parameter 'input' must be a 3-D array"),
        ({"input": [[[2 ** 64]]], "filters": [[[[1]]]]}, "Parameter 'input' must be a 3-D array"),
        ({"input": [[[1]]], "filters": [[[1]]]}, "Parameter 'filters' must be a 4-D array"),
        ({"input": [[[1e308, float("inf")]]], "filters": [[[[1]]]]}, "'input' must contain only finite numbers"),
        ({"input": [[[1, 2]]], "filters": [[[[1]], [[1]]]]}, "as many channels as the input (1), not 2"),
        ({"input": [[[1, 2]]], "filters": [[[[1]]]], "bias": [1, 2]}, "one value per filter (1), got 2"),
        ({"input": [[[1, 2]]], "filters": [[[[1, 1, 1]]]]}, "larger than the padded input width"),
        ({"input": [[[1e308, 1e308]]], "filters": [[[[10.0]]]]}, "non-finite result"),
    ],
)
def test_bad_input_is_refused_with_its_sentence(params, fragment):
    with pytest.raises(SolverError) as err:
        solve("conv2d_multi", params)
    assert fragment in str(err.value)


def test_inputs_numpy_reads_as_numbers_are_read_the_same():
    # bools among numbers and big integers: as numpy reads them (True is 1, 2**53 + 1 rounds to a float)
    sol = solve("conv2d_multi", {"input": [[[True, 2], [2 ** 53 + 1, 0.5]]], "filters": [[[[1]]]]})
    assert _as_json(sol.answer) == _as_json([[[1.0, 2.0], [float(2 ** 53 + 1), 0.5]]])
