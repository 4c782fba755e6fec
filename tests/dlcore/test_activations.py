"""Activations, their derivatives and softmax: seeds, conventions, mistakes, and PyTorch."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlcore import SolverError, distinguishable_mistakes, mistake_answers, solve
from dlcore.torch_reference import activations as ref
from tests.dlcore.test_torch_reference import assert_close

SEED_000_TANH = dict(activation="tanh", w=[0.6, 1.5, -0.4, 0.8], x=[0.5, -0.7, 0.9, 0.3])


def test_tanh_derivative_matches_seed_000():
    """Seed 000 (week 3): z = W.X = -0.87 is right, but its 1 - tanh^2(-0.87) "= 0.5086" is off
    in the fourth decimal: tanh(-0.87) = -0.701374, so the derivative is 0.508074."""
    sol = solve("activation_derivative", SEED_000_TANH)
    assert sol.answer == pytest.approx(0.5080743284505267, rel=1e-12)
    assert sol.steps[0].value == pytest.approx(-0.87)
    assert sol.answer != pytest.approx(0.5086, abs=1e-4)


def test_softmax_of_equal_logits_matches_seed_001():
    """Seed 001, question 7(b): softmax([0.3, 0.3, 0.3, 0.3]) = [0.25, 0.25, 0.25, 0.25] (correct in the seed)."""
    assert solve("softmax", {"logits": [0.3] * 4}).answer == [0.25] * 4


def test_leaky_relu_of_the_seed_004_convolution_output():
    """Seed 004: the convolution output row [-57, -7, 63, 63] through Leaky ReLU with alpha = 0.001.
    The seed writes -0.0057 and -6.607; the correct values are -0.057 and -0.007 (it used alpha = 0.0001
    for the other negatives too: -27 -> -0.0027 instead of -0.027)."""
    sol = solve("activation", {"activation": "leaky_relu", "z": [-27.0, -57.0, -7.0, -17.0, -37.0, 63.0], "alpha": 0.001})
    assert sol.answer == pytest.approx([-0.027, -0.057, -0.007, -0.017, -0.037, 63.0])


@pytest.mark.parametrize(
    "activation, z, alpha, expected",
    [
        ("sigmoid", 0.0, 0.01, 0.5),
        ("tanh", 0.0, 0.01, 0.0),
        ("relu", -2.0, 0.01, 0.0),
        ("relu", 2.0, 0.01, 2.0),
        ("leaky_relu", -2.0, 0.1, -0.2),
        ("prelu", -4.0, 0.25, -1.0),
        ("elu", -1.0, 1.0, math.exp(-1) - 1),
        ("elu", 3.0, 1.0, 3.0),
    ],
)
def test_activation_value_at_a_number_is_a_number(activation, z, alpha, expected):
    answer = solve("activation", {"activation": activation, "z": z, "alpha": alpha}).answer
    assert isinstance(answer, float)
    assert answer == pytest.approx(expected)


def test_activation_of_a_list_is_a_list():
    assert solve("activation", {"activation": "relu", "z": [-1, 0, 2]}).answer == [0.0, 0.0, 2.0]


@pytest.mark.parametrize(
    "activation, w, x, b, alpha, expected",
    [
        ("sigmoid", [1.0], [0.0], 0.0, 0.01, 0.25),
        ("relu", [1.0, -1.0], [2.0, 2.0], 0.0, 0.01, 0.0),  # ReLU'(0) = 0, as autograd
        ("relu", [1.0], [2.0], 0.0, 0.01, 1.0),
        ("leaky_relu", [1.0, -1.0], [2.0, 2.0], 0.0, 0.2, 0.2),  # the negative branch at 0
        ("leaky_relu", [1.0], [-3.0], 0.0, 0.2, 0.2),
        ("prelu", [1.0], [-3.0], 0.0, 0.25, 0.25),
        ("elu", [1.0], [-1.0], 0.0, 1.0, math.exp(-1)),
        ("tanh", [1.0], [0.5], 0.5, 0.01, 1 - math.tanh(1.0) ** 2),  # the bias counts
    ],
)
def test_activation_derivative_table(activation, w, x, b, alpha, expected):
    answer = solve("activation_derivative", {"activation": activation, "w": w, "x": x, "b": b, "alpha": alpha}).answer
    assert answer == pytest.approx(expected)


def test_activation_derivative_steps_show_z_a_and_the_derivative():
    steps = solve("activation_derivative", SEED_000_TANH).steps
    assert [s.label for s in steps] == ["Pre-activation", "Activation", "Derivative"]
    assert steps[1].value == pytest.approx(math.tanh(-0.87))
    assert r"1.5 \cdot (-0.7)" in steps[0].latex


def test_softmax_is_stable_for_huge_logits_and_shows_its_steps():
    sol = solve("softmax", {"logits": [1000.0, 999.0, -5.0]})
    assert sum(sol.answer) == pytest.approx(1.0)
    assert sol.answer[0] == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-9)
    assert [s.label for s in sol.steps][1:] == ["Exponentiate", "Sum of exponentials", "Normalise"]


def test_activation_derivative_mistakes_give_the_textbook_wrong_answers():
    wrong = mistake_answers("activation_derivative", SEED_000_TANH)
    assert wrong["tanh_prime_without_square"] == pytest.approx(1 - math.tanh(-0.87))
    assert wrong["used_pre_activation"] == pytest.approx(1 - 0.87**2)
    assert wrong["gave_activation_value"] == pytest.approx(math.tanh(-0.87))
    assert "sigmoid_prime_as_a_one_plus_a" not in wrong  # only for the sigmoid

    sig = dict(activation="sigmoid", w=[0.5, 0.2], x=[2.0, 5.0], b=0.1)
    a = 1 / (1 + math.exp(-2.1))
    wrong = mistake_answers("activation_derivative", sig)
    assert wrong["sigmoid_prime_as_a_one_plus_a"] == pytest.approx(a * (1 + a))
    assert wrong["used_pre_activation"] == pytest.approx(2.1 * (1 - 2.1))
    assert wrong["forgot_bias"] == pytest.approx(1 / (1 + math.exp(-2.0)) * (1 - 1 / (1 + math.exp(-2.0))))
    assert all(distinguishable_mistakes("activation_derivative", sig).values())


def test_relu_prime_at_zero_mistake_only_shows_at_the_kink():
    at_kink = dict(activation="relu", w=[1.0, -1.0], x=[2.0, 2.0])
    assert mistake_answers("activation_derivative", at_kink)["relu_prime_at_zero_is_one"] == 1.0
    assert distinguishable_mistakes("activation_derivative", dict(at_kink, b=1.0))["relu_prime_at_zero_is_one"] is False


def test_softmax_and_activation_mistakes():
    wrong = mistake_answers("softmax", {"logits": [1.0, 2.0, 3.0]})
    assert wrong["forgot_to_exponentiate"] == pytest.approx([1 / 6, 2 / 6, 3 / 6])
    assert wrong["forgot_to_normalise"] == pytest.approx([math.e, math.e**2, math.e**3])
    assert all(distinguishable_mistakes("softmax", {"logits": [1.0, 2.0, 3.0]}).values())
    assert "forgot_to_exponentiate" not in mistake_answers("softmax", {"logits": [1.0, -1.0]})  # sum 0: undefined
    wrong = mistake_answers("activation", {"activation": "leaky_relu", "z": [-2.0, 3.0], "alpha": 0.1})
    assert wrong["leaky_slope_on_positive_side"] == pytest.approx([-2.0, 0.3])
    assert wrong["relu_for_every_activation"] == [0.0, 3.0]


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"activation": "tanh", "w": [1.0, 2.0], "x": [1.0]}, "same length"),
        ({"activation": "swish", "w": [1.0], "x": [1.0]}, "must be one of"),
        ({"activation": "tanh", "w": [], "x": []}, "must not be empty"),
    ],
)
def test_activation_derivative_rejects_bad_input(params, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve("activation_derivative", params)


small = st.floats(-4, 4, allow_nan=False, allow_subnormal=False)


@settings(max_examples=60, deadline=None)
@given(
    activation=st.sampled_from(["tanh", "sigmoid", "relu", "leaky_relu", "prelu", "elu"]),
    wx=st.lists(st.tuples(small, small), min_size=1, max_size=5),
    b=small, alpha=st.floats(0.001, 2),
)
def test_activation_derivative_agrees_with_autograd(activation, wx, b, alpha):
    pytest.importorskip("torch")
    params = {"activation": activation, "w": [p[0] for p in wx], "x": [p[1] for p in wx], "b": b, "alpha": alpha}
    assume(abs(solve("activation_derivative", params).steps[0].value) > 1e-9)  # away from the kink
    assert_close(solve("activation_derivative", params).answer, ref.activation_derivative(params))


@settings(max_examples=60, deadline=None)
@given(activation=st.sampled_from(["tanh", "sigmoid", "relu", "leaky_relu", "prelu", "elu"]),
       z=st.lists(small, min_size=1, max_size=6), alpha=st.floats(0.001, 2))
def test_activation_values_agree_with_torch(activation, z, alpha):
    pytest.importorskip("torch")
    params = {"activation": activation, "z": z, "alpha": alpha}
    assert_close(solve("activation", params).answer, ref.activation(params))


@settings(max_examples=60, deadline=None)
@given(logits=st.lists(st.floats(-50, 50), min_size=1, max_size=8))
def test_softmax_agrees_with_torch(logits):
    pytest.importorskip("torch")
    assert_close(solve("softmax", {"logits": logits}).answer, ref.softmax({"logits": logits}))


# ---- the one-pass LaTeX formatting and the solvers' own finiteness checks (Solution.checked)

ANY_FLOAT = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([0.0, -0.0, 1e-5, 1e-4, 999999.5, 1e6, 1e15])


@settings(max_examples=200, deadline=None)
@given(values=st.lists(ANY_FLOAT, min_size=1, max_size=6))
def test_fill_writes_what_num_writes(values):  # -0.0 included: fmt.plain_g spots it
    from dlcore.activations import _fill
    from dlcore.fmt import num

    template = ", ".join(["[%s]"] * len(values)) + r" e^{z}"
    text = _fill(template, tuple(values), "x")
    assert text == template % tuple(num(v) for v in values)


def test_fill_refuses_non_finite_values():
    from dlcore.activations import _fill

    for values in ((1.0, -math.inf), (-0.0, math.nan)):
        with pytest.raises(SolverError, match="non-finite"):
            _fill("%s, %s", values, "x")


@pytest.mark.parametrize("z", [-10.0, [2.0, -10.0]])
def test_activation_overflow_is_refused(z):
    with pytest.raises(SolverError, match="Solver 'activation' produced a non-finite result"):
        solve("activation", {"activation": "leaky_relu", "z": z, "alpha": 1e308})


def test_activation_latex_of_negative_zero_and_exponents():
    sol = solve("activation", {"activation": "tanh", "z": -0.0})
    assert sol.steps[1].latex == "f(0) = 0" and math.copysign(1.0, sol.answer) < 0
    sol = solve("activation", {"activation": "relu", "z": [1e-7, -0.0, 2e6]})
    assert sol.steps[1].latex == r"f([1 \times 10^{-7}, 0, 2000000]) = [1 \times 10^{-7}, 0, 2000000]"


def test_softmax_latex_of_negative_zero_and_exponents():
    sol = solve("softmax", {"logits": [0.0, -0.0]})
    assert sol.steps[0].latex == "e^{z_i} = [1, 1]" and sol.answer == [0.5, 0.5]
    sol = solve("softmax", {"logits": [-20.0, 0.0]})
    assert sol.steps[0].latex == r"e^{z_i} = [2.06115 \times 10^{-9}, 1]"
    sol = solve("softmax", {"logits": [1000.0, 980.0]})  # shifted beyond |max z| = 500
    assert sol.steps[1].latex == r"e^{z_i - \max z} = [1, 2.06115 \times 10^{-9}]"


def test_softmax_is_worked_by_hand_within_500_and_shifted_beyond():
    by_hand = solve("softmax", {"logits": [2.0, 1.0, 0.1]})
    assert [s.label for s in by_hand.steps] == ["Exponentiate", "Sum of exponentials", "Normalise"]
    assert by_hand.steps[0].latex == "e^{z_i} = [7.38906, 2.71828, 1.10517]"
    assert by_hand.steps[1].latex == r"\sum_j e^{z_j} = 11.2125"
    for logits, first in [([600.0, 599.0], "z - 600 = [0, -1]"), ([-800.0, -801.0], "z - (-800) = [0, -1]"),
                          ([-0.0, -700.0], None)]:
        sol = solve("softmax", {"logits": logits})
        if first is not None:
            assert sol.steps[0].label.startswith("Subtract the largest logit") and sol.steps[0].latex == first
        assert math.isclose(sum(sol.answer), 1.0) and sol.answer[0] > sol.answer[1]


def test_softmax_and_activation_solutions_are_checked_plain_json():
    for name, params in [("softmax", {"logits": [1.0, 2.0, 3.0]}), ("activation", {"activation": "elu", "z": [-1.0, 2.0]}),
                         ("activation", {"activation": "sigmoid", "z": 0.7})]:
        sol = solve(name, params)
        assert sol.checked
        assert json.loads(json.dumps(sol.to_dict(), allow_nan=False)) == sol.to_dict()
