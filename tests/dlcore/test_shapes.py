from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import SolverError, distinguishable_mistakes, get_solver, mistake_answers, solve

CONV = dict(in_channels=3, height=32, width=32, out_channels=16, kernel=5)


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(CONV), [16, 28, 28]),
        (dict(CONV, stride=1, padding=2), [16, 32, 32]),
        (dict(CONV, stride=2, padding=1), [16, 15, 15]),
        (dict(CONV, height=7, width=9, kernel=3, dilation=2), [16, 3, 5]),
        (dict(in_channels=1, height=227, width=227, out_channels=96, kernel=11, stride=4), [96, 55, 55]),
    ],
)
def test_conv2d_output_shape_matches_the_floor_formula(params, expected):
    assert solve("conv2d_output_shape", params).answer == expected


def test_conv2d_output_shape_steps_end_with_the_shape():
    sol = solve("conv2d_output_shape", dict(CONV, padding=2))
    assert sol.steps[-1].value == [16, 32, 32]
    assert "32 + 2\\cdot2 - 5" in sol.steps[0].latex


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(in_channels=3, out_channels=16, kernel=5), 1216),
        (dict(in_channels=3, out_channels=16, kernel=5, bias=False), 1200),
        (dict(in_channels=64, out_channels=128, kernel=3), 73856),
    ],
)
def test_conv2d_param_count(params, expected):
    assert solve("conv2d_param_count", params).answer == expected


def test_conv_mistakes_give_the_textbook_wrong_answers():
    wrong = mistake_answers("conv2d_output_shape", dict(CONV, stride=2, padding=1))
    assert wrong["forgot_plus_one"] == [16, 14, 14]
    assert wrong["ignored_padding"] == [16, 14, 14]
    assert wrong["ignored_stride"] == [16, 30, 30]
    assert wrong["kept_input_channels"] == [3, 15, 15]


def test_mistake_that_agrees_with_the_answer_is_reported_indistinguishable():
    result = distinguishable_mistakes("conv2d_output_shape", dict(CONV, padding=2))
    assert result["ignored_stride"] is False  # stride 1: ignoring it changes nothing
    assert result["forgot_plus_one"] is True


def test_param_count_mistakes():
    wrong = mistake_answers("conv2d_param_count", dict(in_channels=3, out_channels=16, kernel=5))
    assert wrong == {"forgot_bias": 1200, "forgot_input_channels": 416, "bias_per_weight": 1248}


# --------------------------------------------------------------------------- seeds

SEED001_LAYERS = ["CONV-7-32", "POOL-2", "CONV-5-64", "CONV-3-128", "POOL-2", "FC-10", "FC-4"]


def test_cnn_summary_matches_seed_001_question_7_with_floor_pooling():
    """Seed 001 Q7 rounds the second POOL-2 of 55x55 up to 28x28 and so counts 28*28*128*10
    weights for FC-10. PyTorch (and the contract) floor: 27x27x128 and 933120 weights."""
    answer = solve("cnn_summary", {"input": [128, 128, 3], "layers": SEED001_LAYERS}).answer
    table = [(r["layer"], r["shape"], r["weights"], r["biases"]) for r in answer["layers"]]
    assert table == [
        ("CONV-7-32", [122, 122, 32], 4704, 32),
        ("POOL-2", [61, 61, 32], 0, 0),
        ("CONV-5-64", [57, 57, 64], 51200, 64),
        ("CONV-3-128", [55, 55, 128], 73728, 128),
        ("POOL-2", [27, 27, 128], 0, 0),
        ("FC-10", [10], 933120, 10),
        ("FC-4", [4], 40, 4),
    ]
    assert answer["total_params"] == 1063030


def test_seed_001_table_is_the_ceil_mode_answer_and_its_mistake():
    params = {"input": [128, 128, 3], "layers": SEED001_LAYERS}
    ceil = solve("cnn_summary", dict(params, ceil_mode=True)).answer
    assert ceil["layers"][4]["shape"] == [28, 28, 128]
    assert ceil["layers"][5]["weights"] == 28 * 28 * 128 * 10
    assert mistake_answers("cnn_summary", params)["pool_floor_vs_ceil"] == ceil


def test_cnn_param_count_matches_seed_004():
    """Seed 004: option d, 217850. (Its dense line writes (16x10)+16 but means +10 = 170.)"""
    answer = solve("cnn_summary", {"input": [64, 64, 3], "layers": ["CONV-7-16", "POOL-2", "FC-16", "FC-10"]}).answer
    assert [r["weights"] + r["biases"] for r in answer["layers"]] == [2368, 0, 215312, 170]
    assert answer["total_params"] == 217850


