"""Backpropagation: the MLP SGD step, gradients through a node with several branches, softmax cross-entropy."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlcore import SolverError, distinguishable_mistakes, mistake_answers, solve
from dlcore.torch_reference import backprop as ref
from tests.dlcore.test_torch_reference import assert_close

# Seed 001, question 2: x1 = x2 = 1, y = .5, eta = .5; h1 = relu(w1 x1 + w2 x2), h2 = relu(w3 x1 + w4 x2),
# o1 = w5 a1 + w6 a2 (the seed's own z1 = .3 and z2 = -.3 fix this wiring).
SEED_001 = dict(x=[1.0, 1.0], y=[0.5], lr=0.5, layers=ref.SEED_001_LAYERS)


def test_mlp_sgd_step_matches_seed_001():
    """Seed 001, question 2. The forward pass, loss .06125 and the final numbers for w1, w5, w6, b1, b2 are right.
    What the seed gets wrong:
    * it swaps the labels of w2 and w3 in the backward pass: "dL/dw3 = dL/dz1 * x2", "w3 = .2 + .5 * .175 = .2875"
      and "w2 = -.2 + 0 = -.2", although w2 = .2 feeds h1 and w3 = -.2 feeds h2. Correct: dL/dw2 = -.175, w2 -> .2875;
      dL/dw3 = 0, w3 stays -.2;
    * "dL/dz1 = dL/da1 * da1/dz1 = -.175 * x1": the factor is ReLU'(z1) = 1, not x1 (same number here);
    * "b3 = 0 + .5 * .35 - .175" should read = .175.
    """
    answer = solve("mlp_sgd_step", SEED_001).answer
    assert answer["loss"] == pytest.approx(0.06125)
    assert answer["output"] == pytest.approx([0.15])
    (g1, g2), (u1, u2) = answer["gradients"], answer["updated"]
    assert np.allclose(g1["weights"], [[-0.175, -0.175], [0.0, 0.0]]) and np.allclose(g1["bias"], [-0.175, 0.0])
    assert np.allclose(g2["weights"], [[-0.105, 0.0]]) and np.allclose(g2["bias"], [-0.35])
    w1, w2, w3, w4 = (v for row in u1["weights"] for v in row)
    assert [w1, w2, w3, w4] == pytest.approx([0.1875, 0.2875, -0.2, -0.1])
    assert u1["bias"] == pytest.approx([0.0875, 0.0])
    assert u2["weights"] == [pytest.approx([0.5525, 0.3])]
    assert u2["bias"] == pytest.approx([0.175])


def test_mlp_steps_show_every_z_a_delta_gradient_and_update_in_order():
    steps = solve("mlp_sgd_step", SEED_001).steps
    labels = [s.label for s in steps]
    assert labels == [
        "Layer 1 pre-activation", "Layer 1 activation (relu)", "Layer 2 pre-activation", "Layer 2 activation (linear)",
        "Loss", "Gradient of the loss w.r.t. the output",
        "Layer 2: dL/dz", "Layer 2: dL/dW", "Layer 2: dL/db", "Layer 1: dL/da",
        "Layer 1: dL/dz", "Layer 1: dL/dW", "Layer 1: dL/db",
        "Layer 1: updated weights", "Layer 1: updated bias", "Layer 2: updated weights", "Layer 2: updated bias",
    ]
    values = {s.label: s.value for s in steps}
    assert values["Layer 1 pre-activation"] == pytest.approx([0.3, -0.3])
    assert values["Layer 1 activation (relu)"] == pytest.approx([0.3, 0.0])
    assert values["Layer 1: dL/da"] == pytest.approx([-0.175, -0.105])
    assert values["Layer 1: dL/dz"] == pytest.approx([-0.175, 0.0])


def _momentum_two_iterations(loss: str, *, update_bias: bool) -> tuple[list[float], float]:
    """Two momentum iterations (v = m v - lr g, w = w + v) on seed 004's sigmoid neuron, gradients from mlp_sgd_step."""
    w, b, v, v_b = np.array([0.5, 0.2]), 0.1, np.zeros(2), 0.0
    first_grad: list[float] = []
    for _ in range(2):
        layer = {"weights": [w.tolist()], "bias": [b], "activation": "sigmoid"}
        grads = solve("mlp_sgd_step", dict(x=[2.0, 5.0], y=[0.5], lr=0.1, loss=loss, layers=[layer])).answer["gradients"][0]
        first_grad = first_grad or grads["weights"][0]
        v = 0.5 * v - 0.1 * np.array(grads["weights"][0])
        w = w + v
        if update_bias:
            v_b = 0.5 * v_b - 0.1 * grads["bias"][0]
            b += v_b
    return first_grad, float(w[1])


