"""The kernel SVM decision function."""

from __future__ import annotations

import math

import pytest

from dlcore import SolverError, distinguishable_mistakes, mistake_answers, solve

SEED_004 = {"support_vectors": [[-2.0, 7.0], [4.0, 4.0]], "labels": [-1, 1], "bias": 0.47, "x": [-2.0, 3.0]}


def test_svm_decision_matches_seed_004():
    """Seed 004: support vectors (-2, 7) of class -1 and (4, 4) of class +1 (alpha = 1 each), w0 = .47, test point
    (-2, 3): -25 + 4 + 0.47 = -20.53, class -1. The seed is right."""
    sol = solve("svm_decision", SEED_004)
    assert sol.answer == {"decision": pytest.approx(-20.53), "class": -1}
    assert sol.steps[1].value == [25.0, 4.0]  # K(s_i, x) = s_i . x
    assert sol.steps[2].value == [-25.0, 4.0]


def test_coefficients_equal_alpha_times_labels():
    by_coef = solve("svm_decision", {**SEED_004, "labels": None, "coefficients": [-0.5, 2.0]}).answer
    by_alpha = solve("svm_decision", {**SEED_004, "alpha": [0.5, 2.0]}).answer
    assert by_coef == by_alpha == {"decision": pytest.approx(-12.5 + 8 + 0.47), "class": -1}


@pytest.mark.parametrize(
    "kernel, extra, k_values",
    [
        ("polynomial", {"degree": 2, "gamma": 1.0, "coef0": 1.0}, [26.0**2, 5.0**2]),
        ("polynomial", {"degree": 3, "gamma": 0.5, "coef0": 0.0}, [12.5**3, 2.0**3]),
        ("rbf", {"gamma": 0.1}, [math.exp(-1.6), math.exp(-3.7)]),
    ],
)
def test_svm_kernels(kernel, extra, k_values):
    sol = solve("svm_decision", {**SEED_004, "kernel": kernel, **extra})
    assert sol.steps[1].value == pytest.approx(k_values)
    decision = -k_values[0] + k_values[1] + 0.47
    assert sol.answer == {"decision": pytest.approx(decision), "class": 1 if decision > 0 else -1}


def test_decision_zero_is_class_minus_one_as_scikit_learn():
    assert solve("svm_decision", {"support_vectors": [[1.0]], "labels": [1], "x": [0.0]}).answer == {"decision": 0.0, "class": -1}


def test_svm_mistakes():
    wrong = mistake_answers("svm_decision", SEED_004)
    assert wrong["forgot_bias"] == {"decision": -21.0, "class": -1}
    assert wrong["subtracted_bias"]["decision"] == pytest.approx(-21.47)
    assert wrong["forgot_labels"]["decision"] == pytest.approx(29.47)
    assert "linear_kernel_instead" not in wrong
    rbf = {**SEED_004, "kernel": "rbf", "gamma": 0.1}
    assert all(distinguishable_mistakes("svm_decision", rbf).values())


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"labels": None}, "Give the coefficients"),
        ({"coefficients": [1.0, 1.0]}, "not both"),
        ({"labels": [-1, 2]}, r"\+1 or -1"),
        ({"labels": [-1, 1, 1]}, "2 support vectors but 3 coefficients"),
        ({"alpha": [1.0]}, "one alpha per label"),
        ({"x": [1.0, 2.0, 3.0]}, "x has 3"),
        ({"kernel": "sigmoid"}, "must be one of"),
    ],
)
def test_svm_rejects_bad_input(change, fragment):
    with pytest.raises(SolverError, match=fragment):
        solve("svm_decision", {**SEED_004, **change})


@pytest.mark.parametrize("kernel", ["linear", "polynomial", "rbf"])
def test_svm_mistakes_answer_in_the_same_form(kernel):
    params = {**SEED_004, "kernel": kernel, "gamma": 0.1}
    assert all(answer.keys() == {"decision", "class"} for answer in mistake_answers("svm_decision", params).values())
    assert any(distinguishable_mistakes("svm_decision", params).values())