def test_flatten_size_matches_seed_004_option_b():
    assert solve("flatten_size", {"input": [16, 16, 1], "layers": ["CONV-3-16", "POOL-2"]}).answer == 784
    out = solve("cnn_summary", {"input": [16, 16, 1], "layers": ["CONV-3-16", "POOL-2", "FC-64", "FC-3"]}).answer
    assert out["layers"][-1]["shape"] == [3]


def test_receptive_field_matches_seed_001_question_5():
    layers = [{"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 2}]
    assert solve("receptive_field", {"layers": layers}).answer == 7


def test_seed_003_receptive_field_five_is_the_omitted_last_layer_mistake():
    """Seed 003 Q6 answers 5x5 for a pooling unit (the figure is missing). For the usual
    architecture of this question (seed 001 Q5: two 3x3 convs, then a 3x3 stride-2 pool) 5 is the
    receptive field of the second conv: the pooling window was left out. The correct value is 7."""
    layers = [{"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 2}]
    assert mistake_answers("receptive_field", {"layers": layers})["omitted_last_layer"] == 5


def test_conv_output_shape_matches_seed_003_question_7():
    params = dict(in_channels=96, height=128, width=128, out_channels=128, kernel=7, stride=2, padding=3)
    assert solve("conv2d_output_shape", params).answer == [128, 64, 64]


def test_dense_param_count_matches_seed_003_question_1():
    assert solve("dense_param_count", {"in_features": 500 * 500 * 3, "out_features": 100}).answer == 75_000_100


def test_seed_003_question_2_counts_one_input_channel():
    """Seed 003 Q2 gives 5*5*10 + 10 = 260 for 10 filters of 5x5: right only for a one-channel input.
    On an RGB input each filter spans 3 channels: 760; 260 is then the forgot_input_channels mistake."""
    assert solve("conv2d_param_count", dict(in_channels=1, out_channels=10, kernel=5)).answer == 260
    assert solve("conv2d_param_count", dict(in_channels=3, out_channels=10, kernel=5)).answer == 760
    assert mistake_answers("conv2d_param_count", dict(in_channels=3, out_channels=10, kernel=5))["forgot_input_channels"] == 260


def test_depthwise_separable_cost_of_seed_004():
    """Seed 004 (16x16 RGB, 5x5 kernel, 64 output channels, 100 images): standard 69120000 is right
    (option c), but every option's separable count (24624 per image) and ratio 28.07 are wrong, and the
    handwritten work mixes 16x16 and 12x12 maps and multiplies the pointwise step by 5x5.
    Correct: depthwise 100*12*12*25*3 = 1080000 plus pointwise 100*12*12*3*64 = 2764800."""
    answer = solve("depthwise_separable_cost", dict(height=16, width=16, in_channels=3, out_channels=64, kernel=5, batch=100)).answer
    assert answer["standard_mults"] == 69_120_000
    assert answer["separable_mults"] == 3_844_800
    assert answer["ratio"] == pytest.approx(17.97752808988764, rel=1e-12)


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(channels=128, height=55, width=55, kernel=2), [128, 27, 27]),
        (dict(channels=128, height=55, width=55, kernel=2, ceil_mode=True), [128, 28, 28]),
        (dict(height=10, width=7, kernel=3, stride=2, padding=1), [1, 5, 4]),
        (dict(height=5, width=5, kernel=2, stride=2, padding=1, ceil_mode=True), [1, 3, 3]),  # last window dropped
        (dict(height=4, width=4, kernel=2, stride=1), [1, 3, 3]),
    ],
)
def test_pool_output_shape_follows_torch(params, expected):
    assert solve("pool_output_shape", params).answer == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(in_channels=16, height=7, width=7, out_channels=8, kernel=4, stride=2, padding=1), [8, 14, 14]),
        (dict(in_channels=1, height=5, width=5, out_channels=1, kernel=4, stride=2), [1, 12, 12]),
        (dict(in_channels=1, height=4, width=4, out_channels=3, kernel=3, stride=2, padding=1, output_padding=1), [3, 8, 8]),
    ],
)
def test_conv_transpose_output_shape(params, expected):
    assert solve("conv_transpose_output_shape", params).answer == expected