def test_sigmoid_neuron_gradients_for_seed_004_momentum_question():
    """Seed 004 (two momentum iterations, w1 = .5, w2 = .2, b = .1, x = (2, 5), y = .5, m = .5, lr = .1).
    The question states L = (y - y_hat)^2 but the seed differentiates 1/2 (y - y_hat)^2. With the seed's 1/2:
    iteration 1 is right (dL/dw2 = .190; its line "0.038 x 0.1 = 0.038" should be 0.038 x x2 = 0.190), but in
    iteration 2 it keeps w1 = .5 (z = 2.0045), forgetting that w1 moved to .4924 in iteration 1, and gets
    w2 = .1509. Correct: w2 = 0.15138 (0.15142 if b is not updated). With the loss as stated: w2 = 0.10064."""
    grad, w2 = _momentum_two_iterations("half_mse", update_bias=True)
    assert grad == pytest.approx([0.0759874381390, 0.1899685953476])
    assert w2 == pytest.approx(0.15137881, abs=1e-8)
    assert _momentum_two_iterations("half_mse", update_bias=False)[1] == pytest.approx(0.15141546, abs=1e-8)
    assert _momentum_two_iterations("mse", update_bias=True)[1] == pytest.approx(0.10064322, abs=1e-8)


def test_mse_and_cross_entropy_losses():
    layer = {"weights": [[1.0, 0.0], [0.0, 1.0]], "bias": [0.0, 0.0], "activation": "linear"}
    mse = solve("mlp_sgd_step", dict(x=[1.0, 2.0], y=[0.0, 0.0], lr=0.1, loss="mse", layers=[layer])).answer
    assert mse["loss"] == pytest.approx(2.5)
    assert mse["gradients"][0]["bias"] == pytest.approx([1.0, 2.0])  # 2(a - y)/n
    ce = solve("mlp_sgd_step", dict(x=[0.0, 0.0], y=[1.0, 0.0], lr=0.1, loss="cross_entropy", layers=[layer]))
    assert ce.answer["loss"] == pytest.approx(math.log(2))
    assert ce.answer["gradients"][0]["bias"] == pytest.approx([-0.5, 0.5])  # softmax(a) - y
    assert ce.answer["output"] == [0.0, 0.0]  # the network output, before the loss's softmax
    assert "Softmax of the output" in [s.label for s in ce.steps]


def test_mlp_mistakes_give_the_textbook_wrong_answers():
    wrong = mistake_answers("mlp_sgd_step", SEED_001)
    # ReLU'(z2 = -.3) is 0; forgetting it lets -.105 through to w3 and w4.
    assert wrong["forgot_activation_derivative"]["gradients"][0]["weights"][1] == pytest.approx([-0.105, -0.105])
    # dL/dw6 with z2 = -.3 instead of a2 = 0.
    assert wrong["used_pre_activation"]["gradients"][1]["weights"][0] == pytest.approx([-0.105, 0.105])
    assert wrong["updated_with_plus_lr"]["updated"][1]["weights"][0] == pytest.approx([0.4475, 0.3])
    assert wrong["flipped_loss_gradient"]["gradients"][1]["bias"] == pytest.approx([0.35])
    # Seed 001's slip: the gradient of w3 taken through z1.
    assert wrong["transposed_weight_gradient"]["gradients"][0]["weights"] == [
        pytest.approx([-0.175, 0.0]), pytest.approx([-0.175, 0.0])]
    assert distinguishable_mistakes("mlp_sgd_step", SEED_001)["relu_prime_at_zero_is_one"] is False  # no z = 0


