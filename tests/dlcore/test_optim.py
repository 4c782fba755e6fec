"""Optimizer solvers: seed regressions, hand-computed tables, mistakes, validation, PyTorch.

Seed mistakes found while writing these tests (see the test docstrings):

* seed 004 (sigmoid neuron, two momentum iterations): the question defines
  L = (1/N) sum (y - y_hat)^2 but the solution uses L = (1/2)(y_hat - y)^2;
  it updates only w2 in iteration 1 (so its second z = 2.0045 instead of
  1.9898); it writes dL/dw2 = 0.038 x 0.1 = 0.038 (should be 0.038 x 5 =
  0.190, the value it then uses) and labels dL/dw2 as dz/dw2; it rounds
  v2 = -0.02955 to -0.03 and answers w2 = 0.1509. Correct: w2 = 0.10078
  with the question's MSE (0.15142 with the solution's half MSE).
* seed 001 (Nesterov update rule): the look-ahead point is written
  theta + eta*v_t; it is theta + rho*v_t (the momentum coefficient), as the
  second line of the same solution has it.
* seed 001 (batch gradient descent): the rule sums the m per-sample
  gradients without 1/m; that is the ``reduction="sum"`` option, while the
  usual (and PyTorch's mean-loss) convention averages.
* seed 000 (RMSProp): answer 1.703 is right (r_t = 0.384, theta = 1.7031754).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import SolverError, distinguishable_mistakes, mistake_answers, solve
from dlcore.registry import answers_close, get_solver


def assert_answer(actual, expected):
    """Same structure, numbers equal up to float rounding."""
    assert answers_close(actual, expected, rel_tol=1e-9, abs_tol=1e-12), (actual, expected)


SEED_000_RMSPROP = dict(theta=1.8, grad=0.6, r=0.4, lr=0.1, rho=0.6, delta=1e-9)
SEED_004_NEURON = dict(x=[2.0, 5.0], y=0.5, w=[0.5, 0.2], b=0.1, lr=0.1, momentum=0.5, k=2)


# ------------------------------------------------------------------ seed regressions

def test_rmsprop_matches_seed_000():
    sol = solve("rmsprop_step", SEED_000_RMSPROP)
    assert sol.answer["r"] == pytest.approx(0.384)
    assert sol.answer["theta"] == pytest.approx(1.7031754164708883, rel=1e-12)
    assert round(sol.answer["theta"], 3) == 1.703


def test_rmsprop_steps_show_accumulator_denominator_update_and_theta():
    steps = solve("rmsprop_step", SEED_000_RMSPROP).steps
    assert [s.label for s in steps] == ["Accumulated squared gradient", "RMS denominator", "Update", "Updated parameter"]
    assert [s.value for s in steps] == pytest.approx([0.384, 0.6196773353931867, 0.0968245835291117, 1.7031754164708883])
    assert r"\sqrt{r_t + \delta}" in steps[1].latex


def test_sigmoid_neuron_momentum_matches_seed_004_with_the_questions_mse():
    """Seed 004 answers w2 = 0.1509, which is wrong three ways.

    The question defines L = (1/N) sum (y - y_hat)^2 (N = 1), so dL/dy_hat =
    2(y_hat - y); the solution silently uses (1/2)(y_hat - y)^2. It also never
    updates w1 (its second z = 2.0045 assumes w1 = 0.5), and rounds the second
    velocity -0.02955 to -0.03. With the stated loss: w2 = 0.100778.
    """
    sol = solve("sigmoid_neuron_momentum_gd", SEED_004_NEURON)
    assert sol.answer["w"] == pytest.approx([0.46031134445713306, 0.10077836114283256])
    assert sol.answer["b"] == 0.1
    assert sol.answer["losses"] == pytest.approx([0.1528052951993746, 0.13510723471068828])
    assert sol.answer["velocity"] == pytest.approx([-0.024491167915059585, -0.061227919787648966])


def test_sigmoid_neuron_with_half_mse_reproduces_seed_004_first_iteration():
    """With the solution's own half-MSE: z = 2.1, y_hat = 0.89, dL/dw2 = 0.190,
    v2 = -0.0190, w2 = 0.1810 as the seed shows; but iteration 2 must use the
    updated w1 = 0.4924, giving z = 1.9898 (not 2.0045) and w2 = 0.151415."""
    sol = solve("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, loss="half_mse"))
    values = {s.label: s.value for s in sol.steps}
    assert values["Iteration 1: pre-activation"] == pytest.approx(2.1)
    assert values["Iteration 1: output"] == pytest.approx(0.8909031788043871)
    assert values["Iteration 1: dL/dw"][1] == pytest.approx(0.18996859534759242)
    assert values["Iteration 1: velocity"] == pytest.approx([-0.007598743813903697, -0.01899685953475924])
    assert values["Iteration 1: weights"] == pytest.approx([0.4924012561860963, 0.18100314046524077])
    assert values["Iteration 2: pre-activation"] == pytest.approx(1.9898182146983965)
    assert sol.answer["w"][1] == pytest.approx(0.15141546376265644)


def test_seed_004_solution_is_the_half_mse_update_only_w2_mistake():
    """The seed's path (half MSE, w1 frozen) gives z = 2.0045 and w2 = 0.15156,
    which the seed rounds to 0.1509."""
    wrong = mistake_answers("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, loss="half_mse"))
    assert wrong["updated_only_last_weight"]["w"] == pytest.approx([0.5, 0.1515628674367406])
    assert wrong["updated_only_last_weight"]["w"][1] == pytest.approx(0.1509, abs=1e-3)


def test_seed_004_half_mse_is_the_wrong_loss_scaling_mistake():
    wrong = mistake_answers("sigmoid_neuron_momentum_gd", SEED_004_NEURON)
    assert wrong["wrong_loss_scaling"]["w"][1] == pytest.approx(0.15141546376265644)


def test_nesterov_lookahead_uses_momentum_not_learning_rate_seed_001():
    """Seed 001 writes the look-ahead point as theta + eta*v; it is theta + rho*v."""
    params = dict(theta=1.0, grad=0.5, velocity=-0.2, lr=0.1, momentum=0.9)
    assert solve("nesterov_step", params).answer["lookahead"] == pytest.approx(0.82)
    assert mistake_answers("nesterov_step", params)["lookahead_with_learning_rate"]["lookahead"] == pytest.approx(0.98)


def test_batch_gd_sum_reduction_is_seed_001_rule_and_mean_is_default():
    grads = [0.2, 0.4, 0.9]
    assert solve("batch_gd_step", dict(theta=1.0, grads=grads, lr=0.5)).answer == pytest.approx({"theta": 0.75, "grad": 0.5})
    assert solve("batch_gd_step", dict(theta=1.0, grads=grads, lr=0.5, reduction="sum")).answer == pytest.approx(
        {"theta": 0.25, "grad": 1.5})


def test_adagrad_eps_inside_sqrt_matches_seed_003_formula():
    """Seed 003: eta_t = eta / sqrt(delta_t + eps), delta_t the sum of squared gradients."""
    sol = solve("adagrad_step", dict(theta=1.0, grad=0.5, accum=0.75, lr=0.1, eps=0.21, eps_inside_sqrt=True))
    assert sol.answer == pytest.approx({"theta": 1.0 - 0.1 * 0.5 / 1.1, "accum": 1.0})


def test_l1_step_matches_seed_002_gradient_g_plus_lambda_sign_w():
    """Seed 002: grad L(w) = g'(w) + lambda sgn(w)."""
    sol = solve("l1_regularized_step", dict(theta=[-2.0, 2.0], grad=[0.0, 0.0], lr=1.0, lam=0.5))
    assert sol.answer == {"theta": [-1.5, 1.5], "grad": [-0.5, 0.5]}