@pytest.mark.parametrize(
    "layers, expected",
    [
        ([{"kernel": 3, "stride": 1}], 3),
        ([{"kernel": 3, "stride": 1}] * 3, 7),
        ([{"kernel": 2, "stride": 2}, {"kernel": 2, "stride": 2}, {"kernel": 2, "stride": 2}], 8),
        ([{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}, {"kernel": 3, "stride": 1}], 19),
        ([{"kernel": 3, "stride": 1, "dilation": 2}], 5),
    ],
)
def test_receptive_field_recurrence(layers, expected):
    assert solve("receptive_field", {"layers": layers}).answer == expected


def test_receptive_field_steps_show_every_field_and_jump():
    sol = solve("receptive_field", {"layers": [{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}]})
    assert [s.value for s in sol.steps] == [7, 2, 11, 4, 11]


def test_cnn_summary_has_one_step_per_layer_showing_its_row_of_the_table():
    sol = solve("cnn_summary", {"input": [64, 64, 3], "layers": ["CONV-7-16", "POOL-2", "FC-16", "FC-10"]})
    assert [s.label for s in sol.steps] == ["Input", "CONV-7-16", "POOL-2", "FC-16", "FC-10", "Total parameters"]
    assert [s.value for s in sol.steps[1:-1]] == sol.answer["layers"]
    assert sol.steps[0].value == [64, 64, 3] and sol.steps[-1].value == 217850
    assert sol.steps[1].value == {"layer": "CONV-7-16", "shape": [58, 58, 16], "weights": 2352, "biases": 16}


SEED001_TEX = [
    r"128 \times 128 \times 3",
    r"H_{out} = W_{out} = \left\lfloor \frac{128 + 2\cdot0 - 7}{1} \right\rfloor + 1 = 122 \quad "
    r"122 \times 122 \times 32 \quad \text{weights} = 7 \cdot 7 \cdot 3 \cdot 32 = 4704 \quad \text{biases} = 32",
    r"H_{out} = W_{out} = \left\lfloor \frac{122}{2} \right\rfloor = 61 \quad 61 \times 61 \times 32 \quad "
    r"\text{no parameters}",
    r"H_{out} = W_{out} = \left\lfloor \frac{61 + 2\cdot0 - 5}{1} \right\rfloor + 1 = 57 \quad "
    r"57 \times 57 \times 64 \quad \text{weights} = 5 \cdot 5 \cdot 32 \cdot 64 = 51200 \quad \text{biases} = 64",
    r"H_{out} = W_{out} = \left\lfloor \frac{57 + 2\cdot0 - 3}{1} \right\rfloor + 1 = 55 \quad "
    r"55 \times 55 \times 128 \quad \text{weights} = 3 \cdot 3 \cdot 64 \cdot 128 = 73728 \quad \text{biases} = 128",
    r"H_{out} = W_{out} = \left\lfloor \frac{55}{2} \right\rfloor = 27 \quad 27 \times 27 \times 128 \quad "
    r"\text{no parameters}",
    r"n_{in} = 27 \cdot 27 \cdot 128 = 93312 \quad \text{weights} = 93312 \cdot 10 = 933120 \quad \text{biases} = 10",
    r"\text{weights} = 10 \cdot 4 = 40 \quad \text{biases} = 4",
    r"\sum (\text{weights} + \text{biases}) = 1063030",
]


def test_cnn_summary_steps_write_seed_001_question_7_table_with_the_formulas():
    sol = solve("cnn_summary", {"input": [128, 128, 3], "layers": SEED001_LAYERS})
    assert [s.label for s in sol.steps] == ["Input", *SEED001_LAYERS, "Total parameters"]
    assert [s.latex for s in sol.steps] == SEED001_TEX


