"""Convolution, transposed convolution, pooling and unpooling: seeds, tables, mistakes, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import SolverError, distinguishable_mistakes, get_solver, mistake_answers, solve

SEED004_INPUT = [[10, 10, 0, 5], [0, 20, 0, 0], [0, 20, 20, 0], [10, 0, 20, 0]]
SEED004_KERNEL = [[1, 0, -1], [2, 0, -2], [1, 0, 1]]
SEED004 = dict(input=SEED004_INPUT, kernel=SEED004_KERNEL, bias=3, padding=1, activation="leaky_relu", alpha=0.001)
SEED004_Z = [[3, 23, 33, 3], [-27, 33, 68, 23], [-57, -7, 63, 63], [-17, -37, 23, 63]]


# --------------------------------------------------------------------------- seeds


def test_conv2d_map_matches_seed_004():
    sol = solve("conv2d", SEED004)
    pre_activation = next(s for s in sol.steps if s.label.startswith("Convolution output"))
    assert pre_activation.value == SEED004_Z


def test_leaky_relu_after_conv2d_corrects_seed_004():
    """Seed 004 gets the convolution right but its Leaky ReLU column is wrong: with alpha = 0.001
    -27 -> -0.027 (seed: -0.0027), -57 -> -0.057 (-0.0057), -7 -> -0.007 (-6.607),
    -17 -> -0.017 (-0.0017), -37 -> -0.037 (-0.0037)."""
    answer = solve("conv2d", SEED004).answer
    expected = [[3, 23, 33, 3], [-0.027, 33, 68, 23], [-0.057, -0.007, 63, 63], [-0.017, -0.037, 23, 63]]
    np.testing.assert_allclose(answer, expected, rtol=1e-12)


def test_conv1d_matches_seed_003_question_10():
    """Seed 003 Q10: padding 1 makes a length-4 input give 5 outputs with a length-2 kernel;
    (0, 4, 1, -1, 3, 0) cross-correlated with (-2, 1) is (4, -7, -3, 5, -6). Correct."""
    sol = solve("conv1d", dict(x=[4, 1, -1, 3], f=[-2, 1], padding=1))
    assert sol.answer == [4, -7, -3, 5, -6]
    assert sol.steps[0].value == [0, 4, 1, -1, 3, 0]
    assert mistake_answers("conv1d", dict(x=[4, 1, -1, 3], f=[-2, 1], padding=1))["flipped_kernel"] == [-8, 2, 3, -7, 3]


def test_conv_transpose1d_matches_seed_002_option_b():
    """Seed 002: x = [5, 4, 3, 2, 1], f = [1, 2, 3, 4], stride 2, no cropping: option b."""
    params = dict(x=[5, 4, 3, 2, 1], f=[1, 2, 3, 4], stride=2)
    assert solve("conv_transpose1d", params).answer == [5, 10, 19, 28, 15, 22, 11, 16, 7, 10, 3, 4]
    wrong = mistake_answers("conv_transpose1d", params)
    assert wrong["reversed_input"] == [1, 2, 5, 8, 9, 14, 13, 20, 17, 26, 15, 20]  # option c
    assert wrong["forgot_stride_insertion"] == [5, 14, 26, 40, 30, 20, 11, 4]


SEED002_POOLED = [[50, 10], [44, 20]]
SEED002_REFERENCE = [[50, 12, 3, 8], [7, 1, 4, 10], [44, 0, 6, 5], [2, 9, 11, 20]]


def test_max_unpool2d_in_the_style_of_seed_002():
    """Seed 002's pre-pool map is only in a lost figure; this reference map puts the maxima where
    option a does. Options b (top-left corners) and d (bottom-right corners) are mistakes."""
    params = dict(pooled=SEED002_POOLED, reference=SEED002_REFERENCE, kernel=2)
    assert solve("max_unpool2d", params).answer == [[50, 0, 0, 0], [0, 0, 0, 10], [44, 0, 0, 0], [0, 0, 0, 20]]
    wrong = mistake_answers("max_unpool2d", params)
    assert wrong["top_left_position"] == [[50, 0, 10, 0], [0, 0, 0, 0], [44, 0, 20, 0], [0, 0, 0, 0]]
    assert wrong["bottom_right_position"] == [[0, 0, 0, 0], [0, 50, 0, 10], [0, 0, 0, 0], [0, 44, 0, 20]]
    assert wrong["copied_to_whole_window"][0] == [50, 50, 10, 10]


# --------------------------------------------------------------------------- tables

MAP = [[1, 3, 2, 9, 0], [4, 6, 5, 1, 2], [7, 2, 8, 3, 1], [0, 5, 1, 4, 6], [2, 9, 3, 7, 5]]


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(input=MAP, kernel=2), [[6, 9], [7, 8]]),
        (dict(input=MAP, kernel=2, ceil_mode=True), [[6, 9, 2], [7, 8, 6], [9, 7, 5]]),
        (dict(input=MAP, kernel=2, mode="avg"), [[3.5, 4.25], [3.5, 4.0]]),
        (dict(input=MAP, kernel=2, mode="avg", ceil_mode=True), [[3.5, 4.25, 1], [3.5, 4.0, 3.5], [5.5, 5.0, 5.0]]),
        (dict(input=[[1, 2], [3, 4]], kernel=3, stride=1, padding=1, mode="avg"), [[10 / 9] * 2] * 2),
        (dict(input=[[1, 2], [3, 4]], kernel=3, stride=1, padding=1, mode="avg", count_include_pad=False), [[2.5] * 2] * 2),
        (dict(input=[[-1, -2], [-3, -4]], kernel=2, stride=1, padding=1), [[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]]),
    ],
)
def test_pool2d_follows_torch_windows_and_divisors(params, expected):
    np.testing.assert_allclose(solve("pool2d", params).answer, expected, rtol=1e-12)


def test_conv2d_with_stride_and_every_activation():
    params = dict(input=MAP, kernel=[[1, 0], [0, -1]], stride=2)
    z = [[-5, 1], [2, 4]]  # windows at (0, 0), (0, 2), (2, 0), (2, 2): 1 - 6, 2 - 1, 7 - 5, 8 - 4
    assert solve("conv2d", params).answer == z
    assert solve("conv2d", dict(params, activation="relu")).answer == [[0, 1], [2, 4]]
    np.testing.assert_allclose(solve("conv2d", dict(params, activation="sigmoid")).answer, 1 / (1 + np.exp(-np.array(z))))
    np.testing.assert_allclose(solve("conv2d", dict(params, activation="tanh")).answer, np.tanh(z))
    np.testing.assert_allclose(solve("conv2d", dict(params, activation="leaky_relu")).answer, [[-0.05, 1], [2, 4]])


def test_conv2d_steps_show_padding_a_worked_output_and_the_activation():
    sol = solve("conv2d", SEED004)
    assert [s.label for s in sol.steps] == ["Zero-padded input", "Worked example: output (2, 2)",
                                            "Convolution output (before activation)", "After leaky_relu"]
    assert len(sol.steps[0].value) == 6
    worked = sol.steps[1]
    assert worked.value == SEED004_Z[2][2] == 63
    assert worked.latex == (r"z_{2,2} = 20\cdot1 + 0\cdot0 + 0\cdot(-1) + 20\cdot2 + 20\cdot0 + 0\cdot(-2) + 0\cdot1"
                            r" + 20\cdot0 + 0\cdot1 + 3 = 63")


def test_conv2d_multi_sums_channels_and_adds_each_bias():
    x = [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [1, 0, 2], [3, 1, 0]]]
    w = [[[[1, 0], [0, -1]], [[0.5, 0.5], [0, 1]]], [[[2, 1], [1, 0]], [[-1, 0], [1, 1]]]]
    sol = solve("conv2d_multi", dict(input=x, filters=w, bias=[1, -1]))
    # filter 0 at (0, 0): channel 0 gives 1*1 + 1*(-1) = 0, channel 1 gives 1*0.5 = 0.5, bias 1
    assert sol.answer[0][0][0] == 1.5
    assert np.shape(sol.answer) == (2, 2, 2)
    assert sol.steps[-1].value == [2, 2, 2]


def test_conv_transpose2d_single_and_multi_channel():
    out = solve("conv_transpose2d", dict(input=[[1, 2], [3, 4]], kernel=[[1, 0], [-1, 2]], stride=2)).answer
    assert out == {"output": [[1, 0, 2, 0], [-1, 2, -2, 4], [3, 0, 4, 0], [-3, 6, -4, 8]], "shape": [4, 4]}
    multi = solve("conv_transpose2d", dict(input=[[[1]], [[2]]], kernel=[[[[1]], [[2]]], [[[3]], [[4]]]], bias=[0.5, 0])).answer
    assert multi == {"output": [[[7.5]], [[10]]], "shape": [2, 1, 1]}


def test_conv_transpose_crops_padding_from_each_end():
    full = solve("conv_transpose1d", dict(x=[1, 2], f=[1, 1, 1], stride=2)).answer
    assert full == [1, 1, 3, 2, 2]
    assert solve("conv_transpose1d", dict(x=[1, 2], f=[1, 1, 1], stride=2, padding=1)).answer == full[1:-1]


# --------------------------------------------------------------------------- mistakes


def test_conv2d_mistakes_on_seed_004():
    wrong = mistake_answers("conv2d", SEED004)
    assert wrong["forgot_activation"] == SEED004_Z
    assert wrong["relu_instead_of_leaky"][1][0] == 0
    assert wrong["ignored_padding"] == [[33, 68], [-0.007, 63]]
    assert wrong["forgot_bias"][0][0] == 0
    assert wrong["activation_before_bias"][1][0] == pytest.approx(-0.03 + 3)
    assert wrong["flipped_kernel"][0][0] == 43
    assert all(distinguishable_mistakes("conv2d", SEED004).values())


def test_pool2d_mistakes():
    wrong = mistake_answers("pool2d", dict(input=MAP, kernel=2))
    assert wrong["floor_vs_ceil"] == [[6, 9, 2], [7, 8, 6], [9, 7, 5]]
    assert wrong["wrong_mode"] == [[3.5, 4.25], [3.5, 4.0]]
    assert np.shape(wrong["stride_one"]) == (4, 4)
    assert wrong["divisor_without_padding"] == [[6, 9], [7, 8]]  # no padding: same as the answer


def test_transposed_convolution_mistakes():
    params = dict(x=[1, -2, 0.5, 4], f=[3, 1, -1], stride=3, padding=2)
    wrong = mistake_answers("conv_transpose1d", params)
    assert len(wrong["did_not_crop"]) == len(solve("conv_transpose1d", params).answer) + 4
    assert wrong["treated_as_convolution"] == [-1, -9.5]  # windows of (0, 0, 1, -2, 0.5, 4, 0, 0)
    params2 = dict(input=[[1, 2], [3, 4]], kernel=[[1, 0, 2], [-1, 2, 0], [0, 1, 1]], stride=2, padding=1)
    wrong2 = mistake_answers("conv_transpose2d", params2)
    assert wrong2["did_not_crop"]["shape"] == [5, 5] and wrong2["forgot_stride_insertion"]["shape"] == [2, 2]
    assert all(distinguishable_mistakes("conv_transpose2d", params2).values())


def test_conv2d_multi_mistakes():
    params = dict(input=[[[1, 2], [3, 4]], [[1, 1], [1, 1]]], filters=[[[[1, 0], [0, 2]], [[10, 0], [0, 0]]]], bias=[0.5])
    assert solve("conv2d_multi", params).answer == [[[19.5]]]
    assert mistake_answers("conv2d_multi", params) == {
        "flipped_kernel": [[[16.5]]], "forgot_bias": [[[19.0]]], "first_channel_only": [[[9.5]]], "ignored_padding": [[[19.5]]],
    }


CONV_SOLVERS = ["conv1d", "conv2d", "conv2d_multi", "conv_transpose1d", "conv_transpose2d", "pool2d", "max_unpool2d"]


@pytest.mark.parametrize("name", CONV_SOLVERS)
def test_every_conv_solver_has_several_mistakes_and_a_formula_summary(name):
    info = get_solver(name)
    assert len(info.mistakes) >= 3
    assert "=" in info.summary


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "name, params, fragment",
    [
        ("conv2d", dict(input=[[1, 2], [3, 4]], kernel=[[1, 1, 1]] * 3), "larger than the padded input"),
        ("conv2d", dict(input=[[1, 2], [3]], kernel=[[1]]), "rows of equal length"),
        ("conv2d", dict(input=[[1]], kernel=[[1]], activation="softplus"), "must be one of"),
        ("conv1d", dict(x=[1, 2], f=[1, 2, 3]), "larger than the padded input length"),
        ("conv2d_multi", dict(input=[[[1, 2], [3]]], filters=[[[[1]]]]), "3-D array"),
        ("conv2d_multi", dict(input=[[[1, 2]]], filters=[[[[1]], [[1]]]]), "as many channels as the input"),
        ("conv2d_multi", dict(input=[[[1, 2]]], filters=[[[[1]]]], bias=[1, 2]), "one value per filter"),
        ("conv2d_multi", dict(input=[[["a"]]], filters=[[[[1]]]]), "nested lists of numbers"),
        ("conv_transpose1d", dict(x=[1], f=[1], padding=1), "crops away"),
        ("conv_transpose2d", dict(input=[[1]], kernel=[[[[1]]]]), "2-D input with a 2-D kernel"),
        ("conv_transpose2d", dict(input=[[[1]]], kernel=[[[[1]], [[1]]]], bias=[1, 2, 3]), "one value per output channel"),
        ("pool2d", dict(input=[[1, 2]], kernel=2), "larger than the padded input height"),
        ("max_unpool2d", dict(pooled=[[1, 2]], reference=[[1, 2], [3, 4]], kernel=2), "must be 1 x 1"),
        ("max_unpool2d", dict(pooled=[[1]], reference=[[1, 2], [3, 4]], kernel=2, stride=1), "non-overlapping"),
    ],
)
def test_bad_conv_input_raises_one_clear_sentence(name, params, fragment):
    with pytest.raises(SolverError) as info:
        solve(name, params)
    assert fragment in str(info.value)


# --------------------------------------------------------------------------- PyTorch oracle

VALUES = st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 3))


def matrices(min_side: int, max_side: int) -> st.SearchStrategy[list[list[float]]]:
    return st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side)).flatmap(
        lambda hw: st.lists(st.lists(VALUES, min_size=hw[1], max_size=hw[1]), min_size=hw[0], max_size=hw[0])
    )


def tensors(shape: tuple[int, ...]) -> st.SearchStrategy[list[object]]:
    strategy: st.SearchStrategy[object] = VALUES
    for n in reversed(shape):
        strategy = st.lists(strategy, min_size=n, max_size=n)
    return strategy  # type: ignore[return-value]


def assert_matches_torch(name: str, params: dict[str, object]) -> None:
    from dlcore.torch_reference import references

    try:
        mine = solve(name, params).answer
    except SolverError:
        return  # impossible geometry is rejected, not computed
    theirs = references()[name](params)
    if isinstance(theirs, dict):
        assert mine["shape"] == theirs["shape"]
        mine, theirs = mine["output"], theirs["output"]
    np.testing.assert_allclose(np.array(mine), np.array(theirs), rtol=1e-6, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(VALUES, min_size=1, max_size=9), f=st.lists(VALUES, min_size=1, max_size=4), bias=VALUES,
       stride=st.integers(1, 3), padding=st.integers(0, 2))
def test_conv1d_agrees_with_torch(x, f, bias, stride, padding):
    pytest.importorskip("torch")
    assert_matches_torch("conv1d", dict(x=x, f=f, bias=bias, stride=stride, padding=padding))


@settings(max_examples=40, deadline=None)
@given(x=matrices(1, 6), k=matrices(1, 3), bias=VALUES, stride=st.integers(1, 3), padding=st.integers(0, 2),
       activation=st.sampled_from(["none", "relu", "leaky_relu", "sigmoid", "tanh"]), alpha=st.floats(0, 0.5))
def test_conv2d_agrees_with_torch(x, k, bias, stride, padding, activation, alpha):
    pytest.importorskip("torch")
    assert_matches_torch("conv2d", dict(input=x, kernel=k, bias=bias, stride=stride, padding=padding,
                                        activation=activation, alpha=alpha))


@settings(max_examples=30, deadline=None)
@given(data=st.data(), c=st.integers(1, 3), f=st.integers(1, 3), h=st.integers(1, 5), w=st.integers(1, 5),
       k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1))
def test_conv2d_multi_agrees_with_torch(data, c, f, h, w, k, stride, padding):
    pytest.importorskip("torch")
    params = dict(input=data.draw(tensors((c, h, w))), filters=data.draw(tensors((f, c, k, k))),
                  bias=data.draw(tensors((f,))), stride=stride, padding=padding)
    assert_matches_torch("conv2d_multi", params)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(VALUES, min_size=1, max_size=6), f=st.lists(VALUES, min_size=1, max_size=4),
       stride=st.integers(1, 3), padding=st.integers(0, 2))
def test_conv_transpose1d_agrees_with_torch(x, f, stride, padding):
    pytest.importorskip("torch")
    assert_matches_torch("conv_transpose1d", dict(x=x, f=f, stride=stride, padding=padding))


@settings(max_examples=30, deadline=None)
@given(data=st.data(), multi=st.booleans(), c_in=st.integers(1, 2), c_out=st.integers(1, 3), h=st.integers(1, 4),
       w=st.integers(1, 4), k=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 1))
def test_conv_transpose2d_agrees_with_torch(data, multi, c_in, c_out, h, w, k, stride, padding):
    pytest.importorskip("torch")
    if multi:
        params = dict(input=data.draw(tensors((c_in, h, w))), kernel=data.draw(tensors((c_in, c_out, k, k))),
                      bias=data.draw(tensors((c_out,))))
    else:
        params = dict(input=data.draw(tensors((h, w))), kernel=data.draw(tensors((k, k))), bias=data.draw(VALUES))
    assert_matches_torch("conv_transpose2d", dict(params, stride=stride, padding=padding))


@settings(max_examples=60, deadline=None)
@given(x=matrices(1, 7), mode=st.sampled_from(["max", "avg"]), kernel=st.integers(1, 4), data=st.data(),
       ceil_mode=st.booleans(), count_include_pad=st.booleans())
def test_pool2d_agrees_with_torch(x, mode, kernel, data, ceil_mode, count_include_pad):
    pytest.importorskip("torch")
    stride = data.draw(st.one_of(st.none(), st.integers(1, 3)))
    padding = data.draw(st.integers(0, kernel // 2))
    assert_matches_torch("pool2d", dict(input=x, mode=mode, kernel=kernel, stride=stride, padding=padding,
                                        ceil_mode=ceil_mode, count_include_pad=count_include_pad))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), h=st.integers(1, 7), w=st.integers(1, 7), kernel=st.integers(1, 3), extra=st.integers(0, 1))
def test_max_unpool2d_agrees_with_torch(data, h, w, kernel, extra):
    pytest.importorskip("torch")
    if kernel > min(h, w):
        return
    # distinct values: torch and dlcore both keep the first maximum, but ties make that a convention test
    values = data.draw(st.permutations(list(range(h * w))))
    reference = [[float(values[i * w + j]) for j in range(w)] for i in range(h)]
    stride = kernel + extra
    pooled = data.draw(tensors(((h - kernel) // stride + 1, (w - kernel) // stride + 1)))
    assert_matches_torch("max_unpool2d", dict(pooled=pooled, reference=reference, kernel=kernel, stride=stride))


def test_max_pool_ties_keep_the_first_maximum_as_torch():
    pytest.importorskip("torch")
    assert_matches_torch("max_unpool2d", dict(pooled=[[9]], reference=[[3, 3], [3, 1]], kernel=2))
    assert solve("max_unpool2d", dict(pooled=[[9]], reference=[[3, 3], [3, 1]], kernel=2)).answer == [[9, 0], [0, 0]]


@pytest.mark.parametrize(
    "name, params, fragment",
    [
        ("conv_transpose1d", {"x": [1, 2], "f": [1], "stride": 10**9}, "'stride' must be at most 256"),
        ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "padding": 10**5}, "'padding' must be at most 256"),
        ("conv2d", {"input": [[1.0] * 300] * 300, "kernel": [[1.0]], "padding": 256}, "the limit is 10000"),
        ("conv_transpose1d", {"x": [1.0] * 20_000, "f": [1.0], "stride": 2}, "the limit is 10000"),
    ],
)
def test_absurd_sizes_are_refused_before_they_exhaust_memory(name, params, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve(name, params)