def test_relu_prime_at_zero_mistake_shows_when_a_unit_sits_at_zero():
    params = ref.CASES[4][1]  # layer-1 z = 1 - 1 = 0
    sol = solve("mlp_sgd_step", params)
    assert sol.answer["gradients"][0]["weights"] == [[0.0, 0.0]]
    assert distinguishable_mistakes("mlp_sgd_step", params)["relu_prime_at_zero_is_one"] is True


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"layers": []}, "non-empty list"),
        ({"layers": [{"weights": [[1.0]], "activation": "relu"}]}, "columns but receives 2 inputs"),
        ({"layers": [{"weights": [[1.0, 1.0]], "bias": [0.0, 1.0], "activation": "relu"}]}, "1 weight rows but 2 biases"),
        ({"layers": [{"weights": [[1.0, 1.0]], "activation": "softplus"}]}, "In layers[0]"),
        ({"layers": [{"weights": [[1.0, 1.0]], "activation": "relu", "dropout": 0.5}]}, "Unknown parameter 'dropout'"),
        ({"layers": [{"weights": [[1.0, 1.0], [1.0, 1.0]], "activation": "relu"}]}, "2 outputs but y has 1"),
        ({"lr": -0.1}, "at least 0"),
        ({"loss": "cross_entropy"}, "sum to 1"),
    ],
)
def test_mlp_sgd_step_rejects_bad_input(change, fragment):
    with pytest.raises(SolverError, match=re.escape(fragment)):
        solve("mlp_sgd_step", dict(SEED_001, **change))


def test_missing_bias_means_zeros():
    layers = [{"weights": [[0.1, 0.2], [-0.2, -0.1]], "activation": "relu"},
              {"weights": [[0.5, 0.3]], "activation": "linear"}]
    assert solve("mlp_sgd_step", dict(SEED_001, layers=layers)).answer == solve("mlp_sgd_step", SEED_001).answer


def test_gradient_at_the_sigmoid_output_matches_seed_004():
    """Seed 004: the sigmoid node feeds two branches weighted w1 = .25 and w2 = -.2 with upstream gradients .5 and .4.
    The gradient at its output is .25 * .5 - .2 * .4 = 0.045 (option d, printed 0.0449); the seed is right."""
    params = {"upstream": [0.5, 0.4], "weights": [0.25, -0.2]}
    assert solve("multi_upstream_gradient", params).answer == pytest.approx(0.045)
    wrong = mistake_answers("multi_upstream_gradient", params)
    assert wrong["averaged_upstream"] == pytest.approx(0.0225)  # close to the distractor 0.0224
    assert wrong["ignored_branch_weights"] == pytest.approx(0.9)
    assert wrong["only_first_branch"] == pytest.approx(0.125)  # distractor c
    assert "output_input_confused" not in wrong  # needs z or a


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"z": 0.0}, 0.045 * 0.25),
        ({"a": 0.7}, 0.045 * 0.7 * 0.3),
        ({"activation": "tanh", "a": 0.5}, 0.045 * 0.75),
        ({"activation": "relu", "z": -1.0}, 0.0),
        ({"activation": "leaky_relu", "a": -0.1, "alpha": 0.1}, 0.0045),
    ],
)
def test_gradient_at_the_node_input_multiplies_by_the_local_derivative(extra, expected):
    params = {"upstream": [0.5, 0.4], "weights": [0.25, -0.2], "at": "input", **extra}
    sol = solve("multi_upstream_gradient", params)
    assert sol.answer == pytest.approx(expected)
    assert sol.steps[0].value == pytest.approx(0.045)
    assert mistake_answers("multi_upstream_gradient", params)["output_input_confused"] == pytest.approx(0.045)


def test_multi_upstream_gradient_rejects_bad_input():
    with pytest.raises(SolverError, match="input z or its output a"):
        solve("multi_upstream_gradient", {"upstream": [1.0], "at": "input"})
    with pytest.raises(SolverError, match="one weight per upstream gradient"):
        solve("multi_upstream_gradient", {"upstream": [1.0, 2.0], "weights": [1.0]})


def test_softmax_cross_entropy_with_class_index_or_one_hot():
    by_index = solve("softmax_cross_entropy", {"logits": [2.0, 1.0, 0.1], "target": 0})
    by_vector = solve("softmax_cross_entropy", {"logits": [2.0, 1.0, 0.1], "target": [1, 0, 0]})
    assert by_index.answer == by_vector.answer
    p = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()
    assert by_index.answer["loss"] == pytest.approx(-math.log(p[0]))
    assert by_index.answer["gradient"] == pytest.approx([p[0] - 1, p[1], p[2]])
    wrong = mistake_answers("softmax_cross_entropy", {"logits": [2.0, 1.0, 0.1], "target": 0})
    assert wrong["gradient_y_minus_p"]["gradient"] == pytest.approx([1 - p[0], -p[1], -p[2]])
    assert wrong["gradient_without_target"]["gradient"] == pytest.approx(p.tolist())
    assert wrong["forgot_minus_sign"]["loss"] == pytest.approx(math.log(p[0]))
    assert wrong["used_log10"]["loss"] == pytest.approx(-math.log10(p[0]))