# ------------------------------------------------------------------ hand-computed answers

@pytest.mark.parametrize(
    "name, params, expected",
    [
        ("sgd_step", dict(theta=[0.5, -1.0], grad=[0.2, -0.4], lr=0.5), {"theta": [0.4, -0.8]}),
        ("sgd_step", dict(theta=1.5, grad=-0.4, lr=0.1), {"theta": 1.54}),
        ("momentum_step", dict(theta=0.2, grad=0.5, velocity=-0.1, lr=0.1, momentum=0.9),
         {"theta": 0.06, "velocity": -0.14}),
        ("momentum_step", dict(theta=0.2, grad=0.5, velocity=0.3, lr=0.1, momentum=0.9, convention="pytorch"),
         {"theta": 0.123, "velocity": 0.77}),
        ("nesterov_step", dict(theta=1.0, grad=0.5, velocity=-0.2, lr=0.1, momentum=0.9),
         {"theta": 0.77, "velocity": -0.23, "lookahead": 0.82}),
        ("nesterov_step", dict(theta=1.0, grad=0.5, velocity=0.2, lr=0.1, momentum=0.9, convention="pytorch"),
         {"theta": 0.8888, "velocity": 0.68}),
        ("nesterov_step", dict(theta=1.0, grad=0.5, velocity=-0.2, lr=0.1, momentum=0.9, convention="bengio"),
         {"theta": 0.743, "velocity": -0.23}),
        ("rmsprop_step", dict(theta=1.0, grad=2.0, r=0.0, lr=0.1, rho=0.75, delta=0.0), {"theta": 0.8, "r": 1.0}),
        ("rmsprop_step", dict(theta=1.0, grad=2.0, r=0.0, lr=0.1, rho=0.75, delta=1.0, delta_inside_sqrt=False),
         {"theta": 0.9, "r": 1.0}),
        ("rmsprop_step", dict(theta=[1.0, 0.0], grad=[2.0, 0.0], r=[0.0, 4.0], lr=0.1, rho=0.75, delta=0.0),
         {"theta": [0.8, 0.0], "r": [1.0, 3.0]}),
        ("adam_step", dict(theta=1.0, grad=0.5, m=0.0, v=0.0, t=1, lr=0.1, eps=0.0), {"theta": 0.9, "m": 0.05, "v": 0.00025}),
        ("adam_step", dict(theta=1.0, grad=0.5, m=0.0, v=0.0, t=1, lr=0.1, eps=0.0, bias_correction=False),
         {"theta": 1.0 - 0.1 * 0.05 / 0.00025**0.5, "m": 0.05, "v": 0.00025}),
        ("adagrad_step", dict(theta=1.0, grad=0.5, accum=0.75, lr=0.1, eps=0.0), {"theta": 0.95, "accum": 1.0}),
        ("adagrad_step", dict(theta=[1.0, 2.0], grad=[0.5, -3.0], accum=[0.75, 0.0], lr=0.1, eps=0.0),
         {"theta": [0.95, 2.1], "accum": [1.0, 9.0]}),
        ("l1_regularized_step", dict(theta=[0.5, -2.0, 0.0], grad=[0.1, 0.1, 0.1], lr=0.1, lam=0.01),
         {"theta": [0.489, -2.009, -0.01], "grad": [0.11, 0.09, 0.1]}),
        ("l2_regularized_step", dict(theta=2.0, grad=0.5, lr=0.1, lam=0.1), {"theta": 1.93, "grad": 0.7}),
    ],
)
def test_optimizer_step_matches_hand_computation(name, params, expected):
    assert_answer(solve(name, params).answer, expected)


