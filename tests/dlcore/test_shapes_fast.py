"""The shape and count solvers fill %-templates and return checked=True: their steps must stay
exactly those of the straightforward step-by-step construction, kept here as the reference."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import SolverError, solve
from dlcore.fmt import num
from dlcore.registry import _all_plain_finite
from dlcore.shapes import _pooled, _summarize, parse_cnn_layers, pool_output_size


def _sizes_tex(prev: list[int], shape: list[int], formula) -> str:
    """H_out and W_out, written once when the input is square (the same computation)."""
    (h, w), (h_out, w_out) = prev[:2], shape[:2]
    if h == w:
        return rf"H_{{out}} = W_{{out}} = {formula(h)} = {h_out}"
    return rf"H_{{out}} = {formula(h)} = {h_out} \quad W_{{out}} = {formula(w)} = {w_out}"


def _shape_tex(layer, prev: list[int], shape: list[int], ceil_mode: bool) -> str:
    """The output size formula of a CONV or POOL layer and its output shape."""
    k = layer.kernel
    if layer.kind == "CONV":
        sizes = _sizes_tex(prev, shape, lambda x: rf"\left\lfloor \frac{{{x} + 2\cdot{layer.padding} - {k}}}"
                                                  rf"{{{layer.stride}}} \right\rfloor + 1")
    else:
        left, right = (r"\left\lceil", r"\right\rceil") if ceil_mode else (r"\left\lfloor", r"\right\rfloor")
        sizes = _sizes_tex(prev, shape, lambda x: rf"{left} \frac{{{x}}}{{{k}}} {right}")
    return sizes + r" \quad " + r" \times ".join(map(str, shape))


def _reference_cnn_summary(hwc: list[int], layers: list[str], ceil_mode: bool) -> dict:
    """cnn_summary's solution built one Step at a time from _summarize's rows: one step per layer."""
    parsed = parse_cnn_layers(layers)
    rows = _summarize(tuple(hwc), parsed, ceil_mode=ceil_mode)
    steps = [("Input", rf"{hwc[0]} \times {hwc[1]} \times {hwc[2]}", list(hwc))]
    prev = list(hwc)
    for layer, row in zip(parsed, rows, strict=True):
        k, n = layer.kernel, layer.n
        if layer.kind == "CONV":
            latex = (_shape_tex(layer, prev, row["shape"], ceil_mode)
                     + rf" \quad \text{{weights}} = {k} \cdot {k} \cdot {prev[2]} \cdot {n} = {row['weights']}"
                     + rf" \quad \text{{biases}} = {n}")
        elif layer.kind == "POOL":
            latex = _shape_tex(layer, prev, row["shape"], ceil_mode) + r" \quad \text{no parameters}"
        else:
            n_in = math.prod(prev)
            flattened = rf"n_{{in}} = {prev[0]} \cdot {prev[1]} \cdot {prev[2]} = {n_in} \quad " if len(prev) == 3 else ""
            latex = flattened + rf"\text{{weights}} = {n_in} \cdot {n} = {row['weights']} \quad \text{{biases}} = {n}"
        steps.append((layer.name, latex, row))
        prev = row["shape"]
    total = sum(r["weights"] + r["biases"] for r in rows)
    steps.append(("Total parameters", rf"\sum (\text{{weights}} + \text{{biases}}) = {total}", total))
    return _as_dict({"layers": rows, "total_params": total}, steps)


def _reference_flatten_size(hwc: list[int], layers: list[str], ceil_mode: bool) -> dict:
    parsed = parse_cnn_layers(layers)
    rows = _summarize(tuple(hwc), parsed, ceil_mode=ceil_mode)
    prevs = [list(hwc)] + [row["shape"] for row in rows]
    steps = [(f"{layer.name}: output shape", _shape_tex(layer, prev, row["shape"], ceil_mode), row["shape"])
             for layer, prev, row in zip(parsed, prevs, rows, strict=False)]
    h, w, c = rows[-1]["shape"]
    steps.append(("Flattened size", rf"{h} \cdot {w} \cdot {c} = {h * w * c}", h * w * c))
    return _as_dict(h * w * c, steps)


def _as_dict(answer: object, steps: list[tuple[str, str, object]]) -> dict:
    return {"answer": answer, "steps": [{"label": a, "latex": b, "value": v} for a, b, v in steps]}


def _plain_checked(name: str, params: dict) -> dict:
    sol = solve(name, params)
    assert sol.checked
    assert _all_plain_finite([s.value for s in sol.steps] + [sol.answer])
    assert all(type(s.label) is str and type(s.latex) is str for s in sol.steps)
    out = sol.to_dict()
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    return out


_LAYER = st.one_of(
    st.builds(lambda k, n: f"CONV-{k}-{n}", st.integers(1, 5), st.integers(1, 300)),
    st.builds(lambda k, n, s, p: f"conv-{k}-{n}-{s}-{p}", st.integers(1, 5), st.integers(1, 9), st.integers(1, 3),
              st.integers(0, 2)),
    st.builds(lambda k: f" POOL-{k}", st.integers(1, 4)),
)


@settings(max_examples=150, deadline=None)
@given(h=st.integers(1, 90), w=st.integers(1, 90), c=st.integers(1, 5), body=st.lists(_LAYER, max_size=6),
       head=st.lists(st.integers(1, 99).map(lambda n: f"FC-{n}"), max_size=3), ceil_mode=st.booleans())
def test_cnn_summary_and_flatten_size_match_the_step_by_step_reference(h, w, c, body, head, ceil_mode):
    for name, reference, layers in (("cnn_summary", _reference_cnn_summary, body + head),
                                    ("flatten_size", _reference_flatten_size, body)):
        if not layers:
            continue
        _assert_matches(name, reference, [h, w, c], layers, ceil_mode)


@settings(max_examples=150, deadline=None)
@given(h=st.integers(1, 300), c=st.integers(1, 5), body=st.lists(_LAYER, max_size=6),
       head=st.lists(st.integers(1, 99).map(lambda n: f"FC-{n}"), max_size=3), ceil_mode=st.booleans())
def test_cnn_summary_of_a_square_input_matches_the_step_by_step_reference(h, c, body, head, ceil_mode):
    """H = W takes cnn_summary's generated square path: the same steps, errors included."""
    layers = body + head
    if not layers:
        return
    _assert_matches("cnn_summary", _reference_cnn_summary, [h, h, c], layers, ceil_mode)


