from __future__ import annotations

import pytest

from dlcore import distinguishable_mistakes, mistake_answers, solve

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