def test_cnn_summary_steps_round_up_with_ceil_mode_and_write_h_and_w_apart_when_they_differ():
    sol = solve("cnn_summary", {"input": [128, 128, 3], "layers": SEED001_LAYERS, "ceil_mode": True})
    assert sol.steps[5].latex == (r"H_{out} = W_{out} = \left\lceil \frac{55}{2} \right\rceil = 28 \quad "
                                  r"28 \times 28 \times 128 \quad \text{no parameters}")
    assert sol.steps[6].latex.startswith(r"n_{in} = 28 \cdot 28 \cdot 128 = 100352 \quad ")
    sol = solve("cnn_summary", {"input": [33, 30, 2], "layers": ["CONV-3-8-2-1", "POOL-2", "FC-5"], "ceil_mode": True})
    assert [s.latex for s in sol.steps[1:4]] == [
        r"H_{out} = \left\lfloor \frac{33 + 2\cdot1 - 3}{2} \right\rfloor + 1 = 17 \quad "
        r"W_{out} = \left\lfloor \frac{30 + 2\cdot1 - 3}{2} \right\rfloor + 1 = 15 \quad "
        r"17 \times 15 \times 8 \quad \text{weights} = 3 \cdot 3 \cdot 2 \cdot 8 = 144 \quad \text{biases} = 8",
        r"H_{out} = \left\lceil \frac{17}{2} \right\rceil = 9 \quad W_{out} = \left\lceil \frac{15}{2} \right\rceil = 8"
        r" \quad 9 \times 8 \times 8 \quad \text{no parameters}",
        r"n_{in} = 9 \cdot 8 \cdot 8 = 576 \quad \text{weights} = 576 \cdot 5 = 2880 \quad \text{biases} = 5",
    ]


def test_flatten_size_steps_show_each_size_formula_and_shape():
    sol = solve("flatten_size", {"input": [16, 16, 1], "layers": ["CONV-3-16", "POOL-2"]})
    assert [(s.label, s.latex, s.value) for s in sol.steps] == [
        ("CONV-3-16: output shape",
         r"H_{out} = W_{out} = \left\lfloor \frac{16 + 2\cdot0 - 3}{1} \right\rfloor + 1 = 14 \quad 14 \times 14 \times 16",
         [14, 14, 16]),
        ("POOL-2: output shape", r"H_{out} = W_{out} = \left\lfloor \frac{14}{2} \right\rfloor = 7 \quad 7 \times 7 \times 16",
         [7, 7, 16]),
        ("Flattened size", r"7 \cdot 7 \cdot 16 = 784", 784),
    ]
    sol = solve("flatten_size", {"input": [9, 8, 1], "layers": ["POOL-2"], "ceil_mode": True})
    assert sol.steps[0].latex == (r"H_{out} = \left\lceil \frac{9}{2} \right\rceil = 5 \quad "
                                  r"W_{out} = \left\lceil \frac{8}{2} \right\rceil = 4 \quad 5 \times 4 \times 1")


def test_conv_layer_with_stride_and_padding_in_the_summary():
    out = solve("cnn_summary", {"input": [32, 30, 1], "layers": ["CONV-3-8-2-1", "POOL-3", "FC-5"]}).answer
    assert [r["shape"] for r in out["layers"]] == [[16, 15, 8], [5, 5, 8], [5]]
    assert out["layers"][2]["weights"] == 5 * 5 * 8 * 5


# --------------------------------------------------------------------------- mistakes


def test_cnn_summary_mistakes():
    params = {"input": [64, 64, 3], "layers": ["CONV-7-16", "POOL-2", "FC-16", "FC-10"]}
    wrong = mistake_answers("cnn_summary", params)
    assert wrong["forgot_biases"]["total_params"] == 217850 - 16 - 16 - 10
    assert wrong["pool_has_parameters"]["layers"][1] == {"layer": "POOL-2", "shape": [29, 29, 16], "weights": 64, "biases": 16}
    assert wrong["fc_ignores_spatial_size"]["layers"][2]["weights"] == 16 * 16
    assert wrong["conv_ignores_input_channels"]["layers"][0]["weights"] == 7 * 7 * 16
    distinct = distinguishable_mistakes("cnn_summary", params)
    assert distinct.pop("pool_floor_vs_ceil") is False  # 58 is even: floor and ceil agree
    assert all(distinct.values())


def test_receptive_field_mistakes():
    layers = [{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}, {"kernel": 3, "stride": 1}]
    assert mistake_answers("receptive_field", {"layers": layers}) == {
        "summed_kernels_ignoring_stride": 11,
        "summed_kernels": 13,
        "included_own_stride": 1 + 6 * 2 + 2 * 4 + 2 * 4,
        "omitted_last_layer": 11,
    }


def test_depthwise_mistakes():
    params = dict(height=16, width=16, in_channels=3, out_channels=64, kernel=5, batch=100)
    wrong = mistake_answers("depthwise_separable_cost", params)
    assert wrong["forgot_pointwise"]["separable_mults"] == 1_080_000
    assert wrong["pointwise_on_input_size"]["separable_mults"] == 1_080_000 + 100 * 16 * 16 * 3 * 64
    assert wrong["ignored_batch"]["standard_mults"] == 691_200
    assert wrong["used_input_size"]["standard_mults"] == 100 * 16 * 16 * 25 * 3 * 64
    assert wrong["inverted_ratio"]["ratio"] == pytest.approx(1 / 17.97752808988764)