def _assert_matches(name, reference, hwc, layers, ceil_mode):  # type: ignore[no-untyped-def]
    """solve(name) gives what the step-by-step reference gives: the same checked solution, or the same error."""
    params = {"input": hwc, "layers": layers, "ceil_mode": ceil_mode}
    try:
        expected = reference(hwc, layers, ceil_mode)
    except SolverError as exc:
        with pytest.raises(SolverError) as info:
            solve(name, params)
        assert str(info.value) == str(exc)
        return
    assert _plain_checked(name, params) == expected


def test_a_layer_after_fc_and_a_kernel_too_large_give_the_first_error_in_layer_order():
    with pytest.raises(SolverError, match=r"kernel \(extent 9\) is larger than the padded input height at layer 0"):
        solve("cnn_summary", {"input": [8, 8, 1], "layers": ["CONV-9-2", "FC-3", "POOL-2"]})
    with pytest.raises(SolverError, match=r"Layer 2 \(POOL-2\) cannot follow a fully connected layer"):
        solve("cnn_summary", {"input": [8, 8, 1], "layers": ["CONV-3-2", "FC-3", "POOL-2"]})
    with pytest.raises(SolverError, match="pooling window .* larger than the padded input width at layer 1"):
        solve("flatten_size", {"input": [8, 2, 1], "layers": ["CONV-1-2", "POOL-3"]})


