"""Classic machine learning: the kernel SVM decision function."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from dlcore.activations import paren
from dlcore.errors import SolverError
from dlcore.fmt import num, vec
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = ["svm_decision"]

Array = NDArray[np.float64]

KERNELS = ("linear", "polynomial", "rbf")
_KERNEL_TEX = {
    "linear": r"K(s, x) = s \cdot x",
    "polynomial": r"K(s, x) = (\gamma\, s \cdot x + c_0)^d",
    "rbf": r"K(s, x) = e^{-\gamma \|s - x\|^2}",
}


def _kernel(kind: str, sv: Array, x: Array, degree: int, gamma: float, coef0: float) -> Array:
    """K(s_i, x) for every support vector row s_i."""
    if kind == "linear":
        return sv @ x
    if kind == "polynomial":
        return (gamma * (sv @ x) + coef0) ** degree
    return np.exp(-gamma * np.sum((sv - x) ** 2, axis=1))  # type: ignore[no-any-return]


def _coefficients(n_sv: int, coefficients: list[float] | None, alpha: list[float] | None,
                  labels: list[float] | None) -> Array:
    """alpha_i * y_i, from ``coefficients`` or from ``alpha`` (1 each by default) and ``labels``."""
    if coefficients is not None:
        if alpha is not None or labels is not None:
            raise SolverError("Give either coefficients (alpha_i * y_i) or alpha and labels, not both.")
        coef = np.asarray(coefficients, dtype=np.float64)
    else:
        if labels is None:
            raise SolverError("Give the coefficients alpha_i * y_i, or the labels y_i (and optionally alpha_i).")
        if any(y not in (-1, 1) for y in labels):
            raise SolverError("The labels must be +1 or -1.")
        a = np.ones(len(labels)) if alpha is None else np.asarray(alpha, dtype=np.float64)
        if a.size != len(labels):
            raise SolverError(f"Give one alpha per label: {a.size} alphas for {len(labels)} labels.")
        coef = a * np.asarray(labels, dtype=np.float64)
    if coef.size != n_sv:
        raise SolverError(f"There are {n_sv} support vectors but {coef.size} coefficients.")
    return coef


def _setup(support_vectors: list[list[float]], x: list[float], coefficients: Any, alpha: Any,
           labels: Any) -> tuple[Array, Array, Array]:
    sv, q = np.asarray(support_vectors, dtype=np.float64), np.asarray(x, dtype=np.float64)
    if sv.shape[1] != q.size:
        raise SolverError(f"The support vectors have {sv.shape[1]} features but x has {q.size}.")
    return sv, q, _coefficients(sv.shape[0], coefficients, alpha, labels)


def _answer(decision: float) -> dict[str, Any]:
    return {"decision": decision, "class": 1 if decision > 0 else -1}


@solver(
    "svm_decision",
    params={
        "support_vectors": Param("matrix", help="one support vector per row"),
        "x": Param("vector", help="query point"),
        "coefficients": Param("vector", None, help="alpha_i * y_i per support vector"),
        "alpha": Param("vector", None, min=0, help="Lagrange multipliers (1 each when left out)"),
        "labels": Param("vector", None, help="+1 / -1 per support vector"),
        "bias": Param("float", 0.0, help="b (w_0)"),
        "kernel": Param("str", "linear", choices=KERNELS),
        "degree": Param("int", 2, min=1, max=20, help="polynomial degree d"),
        "gamma": Param("float", 1.0, positive=True, help="polynomial / rbf gamma"),
        "coef0": Param("float", 1.0, help="polynomial constant c_0"),
    },
)
def svm_decision(
    *, support_vectors: list[list[float]], x: list[float], coefficients: list[float] | None,
    alpha: list[float] | None, labels: list[float] | None, bias: float, kernel: str, degree: int,
    gamma: float, coef0: float,
) -> Solution:
    """f(x) = sum_i alpha_i y_i K(s_i, x) + b; class +1 if f(x) > 0 else -1 (as scikit-learn).

    Kernels: linear s.x, polynomial (gamma s.x + coef0)^degree, rbf exp(-gamma ||s - x||^2).

    >>> svm_decision(support_vectors=[[-2, 7], [4, 4]], x=[-2, 3], coefficients=None, alpha=None,
    ...              labels=[-1, 1], bias=0.47, kernel="linear", degree=2, gamma=1.0, coef0=1.0).answer
    {'decision': -20.53, 'class': -1}
    """
    sv, q, coef = _setup(support_vectors, x, coefficients, alpha, labels)
    k = _kernel(kernel, sv, q, degree, gamma, coef0)
    terms = coef * k
    decision = float(terms.sum() + bias)
    steps = (
        Step("Coefficients", rf"\alpha_i y_i = {vec(coef.tolist())}", coef.tolist()),
        Step("Kernel with each support vector", rf"{_KERNEL_TEX[kernel]}: {vec(k.tolist())}", k.tolist()),
        Step("Weighted terms", rf"\alpha_i y_i K(s_i, x) = {vec(terms.tolist())}", terms.tolist()),
        Step("Decision value", rf"f(x) = {num(float(terms.sum()))} + {paren(bias)} = {num(decision)}", decision),
        Step("Predicted class", rf"\operatorname{{sign}}(f(x)) = {1 if decision > 0 else -1}", 1 if decision > 0 else -1),
    )
    return Solution(_answer(decision), steps)


def _svm_mistake(params: dict[str, Any], *, bias_sign: float = 1.0, ignore_labels: bool = False,
                 kernel: str | None = None) -> dict[str, Any]:
    sv, q, coef = _setup(params["support_vectors"], params["x"], params["coefficients"], params["alpha"], params["labels"])
    if ignore_labels:
        coef = np.abs(coef)
    k = _kernel(kernel or params["kernel"], sv, q, params["degree"], params["gamma"], params["coef0"])
    return _answer(float(np.sum(coef * k) + bias_sign * params["bias"]))


@mistake("svm_decision", "forgot_bias", "Left the bias b out of the decision value.")
def _svm_no_bias(**params: Any) -> dict[str, Any]:
    return _svm_mistake(params, bias_sign=0.0)


@mistake("svm_decision", "subtracted_bias", "Subtracted the bias instead of adding it.")
def _svm_minus_bias(**params: Any) -> dict[str, Any]:
    return _svm_mistake(params, bias_sign=-1.0)


@mistake("svm_decision", "forgot_labels", "Left the labels y_i out (every support vector counted as +1).")
def _svm_no_labels(**params: Any) -> dict[str, Any]:
    return _svm_mistake(params, ignore_labels=True)


@mistake("svm_decision", "linear_kernel_instead", "Used the plain dot product instead of the given kernel.")
def _svm_linear(**params: Any) -> dict[str, Any]:
    if params["kernel"] == "linear":
        raise SolverError("not applicable")
    return _svm_mistake(params, kernel="linear")