def test_adam_first_step_from_zero_state_moves_by_lr():
    """Bias correction makes the first Adam step exactly lr * sign(g) (eps = 0)."""
    for g in (1e-4, 0.3, -7.0):
        out = solve("adam_step", dict(theta=0.0, grad=g, m=0.0, v=0.0, t=1, lr=0.01, eps=0.0)).answer
        assert out["theta"] == pytest.approx(-0.01 if g > 0 else 0.01)


def test_adam_steps_with_one_gradient_equals_adam_step():
    one = solve("adam_step", dict(theta=[0.4, -0.2], grad=[0.1, -0.3], m=[0.05, -0.01], v=[0.001, 0.02], t=3, lr=0.01))
    many = solve("adam_steps", dict(theta=[0.4, -0.2], grads=[[0.1, -0.3]], m=[0.05, -0.01], v=[0.001, 0.02], t0=2, lr=0.01))
    assert answers_close({k: many.answer[k] for k in ("theta", "m", "v")}, one.answer)
    assert many.answer["thetas"] == [many.answer["theta"]]


def test_adam_steps_chain_adam_step():
    p = dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    first = solve("adam_step", dict(p, theta=1.0, grad=0.5, m=0.0, v=0.0, t=1)).answer
    second = solve("adam_step", dict(p, theta=first["theta"], grad=-0.2, m=first["m"], v=first["v"], t=2)).answer
    chained = solve("adam_steps", dict(p, theta=1.0, grads=[0.5, -0.2])).answer
    assert answers_close(chained, {**second, "thetas": [first["theta"], second["theta"]]})


def test_adam_steps_label_every_iteration():
    labels = [s.label for s in solve("adam_steps", dict(theta=1.0, grads=[0.5, -0.2], lr=0.1)).steps]
    assert labels[0] == "t = 1: First moment" and labels[-1] == "t = 2: Updated parameter"
    assert "t = 1: Bias-corrected second moment" in labels