def test_the_layer_plan_cache_never_accepts_what_parsing_refuses():
    solve("cnn_summary", {"input": [8, 8, 1], "layers": ["FC-3"]})  # "FC-3" is now cached

    class Name(str):
        pass

    with pytest.raises(SolverError, match="must look like"):  # a str subclass equal to the cached name
        solve("cnn_summary", {"input": [8, 8, 1], "layers": [Name("FC-3")]})
    with pytest.raises(SolverError, match="must look like"):  # unhashable: no cache lookup
        solve("cnn_summary", {"input": [8, 8, 1], "layers": [["FC-3"]]})
    with pytest.raises(SolverError, match="must look like"):
        solve("cnn_summary", {"input": [8, 8, 1], "layers": [3]})
    with pytest.raises(SolverError, match="non-empty list"):
        solve("cnn_summary", {"input": [8, 8, 1], "layers": ("FC-3",)})


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pooled_is_pool_output_size_without_padding(ceil_mode):
    for k in range(1, 12):
        for n in range(k, 60):
            assert _pooled(n, n + 1, k, ceil_mode) == (pool_output_size(n, k, k, 0, ceil_mode),
                                                       pool_output_size(n + 1, k, k, 0, ceil_mode))


@pytest.mark.parametrize(("kernel", "out_channels"), [(1, 1), (5, 64), (3, 7), (1000, 10**9), (1001, 10**9),
                                                      (999, 10**9), (100, 10**4), (7, 10**9), (1, 10**9)])
def test_depthwise_ratio_text_is_num_of_the_ratio(kernel, out_channels):
    params = dict(height=kernel, width=kernel + 2, in_channels=3, out_channels=out_channels, kernel=kernel, batch=2)
    out = _plain_checked("depthwise_separable_cost", params)
    ratio = out["answer"]["ratio"]
    assert out["steps"][-1]["latex"].endswith("= " + num(ratio))
    assert ratio == kernel * kernel * out_channels / (kernel * kernel + out_channels)


@pytest.mark.parametrize(("name", "params"), [
    ("conv2d_output_shape", dict(in_channels=3, height=10**9, width=7, out_channels=10**9, kernel=3, stride=2,
                                 padding=10**9, dilation=10**9 // 4)),
    ("conv2d_output_shape", dict(in_channels=3, height=32, width=30, out_channels=8, kernel=3, dilation=2)),
    ("conv2d_param_count", dict(in_channels=10**9, out_channels=10**9, kernel=10**9, bias=False)),
    ("dense_param_count", dict(in_features=10**9, out_features=10**9)),
    ("pool_output_shape", dict(channels=3, height=5, width=6, kernel=2, padding=1, ceil_mode=True)),
    ("conv_transpose_output_shape", dict(in_channels=1, height=10**9, width=2, out_channels=5, kernel=10**9,
                                         stride=10**9, dilation=10**9, output_padding=7)),
    ("receptive_field", {"layers": [{"kernel": 100_000, "stride": 100_000, "dilation": 100_000}] * 200}),
    ("flatten_size", {"input": [10**9, 10**9, 10**9], "layers": ["CONV-1-100000"]}),
    ("cnn_summary", {"input": [10**9, 10**9, 10**9], "layers": ["CONV-99999-100000-100000-100000", "FC-100000"]}),
    ("depthwise_separable_cost", dict(height=10**9, width=10**9, in_channels=10**9, out_channels=10**9, kernel=1,
                                      batch=10**9)),
])
def test_checked_solutions_are_plain_json_even_for_huge_numbers(name, params):
    _plain_checked(name, params)


def test_solutions_share_no_mutable_value():
    params = {"input": [32, 32, 3], "layers": ["CONV-3-8", "POOL-2", "FC-10"]}
    first, second = solve("cnn_summary", params), solve("cnn_summary", params)
    for sol in (first, second):
        assert sol.steps[1].value is sol.answer["layers"][0]  # a layer's step shows its row of the table
        sol.answer["layers"][0]["shape"].append(99)
        sol.steps[0].value.append(99)
        sol.steps[2].value["weights"] = -1
    again = solve("cnn_summary", params)
    assert again.answer["layers"][0]["shape"] == [30, 30, 8] and again.steps[0].value == [32, 32, 3]
    assert again.answer["layers"][1]["weights"] == 0
    assert first.steps[1].value["shape"] == [30, 30, 8, 99]  # one list in the first solution, not shared
    assert all(type(s.value) in (int, list, dict) for s in again.steps)