def test_pool_and_transpose_shape_mistakes():
    assert mistake_answers("pool_output_shape", dict(channels=4, height=55, width=55, kernel=2)) == {
        "floor_vs_ceil": [4, 28, 28], "stride_one": [4, 54, 54], "divided_by_kernel": [4, 27, 27],
    }
    wrong = mistake_answers("conv_transpose_output_shape", dict(in_channels=1, height=5, width=5, out_channels=1, kernel=4, stride=2, padding=1))
    assert wrong == {"treated_as_convolution": [1, 2, 2], "forgot_stride": [1, 6, 6], "added_padding": [1, 14, 14], "n_times_stride": [1, 12, 12]}


def test_dense_and_flatten_mistakes():
    assert mistake_answers("dense_param_count", {"in_features": 784, "out_features": 10}) == {"forgot_bias": 7840, "bias_per_input": 8624}
    wrong = mistake_answers("flatten_size", {"input": [16, 16, 1], "layers": ["CONV-3-16", "POOL-2"]})
    assert wrong == {"forgot_channels": 49, "forgot_pooling": 14 * 14 * 16, "pool_floor_vs_ceil": 784}


NEW_SHAPE_SOLVERS = ["pool_output_shape", "conv_transpose_output_shape", "dense_param_count", "cnn_summary",
                     "flatten_size", "receptive_field", "depthwise_separable_cost"]


@pytest.mark.parametrize("name", NEW_SHAPE_SOLVERS)
def test_every_shape_solver_has_several_mistakes_and_a_formula_summary(name):
    info = get_solver(name)
    assert len(info.mistakes) >= 2
    assert "=" in info.summary or ":" in info.summary


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "name, params, fragment",
    [
        ("cnn_summary", {"input": [32, 32, 3], "layers": ["CONV-3"]}, "must look like"),
        ("cnn_summary", {"input": [32, 32, 3], "layers": ["FC-10", "CONV-3-4"]}, "cannot follow a fully connected"),
        ("cnn_summary", {"input": [4, 4, 3], "layers": ["CONV-5-4"]}, "larger than the padded input"),
        ("cnn_summary", {"input": [4, 4], "layers": ["FC-4"]}, "[H, W, C]"),
        ("cnn_summary", {"input": [8, 8, 1], "layers": "CONV-3-4"}, "non-empty list"),
        ("cnn_summary", {"input": [8, 8, 1], "layers": ["CONV-0-4"]}, "from 1"),
        ("flatten_size", {"input": [8, 8, 1], "layers": ["CONV-3-4", "FC-2"]}, "only CONV and POOL"),
        ("receptive_field", {"layers": [{"kernel": 3}]}, "'kernel' and 'stride'"),
        ("receptive_field", {"layers": [{"kernel": 3, "stride": 0}]}, "integers from 1"),
        ("receptive_field", {"layers": []}, "non-empty list"),
        ("pool_output_shape", {"height": 8, "width": 8, "kernel": 2, "padding": 2}, "at most half"),
        ("pool_output_shape", {"height": 2, "width": 8, "kernel": 3}, "larger than the padded input height"),
        ("conv_transpose_output_shape", dict(in_channels=1, height=1, width=1, out_channels=1, kernel=1, padding=1), "crops away"),
        ("conv_transpose_output_shape", dict(in_channels=1, height=3, width=3, out_channels=1, kernel=3, output_padding=1), "output padding"),
        ("depthwise_separable_cost", dict(height=3, width=3, in_channels=1, out_channels=1, kernel=5), "larger than the padded input"),
    ],
)
def test_impossible_shapes_raise_one_clear_sentence(name, params, fragment):
    with pytest.raises(SolverError) as info:
        solve(name, params)
    assert fragment in str(info.value)