def test_momentum_conventions_agree_when_velocity_is_rescaled():
    """v_sutskever = -lr * v_pytorch: both conventions give the same theta."""
    a = solve("momentum_step", dict(theta=0.7, grad=0.3, velocity=-0.02, lr=0.1, momentum=0.9)).answer
    b = solve("momentum_step", dict(theta=0.7, grad=0.3, velocity=0.2, lr=0.1, momentum=0.9, convention="pytorch")).answer
    assert a["theta"] == pytest.approx(b["theta"])
    assert a["velocity"] == pytest.approx(-0.1 * b["velocity"])


def test_nesterov_forms_track_theta_and_lookahead_consistently():
    """PyTorch/Bengio parameters are Sutskever's look-ahead point theta + mu v."""
    theta, v, g, lr, mu = 1.0, -0.2, 0.5, 0.1, 0.9
    sut = solve("nesterov_step", dict(theta=theta, grad=g, velocity=v, lr=lr, momentum=mu)).answer
    ben = solve("nesterov_step", dict(theta=theta + mu * v, grad=g, velocity=v, lr=lr, momentum=mu, convention="bengio")).answer
    pt = solve("nesterov_step", dict(theta=theta + mu * v, grad=g, velocity=-v / lr, lr=lr, momentum=mu,
                                     convention="pytorch")).answer
    assert ben["theta"] == pytest.approx(sut["theta"] + mu * sut["velocity"])
    assert pt["theta"] == pytest.approx(ben["theta"])
    assert pt["velocity"] == pytest.approx(-ben["velocity"] / lr)


def test_l2_docstring_says_penalty_has_a_half():
    assert "(lam/2) * ||theta||^2" in get_solver("l2_regularized_step").fn.__doc__