@pytest.mark.parametrize(
    "target, fragment", [(3, "from 0 to 2"), (0.5, "integer index"), ([0.5, 0.6, 0.0], "sum to 1"), ([1, 0], "3 logits")]
)
def test_softmax_cross_entropy_rejects_bad_targets(target, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve("softmax_cross_entropy", {"logits": [2.0, 1.0, 0.1], "target": target})


weight = st.floats(-2, 2, allow_subnormal=False)


@st.composite
def mlps(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    loss = draw(st.sampled_from(["half_mse", "mse", "cross_entropy"]))
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:], strict=False):
        layers.append({
            "weights": [[draw(weight) for _ in range(n_in)] for _ in range(n_out)],
            "bias": [draw(weight) for _ in range(n_out)],
            "activation": draw(st.sampled_from(["relu", "sigmoid", "tanh", "linear", "leaky_relu"])),
        })
    x = [draw(weight) for _ in range(sizes[0])]
    if loss == "cross_entropy":
        y = [0.0] * sizes[-1]
        y[draw(st.integers(0, sizes[-1] - 1))] = 1.0
    else:
        y = [draw(weight) for _ in range(sizes[-1])]
    return {"x": x, "y": y, "layers": layers, "lr": draw(st.floats(0, 1)), "loss": loss}


@settings(max_examples=80, deadline=None)
@given(params=mlps())
def test_mlp_sgd_step_agrees_with_autograd_and_torch_sgd(params):
    pytest.importorskip("torch")
    sol = solve("mlp_sgd_step", params)
    zs = [v for s in sol.steps if s.label.endswith("pre-activation") for v in s.value]
    assume(min(abs(z) for z in zs) > 1e-9)  # away from ReLU's kink
    assert_close(sol.answer, ref.mlp_sgd_step(params))


@settings(max_examples=60, deadline=None)
@given(upstream=st.lists(weight, min_size=1, max_size=4), data=st.data(),
       activation=st.sampled_from(["sigmoid", "tanh", "relu", "linear", "leaky_relu"]),
       at=st.sampled_from(["output", "input"]), z=weight)
def test_multi_upstream_gradient_agrees_with_autograd(upstream, data, activation, at, z):
    pytest.importorskip("torch")
    assume(abs(z) > 1e-9)
    weights = data.draw(st.lists(weight, min_size=len(upstream), max_size=len(upstream)))
    params = {"upstream": upstream, "weights": weights, "activation": activation, "at": at, "z": z}
    assert_close(solve("multi_upstream_gradient", params).answer, ref.multi_upstream_gradient(params))


@settings(max_examples=60, deadline=None)
@given(logits=st.lists(st.floats(-20, 20), min_size=2, max_size=6), data=st.data())
def test_softmax_cross_entropy_agrees_with_torch(logits, data):
    pytest.importorskip("torch")
    params = {"logits": logits, "target": data.draw(st.integers(0, len(logits) - 1))}
    assert_close(solve("softmax_cross_entropy", params).answer, ref.softmax_cross_entropy(params))


@pytest.mark.parametrize("layer", [
    {"weights": [[1.0, "x"]], "bias": [0.0], "activation": "relu"},
    {"weights": [[1.0, 2.0]], "bias": [float("nan")], "activation": "relu"},
    {"weights": [[1.0, 2.0]], "bias": None, "activation": "nope"},
])
def test_layer_with_every_key_is_refused_with_the_same_sentence_as_validate(layer):
    from dlcore.backprop import _LAYER_SPEC, _parse_layers
    from dlcore.params import validate

    with pytest.raises(SolverError) as expected:
        validate("layers[0]", _LAYER_SPEC, layer)
    with pytest.raises(SolverError) as got:
        _parse_layers([layer], 2, 1)
    assert str(got.value) == f"In layers[0]: {expected.value}"