# --------------------------------------------------------------------------- PyTorch oracle


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(1, 40), kernel=st.integers(1, 6), stride=st.integers(1, 4),
    data=st.data(), ceil_mode=st.booleans(),
)
def test_pool_output_shape_agrees_with_torch(size, kernel, stride, data, ceil_mode):
    pytest.importorskip("torch")
    from dlcore.torch_reference import shapes as ref

    padding = data.draw(st.integers(0, kernel // 2))
    params = dict(channels=2, height=size, width=size + 1, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    try:
        mine = solve("pool_output_shape", params).answer
    except SolverError:
        assert kernel > size + 2 * padding
        return
    assert mine == ref.pool_output_shape(params)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 12), kernel=st.integers(1, 5), stride=st.integers(1, 4), padding=st.integers(0, 3),
       dilation=st.integers(1, 3), data=st.data())
def test_conv_transpose_output_shape_agrees_with_torch(size, kernel, stride, padding, dilation, data):
    pytest.importorskip("torch")
    from dlcore.torch_reference import shapes as ref

    output_padding = data.draw(st.integers(0, max(stride, dilation) - 1))
    params = dict(in_channels=2, height=size, width=size, out_channels=3, kernel=kernel, stride=stride,
                  padding=padding, output_padding=output_padding, dilation=dilation)
    try:
        mine = solve("conv_transpose_output_shape", params).answer
    except SolverError:
        return
    assert mine == ref.conv_transpose_output_shape(params)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.fixed_dictionaries({"kernel": st.integers(1, 5), "stride": st.integers(1, 3)}), min_size=1, max_size=4))
def test_receptive_field_agrees_with_autograd(layers):
    pytest.importorskip("torch")
    from dlcore.torch_reference import shapes as ref

    assert solve("receptive_field", {"layers": layers}).answer == ref.receptive_field({"layers": layers})


_LAYER = st.one_of(
    st.builds(lambda k, n: f"CONV-{k}-{n}", st.integers(1, 3), st.integers(1, 4)),
    st.builds(lambda k, n, s, p: f"CONV-{k}-{n}-{s}-{p}", st.integers(1, 3), st.integers(1, 4), st.integers(1, 2), st.integers(0, 1)),
    st.builds(lambda k: f"POOL-{k}", st.integers(1, 2)),
)


@settings(max_examples=30, deadline=None)
@given(size=st.integers(8, 24), channels=st.integers(1, 3), body=st.lists(_LAYER, min_size=1, max_size=3),
       head=st.lists(st.integers(1, 5).map(lambda n: f"FC-{n}"), max_size=2), ceil_mode=st.booleans())
def test_cnn_summary_agrees_with_torch_modules(size, channels, body, head, ceil_mode):
    pytest.importorskip("torch")
    from dlcore.torch_reference import shapes as ref

    params = {"input": [size, size + 2, channels], "layers": body + head, "ceil_mode": ceil_mode}
    try:
        mine = solve("cnn_summary", params).answer
    except SolverError:
        return
    assert mine == ref.cnn_summary(params)


@settings(max_examples=25, deadline=None)
@given(size=st.integers(3, 20), c_in=st.integers(1, 4), c_out=st.integers(1, 5), kernel=st.integers(1, 3),
       stride=st.integers(1, 2), padding=st.integers(0, 1), batch=st.integers(1, 3))
def test_depthwise_separable_cost_agrees_with_torch_flop_counter(size, c_in, c_out, kernel, stride, padding, batch):
    pytest.importorskip("torch")
    from dlcore.torch_reference import shapes as ref

    params = dict(height=size, width=size + 1, in_channels=c_in, out_channels=c_out, kernel=kernel,
                  stride=stride, padding=padding, batch=batch)
    mine = solve("depthwise_separable_cost", params).answer
    theirs = ref.depthwise_separable_cost(params)
    assert mine["standard_mults"] == theirs["standard_mults"] and mine["separable_mults"] == theirs["separable_mults"]
    assert mine["ratio"] == pytest.approx(theirs["ratio"], rel=1e-6)


def test_exact_division_refuses_a_size_that_needs_the_floor():
    params = dict(CONV, stride=2)  # (32 - 5) / 2 = 13.5
    assert solve("conv2d_output_shape", params).answer == [16, 14, 14]
    with pytest.raises(SolverError, match=r"output height is not an integer: \(32 \+ 2\*0 - 5\) / 2 = 13.5"):
        solve("conv2d_output_shape", dict(params, exact=True))
    assert solve("conv2d_output_shape", dict(params, kernel=4, exact=True)).answer == [16, 15, 15]


def test_flatten_size_mistakes_refuse_fc_layers_as_the_solver_does():
    from dlcore import SolverError, mistake_answers, solve

    params = {"input": [64, 64, 3], "layers": ["CONV-3-4", "FC-10"]}
    with pytest.raises(SolverError, match="only CONV and POOL layers"):
        solve("flatten_size", params)
    assert mistake_answers("flatten_size", params) == {}