def test_sigmoid_neuron_trains_bias_with_its_own_velocity():
    sol = solve("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, k=1, train_bias=True))
    values = {s.label: s.value for s in sol.steps}
    assert values["Iteration 1: bias velocity"] == pytest.approx(-0.1 * values["Iteration 1: dL/dz"])
    assert sol.answer["b"] == pytest.approx(0.1 - 0.1 * 0.07598743813903697)


def test_sigmoid_neuron_loss_decreases_over_iterations():
    losses = solve("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, k=10)).answer["losses"]
    assert len(losses) == 10 and losses[-1] < losses[0]


@pytest.mark.parametrize("name, params", [
    ("sgd_step", dict(theta=1.0, grad=0.5, lr=0.1)),
    ("momentum_step", dict(theta=1.0, grad=0.5, velocity=0.1, lr=0.1, momentum=0.9)),
    ("rmsprop_step", SEED_000_RMSPROP),
    ("adam_step", dict(theta=1.0, grad=0.5, m=0.1, v=0.2, t=2, lr=0.1)),
    ("adagrad_step", dict(theta=1.0, grad=0.5, accum=0.75, lr=0.1)),
])
def test_scalar_input_gives_scalar_answer_and_one_element_list_gives_list(name, params):
    scalar = solve(name, params).answer
    listed = solve(name, {k: [v] if k in {"theta", "grad", "velocity", "r", "m", "v", "accum"} else v
                          for k, v in params.items()}).answer
    assert all(isinstance(x, float) for x in scalar.values())
    assert listed == {k: [x] for k, x in scalar.items()}


def test_cli_solves_rmsprop_with_the_contract_parameters():
    out = subprocess.run(
        [sys.executable, "-m", "dlcore", "solve", "rmsprop_step", "--params", json.dumps(SEED_000_RMSPROP)],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["answer"]["theta"] == pytest.approx(1.7031754164708883)


# ------------------------------------------------------------------ mistakes

RMSPROP_CASE = dict(theta=1.8, grad=0.6, r=0.4, lr=0.1, rho=0.6, delta=0.01)


@pytest.mark.parametrize(
    "name, params, mistake, expected",
    [
        ("sgd_step", dict(theta=1.0, grad=0.5, lr=0.1), "added_gradient", {"theta": 1.05}),
        ("sgd_step", dict(theta=1.0, grad=0.5, lr=0.1), "forgot_learning_rate", {"theta": 0.5}),
        ("batch_gd_step", dict(theta=1.0, grads=[0.2, 0.4, 0.9], lr=0.5), "used_first_sample_only", {"theta": 0.9, "grad": 0.2}),
        ("momentum_step", dict(theta=0.2, grad=0.5, velocity=-0.1, lr=0.1, momentum=0.9), "wrong_sign_convention",
         {"theta": 0.2 - 0.1 * 0.41, "velocity": 0.41}),
        ("momentum_step", dict(theta=0.2, grad=0.5, velocity=-0.1, lr=0.1, momentum=0.9), "updated_theta_with_old_velocity",
         {"theta": 0.1, "velocity": -0.14}),
        ("nesterov_step", dict(theta=1.0, grad=0.5, velocity=0.2, lr=0.1, momentum=0.9, convention="pytorch"),
         "forgot_nesterov_correction", {"theta": 0.932, "velocity": 0.68}),
        ("rmsprop_step", RMSPROP_CASE, "wrong_delta_placement", {"theta": 1.8 - 0.06 / (0.384**0.5 + 0.01), "r": 0.384}),
        ("rmsprop_step", RMSPROP_CASE, "forgot_sqrt", {"theta": 1.8 - 0.06 / 0.394, "r": 0.384}),
        ("rmsprop_step", RMSPROP_CASE, "used_old_r", {"theta": 1.8 - 0.06 / 0.41**0.5, "r": 0.384}),
        ("rmsprop_step", RMSPROP_CASE, "swapped_rho", {"theta": 1.8 - 0.06 / 0.386**0.5, "r": 0.376}),
        ("rmsprop_step", RMSPROP_CASE, "forgot_to_square_gradient", {"theta": 1.8 - 0.06 / 0.49**0.5, "r": 0.48}),
        ("adam_step", dict(theta=1.0, grad=0.5, m=0.0, v=0.0, t=1, lr=0.1, eps=0.0), "no_bias_correction",
         {"theta": 1.0 - 0.1 * 0.05 / 0.00025**0.5, "m": 0.05, "v": 0.00025}),
        ("adam_step", dict(theta=1.0, grad=0.5, m=0.0, v=0.0, t=1, lr=0.1, eps=0.0), "forgot_sqrt_on_v_hat",
         {"theta": 1.0 - 0.1 * 0.5 / 0.25, "m": 0.05, "v": 0.00025}),
        ("adam_step", dict(theta=1.0, grad=0.5, m=0.1, v=0.2, t=2, lr=0.1, eps=0.0), "bias_correction_with_t_minus_1",
         {"theta": 1.0 - 0.1 * (0.14 / 0.1) / (0.20005 / 0.001) ** 0.5, "m": 0.14, "v": 0.20005}),
        ("adagrad_step", dict(theta=1.0, grad=0.5, accum=0.75, lr=0.1, eps=0.0), "used_old_accumulator",
         {"theta": 1.0 - 0.05 / 0.75**0.5, "accum": 1.0}),
        ("adagrad_step", dict(theta=1.0, grad=0.5, accum=0.75, lr=0.1, eps=0.0), "forgot_to_square_gradient",
         {"theta": 1.0 - 0.05 / 1.25**0.5, "accum": 1.25}),
        ("l1_regularized_step", dict(theta=2.0, grad=0.5, lr=0.1, lam=0.1), "used_lambda_w", {"theta": 1.93, "grad": 0.7}),
        ("l1_regularized_step", dict(theta=2.0, grad=0.5, lr=0.1, lam=0.1), "forgot_regulariser", {"theta": 1.95, "grad": 0.5}),
        ("l2_regularized_step", dict(theta=2.0, grad=0.5, lr=0.1, lam=0.1), "doubled_lambda", {"theta": 1.91, "grad": 0.9}),
        ("l2_regularized_step", dict(theta=2.0, grad=0.5, lr=0.1, lam=0.1), "used_lambda_sign_w", {"theta": 1.94, "grad": 0.6}),
    ],
)
def test_mistake_gives_the_textbook_wrong_answer(name, params, mistake, expected):
    assert_answer(mistake_answers(name, params)[mistake], expected)


TYPICAL = {
    "sgd_step": dict(theta=[0.5, -1.0], grad=[0.2, -0.4], lr=0.3),
    "batch_gd_step": dict(theta=[1.0, -2.0], grads=[[0.1, 0.3], [0.5, -0.7], [0.2, 0.2]], lr=0.1),
    "momentum_step": dict(theta=[0.2, 0.4], grad=[0.5, -0.3], velocity=[-0.1, 0.05], lr=0.1, momentum=0.9),
    "nesterov_step": dict(theta=[0.2, 0.4], grad=[0.5, -0.3], velocity=[-0.1, 0.05], lr=0.1, momentum=0.9),
    "rmsprop_step": dict(theta=[1.8, -0.5], grad=[0.6, 0.3], r=[0.4, 0.1], lr=0.1, rho=0.6, delta=0.01),
    "adam_step": dict(theta=[1.0, -0.5], grad=[0.5, 0.2], m=[0.1, 0.0], v=[0.2, 0.01], t=3, lr=0.1),
    "adam_steps": dict(theta=[1.0, -0.5], grads=[[0.5, 0.2], [0.3, -0.1], [0.2, 0.4]], t0=1, m=[0.1, 0.0], v=[0.2, 0.01], lr=0.1),
    "adagrad_step": dict(theta=[1.0, -0.5], grad=[0.5, 0.2], accum=[0.7, 0.1], lr=0.1),
    "l1_regularized_step": dict(theta=[0.5, -2.0], grad=[0.1, 0.3], lr=0.1, lam=0.05),
    "l2_regularized_step": dict(theta=[0.5, -2.0], grad=[0.1, 0.3], lr=0.1, lam=0.05),
    "sigmoid_neuron_momentum_gd": dict(SEED_004_NEURON, k=3, velocity=[0.01, -0.02]),
}


@pytest.mark.parametrize("name", sorted(TYPICAL))
def test_every_mistake_is_distinguishable_on_a_typical_question(name):
    result = distinguishable_mistakes(name, TYPICAL[name], rel_tol=1e-3)
    assert len(result) >= 3
    assert all(result.values()), result


@pytest.mark.parametrize("convention", ["sutskever", "pytorch", "bengio"])
def test_nesterov_mistakes_that_apply_to_each_form_are_distinguishable(convention):
    result = distinguishable_mistakes("nesterov_step", dict(TYPICAL["nesterov_step"], convention=convention), rel_tol=1e-3)
    assert len(result) >= 2 and all(result.values()), result


def test_mistakes_have_the_answer_shape():
    for name, params in TYPICAL.items():
        correct = solve(name, params).answer
        for mistake, value in mistake_answers(name, params).items():
            assert value.keys() == correct.keys(), (name, mistake)


def test_tiny_delta_placement_is_reported_indistinguishable():
    """With delta = 1e-9 (seed 000) putting delta outside the root changes nothing a grader can see."""
    assert distinguishable_mistakes("rmsprop_step", SEED_000_RMSPROP, rel_tol=1e-6)["wrong_delta_placement"] is False


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize(
    "name, params, fragment",
    [
        ("sgd_step", dict(theta=1.0, grad=0.5, lr=-0.1), "'lr' must be at least 0"),
        ("sgd_step", dict(theta=[1.0, 2.0], grad=[0.5], lr=0.1), "'grad' has 1 elements but 'theta' has 2"),
        ("sgd_step", dict(theta=[1.0, 2.0], grad=0.5, lr=0.1), "'grad' must be a list of 2 numbers"),
        ("sgd_step", dict(theta=1.0, grad=[0.5], lr=0.1), "'grad' must be a number"),
        ("momentum_step", dict(theta=1.0, grad=0.5, velocity=0.0, lr=0.1, momentum=1.5), "'momentum' must be at most 1"),
        ("rmsprop_step", dict(SEED_000_RMSPROP, r=-0.1), "'r' must be at least 0"),
        ("rmsprop_step", dict(theta=1.0, grad=0.0, r=0.0, lr=0.1, rho=0.9, delta=0.0), "divides by zero"),
        ("rmsprop_step", dict(SEED_000_RMSPROP, rho=1.2), "'rho' must be at most 1"),
        ("adam_step", dict(theta=1.0, grad=0.5, m=0.0, v=0.0, t=0, lr=0.1), "'t' must be at least 1"),
        ("adam_step", dict(theta=1.0, grad=0.5, m=0.0, v=0.0, t=1, lr=0.1, beta1=1.0), "beta1 and beta2 must be below 1"),
        ("adam_step", dict(theta=1.0, grad=0.0, m=0.0, v=0.0, t=1, lr=0.1, eps=0.0), "divides by zero"),
        ("adam_steps", dict(theta=1.0, grads=[], lr=0.1), "non-empty list of gradients"),
        ("adam_steps", dict(theta=[1.0, 2.0], grads=[[0.1, 0.2], [0.3]], lr=0.1), "'grads[1]' has 1 elements"),
        ("adam_steps", dict(theta=[1.0, 2.0], grads=[0.1], lr=0.1), "Gradient 0 of 'grads' must be a list of numbers"),
        ("batch_gd_step", dict(theta=1.0, grads=[0.1, "x"], lr=0.1), "Gradient 1 of 'grads' must be a number"),
        ("batch_gd_step", dict(theta=1.0, grads=[0.1], lr=0.1, reduction="max"), "'reduction' must be one of"),
        ("adagrad_step", dict(theta=1.0, grad=0.5, accum=-1.0, lr=0.1), "'accum' must be at least 0"),
        ("l2_regularized_step", dict(theta=1.0, grad=0.5, lr=0.1, lam=-1.0), "'lam' must be at least 0"),
        ("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, x=[1.0, 2.0, 3.0]), "'x' has 3 inputs but 'w' has 2"),
        ("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, velocity=0.1), "'velocity' must be a list of 2 numbers"),
        ("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, k=0), "'k' must be at least 1"),
        ("sigmoid_neuron_momentum_gd", dict(SEED_004_NEURON, k=10**6), "'k' must be at most 1000"),
    ],
)
def test_bad_input_raises_one_clear_sentence(name, params, fragment):
    with pytest.raises(SolverError, match=fragment.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        solve(name, params)


# ------------------------------------------------------------------ PyTorch oracle (hypothesis)

value = st.floats(-5, 5, allow_nan=False)
lr_ = st.floats(1e-3, 1.0)
unit = st.floats(0.0, 0.99)
momentum_ = st.floats(0.01, 0.99)  # torch.optim.SGD keeps no momentum buffer (our velocity) at momentum 0
positive_small = st.floats(1e-8, 0.1)


@st.composite
def shaped(draw, *names, nonneg=()):
    """theta and state given all as numbers or all as equal-length lists."""
    n = draw(st.one_of(st.none(), st.integers(1, 4)))
    out = {}
    for name in names:
        elem = st.floats(0, 5) if name in nonneg else value
        out[name] = draw(elem) if n is None else draw(st.lists(elem, min_size=n, max_size=n))
    return out


def assert_matches_torch(name, params):
    torch_ref = pytest.importorskip("dlcore.torch_reference.optim")
    pytest.importorskip("torch")
    expected = torch_ref.REFERENCES[name](params)
    actual = solve(name, params).answer
    assert answers_close(actual, expected, rel_tol=1e-6, abs_tol=1e-9), (actual, expected)


SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(shaped("theta", "grad"), lr_)
def test_sgd_matches_torch(p, lr):
    assert_matches_torch("sgd_step", dict(p, lr=lr))


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 4), st.data(), lr_, st.sampled_from(["mean", "sum"]))
def test_batch_gd_matches_torch(n, m, data, lr, reduction):
    theta = data.draw(st.lists(value, min_size=n, max_size=n))
    grads = data.draw(st.lists(st.lists(value, min_size=n, max_size=n), min_size=m, max_size=m))
    assert_matches_torch("batch_gd_step", dict(theta=theta, grads=grads, lr=lr, reduction=reduction))


@SETTINGS
@given(shaped("theta", "grad", "velocity"), lr_, momentum_, st.sampled_from(["sutskever", "pytorch"]))
def test_momentum_matches_torch(p, lr, momentum, convention):
    assert_matches_torch("momentum_step", dict(p, lr=lr, momentum=momentum, convention=convention))


@SETTINGS
@given(shaped("theta", "grad", "velocity"), lr_, momentum_, st.sampled_from(["sutskever", "pytorch", "bengio"]))
def test_nesterov_matches_torch(p, lr, momentum, convention):
    assert_matches_torch("nesterov_step", dict(p, lr=lr, momentum=momentum, convention=convention))


@SETTINGS
@given(shaped("theta", "grad", "r", nonneg=("r",)), lr_, unit, positive_small, st.booleans())
def test_rmsprop_matches_torch(p, lr, rho, delta, inside):
    assert_matches_torch("rmsprop_step", dict(p, lr=lr, rho=rho, delta=delta, delta_inside_sqrt=inside))


@SETTINGS
@given(shaped("theta", "grad", "m", "v", nonneg=("v",)), st.integers(1, 50), lr_, unit, unit, positive_small, st.booleans())
def test_adam_matches_torch(p, t, lr, beta1, beta2, eps, bias_correction):
    assert_matches_torch("adam_step", dict(p, t=t, lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction))


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 5), st.data(), st.integers(0, 10), lr_, st.booleans())
def test_adam_steps_match_torch(n, k, data, t0, lr, bias_correction):
    theta = data.draw(st.lists(value, min_size=n, max_size=n))
    grads = data.draw(st.lists(st.lists(value, min_size=n, max_size=n), min_size=k, max_size=k))
    assert_matches_torch("adam_steps", dict(theta=theta, grads=grads, t0=t0, lr=lr, bias_correction=bias_correction))


@SETTINGS
@given(shaped("theta", "grad", "accum", nonneg=("accum",)), lr_, positive_small, st.booleans())
def test_adagrad_matches_torch(p, lr, eps, inside):
    assert_matches_torch("adagrad_step", dict(p, lr=lr, eps=eps, eps_inside_sqrt=inside))


@SETTINGS
@given(shaped("theta", "grad"), lr_, st.floats(0, 1), st.sampled_from(["l1_regularized_step", "l2_regularized_step"]))
def test_regularized_steps_match_torch(p, lr, lam, name):
    assert_matches_torch(name, dict(p, lr=lr, lam=lam))


@SETTINGS
@given(st.integers(1, 4), st.data(), value, lr_, momentum_, st.integers(1, 5), st.sampled_from(["mse", "half_mse"]), st.booleans())
def test_sigmoid_neuron_matches_torch(n, data, b, lr, momentum, k, loss, train_bias):
    vec = st.lists(st.floats(-2, 2), min_size=n, max_size=n)
    params = dict(x=data.draw(vec), w=data.draw(vec), velocity=data.draw(vec), y=data.draw(st.floats(0, 1)),
                  b=b, lr=lr, momentum=momentum, k=k, loss=loss, train_bias=train_bias)
    assert_matches_torch("sigmoid_neuron_momentum_gd", params)


@pytest.mark.parametrize("convention", ["sutskever", "pytorch"])
def test_momentum_zero_is_a_plain_sgd_step(convention):
    out = solve("momentum_step", dict(theta=[1.0, -2.0], grad=[0.5, 0.25], velocity=[3.0, 4.0], lr=0.2, momentum=0.0,
                                      convention=convention)).answer
    assert_answer(out["theta"], solve("sgd_step", dict(theta=[1.0, -2.0], grad=[0.5, 0.25], lr=0.2)).answer["theta"])


# ---- plain-float RMSProp and Adam: their own finiteness checks (Solution.checked) and numpy's edge cases

@pytest.mark.parametrize(("name", "params"), [
    ("rmsprop_step", {"theta": 1.0, "grad": 1e200, "r": 0.0, "lr": 0.1, "rho": 0.5, "delta": 1e-8}),
    ("rmsprop_step", {"theta": [1.0, 2.0], "grad": [0.1, 1e200], "r": [0.0, 0.0], "lr": 0.1, "rho": 0.5, "delta": 1e-8}),
    ("adam_step", {"theta": 1.0, "grad": 1e200, "m": 0.0, "v": 0.0, "t": 1, "lr": 0.1}),
    ("adam_steps", {"theta": [1.0], "grads": [[0.5], [1e200]], "lr": 0.1}),
])
def test_overflow_is_refused(name, params):
    with pytest.raises(SolverError, match=f"Solver '{name}' produced a non-finite result"):
        solve(name, params)


def test_a_zero_denominator_in_a_later_adam_step_is_reported_before_an_earlier_overflow():
    # step 1: theta = -1e308 - 1e308 = -inf; step 2: g = 0 gives v = 0, so sqrt(v_hat) + eps = 0
    params = {"theta": -1e308, "grads": [1.0, 0.0], "lr": 1e308, "eps": 0.0, "beta1": 0.0, "beta2": 0.0}
    with pytest.raises(SolverError, match="divides by zero"):
        solve("adam_steps", params)


def test_rmsprop_mistake_with_a_negative_accumulator_is_left_out():
    params = {"theta": 1.0, "grad": -0.5, "r": 0.0, "lr": 0.1, "rho": 0.5, "delta": 1e-8}
    answers = mistake_answers("rmsprop_step", params)
    assert "forgot_to_square_gradient" not in answers and "swapped_rho" in answers


@pytest.mark.parametrize(("grads", "message"), [
    ([0.5, True], "Gradient 1 of 'grads' must be a number"),
    ([0.5, 10**400], "int too large to convert to float"),
    ([0.5, float("nan")], "Gradient 1 of 'grads' must contain finite numbers"),
])
def test_adam_steps_gradient_errors(grads, message):
    with pytest.raises(SolverError, match=message):
        solve("adam_steps", {"theta": 1.0, "grads": grads, "lr": 0.1})


def test_plain_float_steps_are_checked_plain_json():
    for name, params in [("rmsprop_step", {"theta": [0.5, -0.3], "grad": [0.2, -0.05], "r": [0.0, 0.01], "lr": 0.01,
                                           "rho": 0.9, "delta": 1e-6}),
                         ("adam_steps", {"theta": 1.0, "grads": [0.5, -0.2, 0.1], "lr": 0.1, "bias_correction": False})]:
        sol = solve(name, params)
        assert sol.checked
        assert json.loads(json.dumps(sol.to_dict(), allow_nan=False)) == sol.to_dict()
