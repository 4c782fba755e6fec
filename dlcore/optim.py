"""Optimizer update rules: SGD, batch GD, momentum, Nesterov, RMSProp, Adam, Adagrad.

Every step solver takes ``theta``, ``grad`` and its state either as numbers or
as equal-length lists and answers in the same form; lists update elementwise.
Conventions follow the seed exams where the contract says so (RMSProp with
delta inside the square root, momentum as v = mu*v - lr*g) and PyTorch
otherwise (Adam, Adagrad, L2 weight decay).
"""

from __future__ import annotations

from itertools import chain
from math import nan, sqrt
from typing import Any

import numpy as np
import numpy.typing as npt

from dlcore.errors import SolverError
from dlcore.finite import require_finite
from dlcore.fmt import num, nums, vec
from dlcore.pairwise import dot
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = [
    "sgd_step", "batch_gd_step", "momentum_step", "nesterov_step", "rmsprop_step",
    "adam_step", "adam_steps", "adagrad_step", "l1_regularized_step",
    "l2_regularized_step", "sigmoid_neuron_momentum_gd",
]

Array = npt.NDArray[np.float64]
Value = float | list[float]
Floats = list[float]
Answer = dict[str, Any]

MAX_ITERATIONS = 1000  # a quiz never iterates more; bounds the size of the worked solution


# ---------------------------------------------------------------- helpers

def _arrays(theta: Value, **others: Value | None) -> tuple[bool, list[Array]]:
    """``theta`` and ``others`` as float arrays of one shape (``None`` is zeros).

    Returns whether ``theta`` was given as a list, then the arrays in order.
    """
    is_list = isinstance(theta, list)
    base = np.asarray(theta, dtype=np.float64)
    out = [base]
    for name, value in others.items():
        if value is None:
            out.append(np.zeros_like(base))
            continue
        if isinstance(value, list) != is_list:
            form = f"a list of {base.size} numbers" if is_list else "a number"
            raise SolverError(f"Parameter '{name}' must be {form}, like 'theta'.")
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape != base.shape:
            raise SolverError(f"Parameter '{name}' has {arr.size} elements but 'theta' has {base.size}.")
        out.append(arr)
    return is_list, out


def _gradient_values(name: str, value: Any, theta: Value) -> list[Floats]:
    """Validate a list of gradients, each shaped like ``theta``, as float lists (a number as a list of one)."""
    if not isinstance(value, list) or not value:
        raise SolverError(f"Parameter '{name}' must be a non-empty list of gradients.")
    if len(value) > MAX_ITERATIONS:
        raise SolverError(f"Parameter '{name}' has {len(value)} gradients; the limit is {MAX_ITERATIONS}.")
    is_list = isinstance(theta, list)
    size = len(theta) if isinstance(theta, list) else 1
    out = []
    for i, g in enumerate(value):
        if is_list:
            ok = isinstance(g, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in g)
        else:
            ok = isinstance(g, (int, float)) and not isinstance(g, bool)
        if not ok:
            form = "a list of numbers" if is_list else "a number"
            raise SolverError(f"Gradient {i} of '{name}' must be {form}, like 'theta'.")
        floats = [float(x) for x in g] if isinstance(g, list) else [float(g)]  # a huge int raises OverflowError
        if len(floats) != size:
            raise SolverError(f"Parameter '{name}[{i}]' has {len(floats)} elements but 'theta' has {size}.")
        if not all(x - x == 0.0 for x in floats):  # x - x is 0.0 only for finite x
            raise SolverError(f"Gradient {i} of '{name}' must contain finite numbers.")
        out.append(floats)
    return out


def _gradient_list(name: str, value: Any, theta: Value) -> list[Array]:
    """:func:`_gradient_values` as float arrays (0-d when theta is a number)."""
    is_list = isinstance(theta, list)
    return [np.asarray(g if is_list else g[0], dtype=np.float64) for g in _gradient_values(name, value, theta)]


def _out(x: Array, is_list: bool) -> Value:
    """Answer ``x`` in the form theta was given in."""
    return [float(v) for v in np.atleast_1d(x)] if is_list else float(x)


def _tex(x: Array | float) -> str:
    arr = np.asarray(x, dtype=np.float64)
    return vec(arr.tolist()) if arr.ndim else num(float(arr))


def _sub(x: Array | float) -> str:
    """A value substituted into a formula: negative numbers in parentheses."""
    text = _tex(x)
    return f"({text})" if text.startswith("-") else text


def _step(label: str, formula: str, value: Array, is_list: bool) -> Step:
    """A step whose LaTeX is ``formula = value``."""
    return Step(label, rf"{formula} = {_tex(value)}", _out(value, is_list))


def _divide(numer: Array, denom: Array, what: str) -> Array:
    if np.any(denom == 0):
        raise SolverError(f"The update divides by zero because {what} is 0; use a positive small constant.")
    return numer / denom


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


# Plain-float versions of the helpers above, for the solvers that compute on float lists (a number as a
# list of one). For quiz-sized inputs this is several times faster than numpy and gives the same bits:
# IEEE +, -, *, / and the correctly rounded sqrt, elementwise; g*g is what numpy computes for g**2.

_new = tuple.__new__  # builds a Step or Solution without the NamedTuple constructor's keyword handling


def _lists(theta: Value, **others: Value | None) -> tuple[bool, list[Floats]]:
    """:func:`_arrays` as float lists: the same checks and error sentences."""
    is_list = isinstance(theta, list)
    base = theta if isinstance(theta, list) else [theta]
    out = [base]
    for name, value in others.items():
        if value is None:
            out.append([0.0] * len(base))
            continue
        if isinstance(value, list) != is_list:
            form = f"a list of {len(base)} numbers" if is_list else "a number"
            raise SolverError(f"Parameter '{name}' must be {form}, like 'theta'.")
        values = value if isinstance(value, list) else [value]
        if len(values) != len(base):
            raise SolverError(f"Parameter '{name}' has {len(values)} elements but 'theta' has {len(base)}.")
        out.append(values)
    return is_list, out


def _form(xs: Floats, is_list: bool) -> Value:
    """``xs`` in the form theta was given in: the list, or its one number."""
    return xs if is_list else xs[0]


def _latex_of(xs: Floats, is_list: bool) -> str:
    return vec(xs) if is_list else num(xs[0])


def _sub_of(xs: Floats, is_list: bool) -> str:
    """A value substituted into a formula: negative numbers in parentheses."""
    text = _latex_of(xs, is_list)
    return f"({text})" if text.startswith("-") else text


def _list_step(label: str, formula: str, xs: Floats, is_list: bool) -> Step:
    """A step whose LaTeX is ``formula = xs``."""
    return _new(Step, (label, f"{formula} = {_latex_of(xs, is_list)}", _form(xs, is_list)))


def _texts(numbers: list[float], values: list[Floats], is_list: bool) -> list[str]:
    """LaTeX of ``numbers`` (as ``num`` writes them), then of each of ``values`` (as :func:`_latex_of`);
    all in one ``nums`` pass when theta is a number."""
    if is_list:
        return nums(numbers) + [vec(xs) for xs in values]
    return nums(numbers + [xs[0] for xs in values])


def _sub_text(text: str) -> str:
    """The LaTeX of a value substituted into a formula: negative numbers in parentheses."""
    return f"({text})" if text.startswith("-") else text


def _ratio(numer: Floats, denom: Floats, what: str) -> Floats:
    if 0.0 in denom:
        raise SolverError(f"The update divides by zero because {what} is 0; use a positive small constant.")
    return [a / b for a, b in zip(numer, denom, strict=True)]


def _scaled_ratio(scale: float, numer: Floats, denom: Floats, what: str) -> Floats:
    """scale * (numer / denom), elementwise."""
    return [scale * q for q in _ratio(numer, denom, what)]


def _minus(a: Floats, b: Floats) -> Floats:
    return [x - y for x, y in zip(a, b, strict=True)]


_THETA = Param("number_or_vector", help="current parameter value(s)")
_GRAD = Param("number_or_vector", help="gradient of the loss at theta")
_LR = Param("float", min=0, help="learning rate")


# ---------------------------------------------------------------- SGD

@solver("sgd_step", params={"theta": _THETA, "grad": _GRAD, "lr": _LR})
def sgd_step(*, theta: Value, grad: Value, lr: float) -> Solution:
    """SGD: theta_new = theta - lr*grad.

    >>> sgd_step(theta=1.0, grad=0.5, lr=0.1).answer
    {'theta': 0.95}
    """
    is_list, (theta_, g) = _arrays(theta, grad=grad)
    theta_new = theta_ - lr * g
    step = _step("Updated parameter", rf"\theta - \eta g = {_sub(theta_)} - {num(lr)} \cdot {_sub(g)}", theta_new, is_list)
    return Solution({"theta": _out(theta_new, is_list)}, (step,))


@mistake("sgd_step", "added_gradient", "Added the gradient instead of subtracting it (gradient ascent).")
def _sgd_added(*, theta: Value, grad: Value, lr: float) -> Answer:
    is_list, (theta_, g) = _arrays(theta, grad=grad)
    return {"theta": _out(theta_ + lr * g, is_list)}


@mistake("sgd_step", "forgot_learning_rate", "Subtracted the raw gradient without the learning rate.")
def _sgd_no_lr(*, theta: Value, grad: Value, lr: float) -> Answer:
    is_list, (theta_, g) = _arrays(theta, grad=grad)
    return {"theta": _out(theta_ - g, is_list)}


@mistake("sgd_step", "divided_by_learning_rate", "Divided the gradient by the learning rate.")
def _sgd_divided(*, theta: Value, grad: Value, lr: float) -> Answer:
    is_list, (theta_, g) = _arrays(theta, grad=grad)
    return {"theta": _out(theta_ - g / lr, is_list)}


# ---------------------------------------------------------------- batch gradient descent

@solver(
    "batch_gd_step",
    params={
        "theta": _THETA,
        "grads": Param("json", help="list of m per-sample gradients, each shaped like theta"),
        "lr": _LR,
        "reduction": Param("str", "mean", choices=("mean", "sum"), help="average or sum the m gradients"),
    },
)
def batch_gd_step(*, theta: Value, grads: Any, lr: float, reduction: str) -> Solution:
    """Batch gradient descent: g = (1/m) * sum_i g_i (or the sum), theta_new = theta - lr*g.

    >>> batch_gd_step(theta=1.0, grads=[0.2, 0.4, 0.9], lr=0.5, reduction="mean").answer
    {'theta': 0.75, 'grad': 0.5}
    """
    is_list, (theta_,) = _arrays(theta)
    per_sample = _gradient_list("grads", grads, theta)
    m = len(per_sample)
    g = np.sum(per_sample, axis=0) / (m if reduction == "mean" else 1)
    theta_new = theta_ - lr * g
    reduce_tex = rf"\frac{{1}}{{{m}}} \sum_{{i=1}}^{{{m}}} g_i" if reduction == "mean" else rf"\sum_{{i=1}}^{{{m}}} g_i"
    steps = (
        Step("Number of samples", rf"m = {m}", m),
        _step("Batch gradient", rf"g = {reduce_tex}", g, is_list),
        _step("Updated parameter", rf"\theta - \eta g = {_sub(theta_)} - {num(lr)} \cdot {_sub(g)}", theta_new, is_list),
    )
    return Solution({"theta": _out(theta_new, is_list), "grad": _out(g, is_list)}, steps)


def _batch_answer(theta: Value, g: Array, lr: float) -> Answer:
    is_list, (theta_,) = _arrays(theta)
    return {"theta": _out(theta_ - lr * g, is_list), "grad": _out(g, is_list)}


@mistake("batch_gd_step", "wrong_reduction", "Summed the gradients when they should be averaged, or the other way round.")
def _batch_wrong_reduction(*, theta: Value, grads: Any, lr: float, reduction: str) -> Answer:
    per_sample = _gradient_list("grads", grads, theta)
    g = np.sum(per_sample, axis=0) / (1 if reduction == "mean" else len(per_sample))
    return _batch_answer(theta, g, lr)


@mistake("batch_gd_step", "used_first_sample_only", "Used the first sample's gradient only (a stochastic step).")
def _batch_first(*, theta: Value, grads: Any, lr: float, **_: Any) -> Answer:
    return _batch_answer(theta, _gradient_list("grads", grads, theta)[0], lr)


@mistake("batch_gd_step", "added_gradient", "Added the batch gradient instead of subtracting it.")
def _batch_added(*, theta: Value, grads: Any, lr: float, reduction: str) -> Answer:
    per_sample = _gradient_list("grads", grads, theta)
    g = np.sum(per_sample, axis=0) / (len(per_sample) if reduction == "mean" else 1)
    return _batch_answer(theta, -g, lr) | {"grad": _batch_answer(theta, g, lr)["grad"]}


# ---------------------------------------------------------------- momentum

_MOMENTUM = Param("float", min=0, max=1, help="momentum coefficient mu")
_CONVENTIONS = ("sutskever", "pytorch")


def _momentum(theta_: Array, g: Array, v: Array, lr: float, mu: float, convention: str) -> tuple[Array, Array]:
    """(theta_new, v_new) of one heavy-ball step in the given convention."""
    if convention == "sutskever":
        v_new = mu * v - lr * g
        return theta_ + v_new, v_new
    v_new = mu * v + g
    return theta_ - lr * v_new, v_new


@solver(
    "momentum_step",
    params={
        "theta": _THETA,
        "grad": _GRAD,
        "velocity": Param("number_or_vector", help="velocity v before this step"),
        "lr": _LR,
        "momentum": _MOMENTUM,
        "convention": Param("str", "sutskever", choices=_CONVENTIONS,
                            help="sutskever: v = mu v - lr g, theta += v; pytorch: v = mu v + g, theta -= lr v"),
    },
)
def momentum_step(
    *, theta: Value, grad: Value, velocity: Value, lr: float, momentum: float, convention: str
) -> Solution:
    """Momentum: v = momentum*v - lr*grad, theta_new = theta + v (pytorch convention: v = momentum*v + grad, theta_new = theta - lr*v).

    >>> momentum_step(theta=0.2, grad=0.5, velocity=-0.1, lr=0.1, momentum=0.9,
    ...               convention="sutskever").answer
    {'theta': 0.06, 'velocity': -0.14}
    """
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    theta_new, v_new = _momentum(theta_, g, v, lr, momentum, convention)
    if convention == "sutskever":
        v_tex = rf"v = \mu v - \eta g = {num(momentum)} \cdot {_sub(v)} - {num(lr)} \cdot {_sub(g)}"
        theta_tex = rf"\theta + v = {_sub(theta_)} + {_sub(v_new)}"
    else:
        v_tex = rf"v = \mu v + g = {num(momentum)} \cdot {_sub(v)} + {_sub(g)}"
        theta_tex = rf"\theta - \eta v = {_sub(theta_)} - {num(lr)} \cdot {_sub(v_new)}"
    steps = (
        _step("New velocity", v_tex, v_new, is_list),
        _step("Updated parameter", theta_tex, theta_new, is_list),
    )
    return Solution({"theta": _out(theta_new, is_list), "velocity": _out(v_new, is_list)}, steps)


def _momentum_answer(theta_: Array, v_new: Array, is_list: bool) -> Answer:
    return {"theta": _out(theta_, is_list), "velocity": _out(v_new, is_list)}


@mistake("momentum_step", "wrong_sign_convention",
         "Used the other convention's update (v = mu v + g with theta -= lr v instead of v = mu v - lr g with theta += v, or the reverse).")
def _momentum_other_convention(*, theta: Value, grad: Value, velocity: Value, lr: float,
                               momentum: float, convention: str) -> Answer:
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    other = "pytorch" if convention == "sutskever" else "sutskever"
    return _momentum_answer(*_momentum(theta_, g, v, lr, momentum, other), is_list)


@mistake("momentum_step", "updated_theta_with_old_velocity", "Moved theta with the old velocity instead of the new one.")
def _momentum_old_velocity(*, theta: Value, grad: Value, velocity: Value, lr: float,
                           momentum: float, convention: str) -> Answer:
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    _, v_new = _momentum(theta_, g, v, lr, momentum, convention)
    theta_new = theta_ + v if convention == "sutskever" else theta_ - lr * v
    return _momentum_answer(theta_new, v_new, is_list)


@mistake("momentum_step", "added_gradient", "Added the gradient term instead of subtracting it.")
def _momentum_added(*, theta: Value, grad: Value, velocity: Value, lr: float,
                    momentum: float, convention: str) -> Answer:
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    return _momentum_answer(*_momentum(theta_, -g, v, lr, momentum, convention), is_list)


@mistake("momentum_step", "ignored_momentum", "Ignored the old velocity (a plain gradient step).")
def _momentum_ignored(*, theta: Value, grad: Value, velocity: Value, lr: float,
                      momentum: float, convention: str) -> Answer:
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    return _momentum_answer(*_momentum(theta_, g, 0 * v, lr, momentum, convention), is_list)


# ---------------------------------------------------------------- Nesterov

def _nesterov(theta_: Array, g: Array, v: Array, lr: float, mu: float, convention: str) -> tuple[Array, Array]:
    """(theta_new, v_new) of one Nesterov step; see :func:`nesterov_step` for what g is."""
    if convention == "sutskever":
        v_new = mu * v - lr * g
        return theta_ + v_new, v_new
    if convention == "bengio":
        v_new = mu * v - lr * g
        return theta_ + mu * v_new - lr * g, v_new
    v_new = mu * v + g
    return theta_ - lr * (g + mu * v_new), v_new


@solver(
    "nesterov_step",
    params={
        "theta": _THETA,
        "grad": Param("number_or_vector",
                      help="sutskever: gradient at the look-ahead point theta + mu v; pytorch and bengio: gradient at theta"),
        "velocity": Param("number_or_vector", help="velocity v before this step"),
        "lr": _LR,
        "momentum": _MOMENTUM,
        "convention": Param("str", "sutskever", choices=("sutskever", "pytorch", "bengio")),
    },
)
def nesterov_step(
    *, theta: Value, grad: Value, velocity: Value, lr: float, momentum: float, convention: str
) -> Solution:
    """Nesterov: v = momentum*v - lr*grad(theta + momentum*v), theta_new = theta + v (pytorch: v = momentum*v + g, theta_new = theta - lr*(g + momentum*v)).

    ``sutskever`` (Sutskever et al. 2013, the look-ahead form) takes ``grad``
    evaluated at the look-ahead point ``theta + momentum*v`` and also answers that
    point. ``pytorch`` (``torch.optim.SGD(nesterov=True)``) and ``bengio``
    (Bengio et al. 2012: v = mu v - lr g, theta_new = theta + mu v_new - lr g)
    track the look-ahead parameters themselves, so ``grad`` is taken at ``theta``.

    >>> nesterov_step(theta=1.0, grad=0.5, velocity=0.2, lr=0.1, momentum=0.9,
    ...               convention="pytorch").answer
    {'theta': 0.8888, 'velocity': 0.68}
    """
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    theta_new, v_new = _nesterov(theta_, g, v, lr, momentum, convention)
    mu, eta = num(momentum), num(lr)
    steps = []
    if convention == "sutskever":
        lookahead = theta_ + momentum * v
        steps.append(_step("Look-ahead point where the gradient is taken",
                           rf"\tilde\theta = \theta + \mu v = {_sub(theta_)} + {mu} \cdot {_sub(v)}", lookahead, is_list))
        steps.append(_step("New velocity", rf"v = \mu v - \eta g(\tilde\theta) = {mu} \cdot {_sub(v)} - {eta} \cdot {_sub(g)}",
                           v_new, is_list))
        steps.append(_step("Updated parameter", rf"\theta + v = {_sub(theta_)} + {_sub(v_new)}", theta_new, is_list))
    elif convention == "bengio":
        steps.append(_step("New velocity", rf"v = \mu v - \eta g = {mu} \cdot {_sub(v)} - {eta} \cdot {_sub(g)}", v_new, is_list))
        steps.append(_step("Updated parameter", rf"\theta + \mu v - \eta g = {_sub(theta_)} + {mu} \cdot {_sub(v_new)} - {eta} \cdot {_sub(g)}",
                           theta_new, is_list))
    else:
        steps.append(_step("New velocity (momentum buffer)", rf"v = \mu v + g = {mu} \cdot {_sub(v)} + {_sub(g)}", v_new, is_list))
        steps.append(_step("Nesterov direction", rf"g + \mu v = {_sub(g)} + {mu} \cdot {_sub(v_new)}", g + momentum * v_new, is_list))
        steps.append(_step("Updated parameter", r"\theta - \eta (g + \mu v)", theta_new, is_list))
    answer = _nesterov_answer(theta_new, v_new, theta_ + momentum * v, is_list, convention)
    return Solution(answer, tuple(steps))


def _nesterov_answer(theta_new: Array, v_new: Array, lookahead: Array, is_list: bool, convention: str) -> Answer:
    out = {"theta": _out(theta_new, is_list), "velocity": _out(v_new, is_list)}
    if convention == "sutskever":
        out["lookahead"] = _out(lookahead, is_list)
    return out


@mistake("nesterov_step", "lookahead_with_learning_rate",
         "Took the look-ahead point as theta + lr*v instead of theta + momentum*v (sutskever form).")
def _nesterov_lookahead_lr(*, theta: Value, grad: Value, velocity: Value, lr: float,
                           momentum: float, convention: str) -> Answer:
    if convention != "sutskever":
        raise SolverError("Only the sutskever form has a look-ahead point.")
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    theta_new, v_new = _nesterov(theta_, g, v, lr, momentum, convention)
    return _nesterov_answer(theta_new, v_new, theta_ + lr * v, is_list, convention)


@mistake("nesterov_step", "forgot_nesterov_correction",
         "Did a plain momentum step, leaving out the extra momentum*v look-ahead term (pytorch and bengio forms).")
def _nesterov_plain(*, theta: Value, grad: Value, velocity: Value, lr: float,
                    momentum: float, convention: str) -> Answer:
    if convention == "sutskever":
        raise SolverError("In the sutskever form the correction lives in where the gradient is taken.")
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    theta_new, v_new = _momentum(theta_, g, v, lr, momentum, "pytorch" if convention == "pytorch" else "sutskever")
    return _nesterov_answer(theta_new, v_new, theta_, is_list, convention)


@mistake("nesterov_step", "updated_theta_with_old_velocity",
         "Moved theta by the old velocity instead of the new one (sutskever form).")
def _nesterov_old_velocity(*, theta: Value, grad: Value, velocity: Value, lr: float,
                           momentum: float, convention: str) -> Answer:
    if convention != "sutskever":
        # In the other forms this gives exactly the forgot_nesterov_correction answer.
        raise SolverError("Only the sutskever form moves theta by the velocity alone.")
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    _, v_new = _nesterov(theta_, g, v, lr, momentum, convention)
    return _nesterov_answer(theta_ + v, v_new, theta_ + momentum * v, is_list, convention)


@mistake("nesterov_step", "added_gradient", "Added the gradient instead of subtracting it.")
def _nesterov_added(*, theta: Value, grad: Value, velocity: Value, lr: float,
                    momentum: float, convention: str) -> Answer:
    is_list, (theta_, g, v) = _arrays(theta, grad=grad, velocity=velocity)
    theta_new, v_new = _nesterov(theta_, -g, v, lr, momentum, convention)
    return _nesterov_answer(theta_new, v_new, theta_ + momentum * v, is_list, convention)


# ---------------------------------------------------------------- RMSProp

def _rms_denominator(r_t: Floats, delta: float, inside: bool) -> Floats:
    return _roots([r + delta for r in r_t]) if inside else [root + delta for root in _roots(r_t)]


def _roots(xs: Floats) -> Floats:
    """Elementwise square root as numpy takes it: NaN for a negative number (a mistake's accumulator can be one)."""
    return [sqrt(x) if x >= 0 else nan for x in xs]


def _rms_accumulate(r_prev: Floats, g: Floats, rho: float, *, square: bool = True) -> Floats:
    """r_t = rho*r + (1-rho)*g^2 (g instead of g^2 without ``square``)."""
    keep = 1 - rho
    if square:
        return [rho * r + keep * (gi * gi) for r, gi in zip(r_prev, g, strict=True)]
    return [rho * r + keep * gi for r, gi in zip(r_prev, g, strict=True)]


@solver(
    "rmsprop_step",
    params={
        "theta": _THETA,
        "grad": _GRAD,
        "r": Param("number_or_vector", min=0, help="accumulated squared gradient r_{t-1}"),
        "lr": _LR,
        "rho": Param("float", min=0, max=1, help="decay rate"),
        "delta": Param("float", min=0, help="small constant"),
        "delta_inside_sqrt": Param("bool", True, help="sqrt(r + delta) as in the seeds; false: sqrt(r) + delta as torch.optim.RMSprop"),
    },
)
def rmsprop_step(
    *, theta: Value, grad: Value, r: Value, lr: float, rho: float, delta: float, delta_inside_sqrt: bool
) -> Solution:
    """RMSProp: r_t = rho*r + (1-rho)*grad^2, theta_new = theta - lr*grad/sqrt(r_t + delta) (or /(sqrt(r_t) + delta)).

    >>> rmsprop_step(theta=1.8, grad=0.6, r=0.4, lr=0.1, rho=0.6, delta=1e-9,
    ...              delta_inside_sqrt=True).answer["theta"]
    1.7031754164708883
    """
    is_list, (theta_, g, r_prev) = _lists(theta, grad=grad, r=r)
    rows = [_rms_numbers(*x, lr, rho, delta, delta_inside_sqrt) for x in zip(theta_, g, r_prev, strict=True)]
    require_finite("rmsprop_step", list(chain.from_iterable(rows)))
    r_t, denom, update, theta_new = map(list, zip(*rows, strict=True))
    denom_tex = r"\sqrt{r_t + \delta}" if delta_inside_sqrt else r"\sqrt{r_t} + \delta"
    rho_, keep, lr_, r_prev_, g_, r_t_, denom_, update_, theta_old, theta_new_ = _texts(
        [rho, 1 - rho, lr], [r_prev, g, r_t, denom, update, theta_, theta_new], is_list)
    g_, update_sub = _sub_text(g_), _sub_text(update_)
    steps = (
        _new(Step, ("Accumulated squared gradient", _RMS_ACCUMULATE % (rho_, _sub_text(r_prev_), keep, g_, r_t_),
                    _form(r_t, is_list))),
        _new(Step, ("RMS denominator", f"{denom_tex} = {denom_}", _form(denom, is_list))),
        _new(Step, ("Update", _RMS_UPDATE % (denom_tex, lr_, g_, _sub_text(denom_), update_), _form(update, is_list))),
        _new(Step, ("Updated parameter", _RMS_NEW_THETA % (update_sub, _sub_text(theta_old), update_sub, theta_new_),
                    _form(theta_new, is_list))),
    )
    answer = {"theta": _form(theta_new, is_list), "r": _form(r_t, is_list)}
    return _new(Solution, (answer, steps, True))  # every computed list checked above (see Solution.checked)


def _rms_numbers(theta: float, g: float, r: float, lr: float, rho: float, delta: float,
                 inside: bool) -> tuple[float, float, float, float]:
    """r_t, the RMS denominator, the update and the new theta of one parameter."""
    r_t = rho * r + (1 - rho) * (g * g)
    denom = sqrt(r_t + delta) if inside else sqrt(r_t) + delta
    if denom == 0:
        raise SolverError("The update divides by zero because the RMS denominator is 0; use a positive small constant.")
    update = lr * (g / denom)
    return r_t, denom, update, theta - update


_RMS_ACCUMULATE = r"r_t = \rho r_{t-1} + (1-\rho) g^2 = %s \cdot %s + %s \cdot %s^2 = %s"
_RMS_UPDATE = r"\frac{\alpha g}{%s} = \frac{%s \cdot %s}{%s} = %s"
_RMS_NEW_THETA = r"\theta_{t+1} = \theta_t - %s = %s - %s = %s"


def _rms_answer(theta_: Floats, g: Floats, lr: float, denom: Floats, r_t: Floats, is_list: bool) -> Answer:
    # lr * g / denom in this order: (lr * g) / denom
    return {"theta": _form(_minus(theta_, _ratio([lr * gi for gi in g], denom, "the RMS denominator")), is_list),
            "r": _form(r_t, is_list)}


@mistake("rmsprop_step", "wrong_delta_placement", "Put delta on the wrong side of the square root.")
def _rms_delta_side(*, theta: Value, grad: Value, r: Value, lr: float, rho: float, delta: float,
                    delta_inside_sqrt: bool) -> Answer:
    is_list, (theta_, g, r_prev) = _lists(theta, grad=grad, r=r)
    r_t = _rms_accumulate(r_prev, g, rho)
    return _rms_answer(theta_, g, lr, _rms_denominator(r_t, delta, not delta_inside_sqrt), r_t, is_list)


@mistake("rmsprop_step", "forgot_sqrt", "Forgot the square root in the denominator.")
def _rms_no_sqrt(*, theta: Value, grad: Value, r: Value, lr: float, rho: float, delta: float, **_: Any) -> Answer:
    is_list, (theta_, g, r_prev) = _lists(theta, grad=grad, r=r)
    r_t = _rms_accumulate(r_prev, g, rho)
    return _rms_answer(theta_, g, lr, [v + delta for v in r_t], r_t, is_list)


@mistake("rmsprop_step", "used_old_r", "Divided by the old accumulator r_{t-1} instead of r_t.")
def _rms_old_r(*, theta: Value, grad: Value, r: Value, lr: float, rho: float, delta: float,
               delta_inside_sqrt: bool) -> Answer:
    is_list, (theta_, g, r_prev) = _lists(theta, grad=grad, r=r)
    r_t = _rms_accumulate(r_prev, g, rho)
    return _rms_answer(theta_, g, lr, _rms_denominator(r_prev, delta, delta_inside_sqrt), r_t, is_list)


@mistake("rmsprop_step", "swapped_rho", "Swapped rho and 1 - rho in the running average.")
def _rms_swapped(*, theta: Value, grad: Value, r: Value, lr: float, rho: float, delta: float,
                 delta_inside_sqrt: bool) -> Answer:
    is_list, (theta_, g, r_prev) = _lists(theta, grad=grad, r=r)
    r_t = [(1 - rho) * rv + rho * (gi * gi) for rv, gi in zip(r_prev, g, strict=True)]
    return _rms_answer(theta_, g, lr, _rms_denominator(r_t, delta, delta_inside_sqrt), r_t, is_list)


@mistake("rmsprop_step", "forgot_to_square_gradient", "Accumulated the gradient instead of its square.")
def _rms_no_square(*, theta: Value, grad: Value, r: Value, lr: float, rho: float, delta: float,
                   delta_inside_sqrt: bool) -> Answer:
    is_list, (theta_, g, r_prev) = _lists(theta, grad=grad, r=r)
    r_t = _rms_accumulate(r_prev, g, rho, square=False)
    return _rms_answer(theta_, g, lr, _rms_denominator(r_t, delta, delta_inside_sqrt), r_t, is_list)


# ---------------------------------------------------------------- Adam

def _adam_math(
    theta_: Floats, g: Floats, m: Floats, v: Floats, t: int, *, lr: float, beta1: float, beta2: float,
    eps: float, bias_correction: bool, error: str | None = None,
) -> dict[str, Floats]:
    """One Adam step; ``error`` names a mistake to make instead (mistake models only)."""
    b1, b2 = (beta2, beta1) if error == "swapped_betas" else (beta1, beta2)
    keep1, keep2 = 1 - b1, 1 - b2
    m_t = [b1 * mi + keep1 * gi for mi, gi in zip(m, g, strict=True)]
    v_t = [b2 * vi + keep2 * (gi * gi) for vi, gi in zip(v, g, strict=True)]
    t_corr = {"bias_correction_with_t_minus_1": t - 1, "restarted_bias_correction": 1}.get(error or "", t)
    if bias_correction and error != "no_bias_correction":
        if beta1 == 1 or beta2 == 1:
            raise SolverError("beta1 and beta2 must be below 1 with bias correction (1 - beta^t would be 0).")
        c1, c2 = 1 - beta1**t_corr, 1 - beta2**t_corr
        if c1 == 0 or c2 == 0:
            raise SolverError(f"The bias correction 1 - beta^t is 0 at t = {t_corr}, so m_hat and v_hat are not finite.")
        m_hat, v_hat = [x / c1 for x in m_t], [x / c2 for x in v_t]
    else:
        m_hat, v_hat = m_t, v_t
    root = v_hat if error == "forgot_sqrt_on_v_hat" else [sqrt(x) for x in v_hat]
    update = _scaled_ratio(lr, m_hat, [x + eps for x in root], "sqrt(v_hat) + eps")
    return {"m": m_t, "v": v_t, "m_hat": m_hat, "v_hat": v_hat, "update": update, "theta": _minus(theta_, update)}


def _adam_iteration_steps(r: dict[str, Floats], theta_: Floats, g: Floats, m: Floats, v: Floats, t: int, *,
                          lr: float, beta1: float, beta2: float, eps: float, bias_correction: bool,
                          is_list: bool, prefix: str = "") -> list[Step]:
    g_tex = _sub_of(g, is_list)
    steps = [
        _list_step(f"{prefix}First moment",
                   rf"m_t = \beta_1 m + (1-\beta_1) g = {num(beta1)} \cdot {_sub_of(m, is_list)} + {num(1 - beta1)} \cdot {g_tex}",
                   r["m"], is_list),
        _list_step(f"{prefix}Second moment",
                   rf"v_t = \beta_2 v + (1-\beta_2) g^2 = {num(beta2)} \cdot {_sub_of(v, is_list)} + {num(1 - beta2)} \cdot {g_tex}^2",
                   r["v"], is_list),
    ]
    if bias_correction:
        steps += [
            _list_step(f"{prefix}Bias-corrected first moment",
                       rf"\hat m = \frac{{m_t}}{{1-\beta_1^{{{t}}}}} = \frac{{{_sub_of(r['m'], is_list)}}}{{{num(1 - beta1**t)}}}",
                       r["m_hat"], is_list),
            _list_step(f"{prefix}Bias-corrected second moment",
                       rf"\hat v = \frac{{v_t}}{{1-\beta_2^{{{t}}}}} = \frac{{{_sub_of(r['v'], is_list)}}}{{{num(1 - beta2**t)}}}",
                       r["v_hat"], is_list),
        ]
    m_sym, v_sym = (r"\hat m", r"\hat v") if bias_correction else ("m_t", "v_t")
    update_tex = _sub_of(r["update"], is_list)
    steps += [
        _list_step(f"{prefix}Update",
                   rf"\frac{{\eta {m_sym}}}{{\sqrt{{{v_sym}}} + \epsilon}} = \frac{{{num(lr)} \cdot {_sub_of(r['m_hat'], is_list)}}}"
                   rf"{{\sqrt{{{_sub_of(r['v_hat'], is_list)}}} + {num(eps)}}}",
                   r["update"], is_list),
        _list_step(f"{prefix}Updated parameter", rf"\theta - \text{{update}} = {_sub_of(theta_, is_list)} - {update_tex}",
                   r["theta"], is_list),
    ]
    return steps


_ADAM_HYPER = {
    "lr": _LR,
    "beta1": Param("float", 0.9, min=0, max=1),
    "beta2": Param("float", 0.999, min=0, max=1),
    "eps": Param("float", 1e-8, min=0),
    "bias_correction": Param("bool", True, help="divide m and v by 1 - beta^t as torch.optim.Adam"),
}


@solver(
    "adam_step",
    params={
        "theta": _THETA,
        "grad": _GRAD,
        "m": Param("number_or_vector", help="first moment before this step"),
        "v": Param("number_or_vector", min=0, help="second moment before this step"),
        "t": Param("int", min=1, help="step number after this update (1 for the first step)"),
        **_ADAM_HYPER,
    },
)
def adam_step(
    *, theta: Value, grad: Value, m: Value, v: Value, t: int, lr: float, beta1: float, beta2: float,
    eps: float, bias_correction: bool,
) -> Solution:
    """Adam: m = beta1*m + (1-beta1)*g, v = beta2*v + (1-beta2)*g^2, theta_new = theta - lr*m_hat/(sqrt(v_hat) + eps), m_hat = m/(1-beta1^t), v_hat = v/(1-beta2^t).

    >>> adam_step(theta=1.0, grad=0.5, m=0.0, v=0.0, t=1, lr=0.1, beta1=0.9, beta2=0.999,
    ...           eps=1e-8, bias_correction=True).answer["theta"]
    0.900000002
    """
    is_list, (theta_, g, m_, v_) = _lists(theta, grad=grad, m=m, v=v)
    hyper: dict[str, Any] = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction)
    r = _adam_math(theta_, g, m_, v_, t, **hyper)
    require_finite("adam_step", *r.values())
    steps = _adam_iteration_steps(r, theta_, g, m_, v_, t, is_list=is_list, **hyper)
    answer = {k: _form(r[k], is_list) for k in ("theta", "m", "v")}
    return _new(Solution, (answer, tuple(steps), True))  # every computed list checked above (see Solution.checked)


def _adam_mistake(error: str, params: dict[str, Any]) -> Answer:
    p = dict(params)
    is_list, (theta_, g, m_, v_) = _lists(p.pop("theta"), grad=p.pop("grad"), m=p.pop("m"), v=p.pop("v"))
    r = _adam_math(theta_, g, m_, v_, p.pop("t"), error=error, **p)
    return {k: _form(r[k], is_list) for k in ("theta", "m", "v")}


for _name, _text in [
    ("no_bias_correction", "Left out the bias correction."),
    ("bias_correction_with_t_minus_1", "Used t - 1 instead of t in the bias correction 1 - beta^t."),
    ("forgot_sqrt_on_v_hat", "Divided by v_hat instead of sqrt(v_hat)."),
    ("swapped_betas", "Swapped beta1 and beta2."),
]:
    mistake("adam_step", _name, _text)(lambda *, _e=_name, **p: _adam_mistake(_e, p))


@solver(
    "adam_steps",
    params={
        "theta": _THETA,
        "grads": Param("json", help="gradients of the successive steps, each shaped like theta"),
        "m": Param("number_or_vector", None, help="first moment before the first step [zeros]"),
        "v": Param("number_or_vector", None, min=0, help="second moment before the first step [zeros]"),
        "t0": Param("int", 0, min=0, help="steps already taken before the first given gradient"),
        **_ADAM_HYPER,
    },
)
def adam_steps(
    *, theta: Value, grads: Any, m: Value | None, v: Value | None, t0: int, lr: float, beta1: float,
    beta2: float, eps: float, bias_correction: bool,
) -> Solution:
    """Adam over k steps: the adam_step update applied for t = t0+1, ..., t0+k with the given gradients.

    Answers the final theta, m, v and the list ``thetas`` of theta after each step.

    >>> adam_steps(theta=1.0, grads=[0.5, 0.5], m=None, v=None, t0=0, lr=0.1, beta1=0.9,
    ...            beta2=0.999, eps=1e-8, bias_correction=True).answer["thetas"]
    [0.900000002, 0.8000000040000006]
    """
    is_list, (theta_, m_, v_) = _lists(theta, m=m, v=v)
    hyper: dict[str, Any] = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction)
    steps: list[Step] = []
    thetas = []
    computed: list[Floats] = []
    for i, g in enumerate(_gradient_values("grads", grads, theta)):
        t = t0 + i + 1
        r = _adam_math(theta_, g, m_, v_, t, **hyper)
        computed += r.values()
        steps += _adam_iteration_steps(r, theta_, g, m_, v_, t, is_list=is_list, prefix=f"t = {t}: ", **hyper)
        theta_, m_, v_ = r["theta"], r["m"], r["v"]
        thetas.append(_form(theta_, is_list))
    # Checked once all steps ran: a later step's own error (a zero denominator) comes first, as before.
    require_finite("adam_steps", *computed)
    answer = {"theta": _form(theta_, is_list), "m": _form(m_, is_list), "v": _form(v_, is_list), "thetas": thetas}
    return _new(Solution, (answer, tuple(steps), True))  # every computed list checked above (see Solution.checked)


def _adam_steps_mistake(error: str, params: dict[str, Any]) -> Answer:
    p = dict(params)
    theta, grads, t0 = p.pop("theta"), p.pop("grads"), p.pop("t0")
    is_list, (theta_, m_, v_) = _lists(theta, m=p.pop("m"), v=p.pop("v"))
    thetas = []
    for i, g in enumerate(_gradient_values("grads", grads, theta)):
        r = _adam_math(theta_, g, m_, v_, t0 + i + 1, error=error, **p)
        theta_, m_, v_ = r["theta"], r["m"], r["v"]
        thetas.append(_form(theta_, is_list))
    return {"theta": _form(theta_, is_list), "m": _form(m_, is_list), "v": _form(v_, is_list), "thetas": thetas}


for _name, _text in [
    ("no_bias_correction", "Left out the bias correction."),
    ("restarted_bias_correction", "Used t = 1 in the bias correction at every step."),
    ("bias_correction_with_t_minus_1", "Used t - 1 instead of t in the bias correction 1 - beta^t."),
    ("forgot_sqrt_on_v_hat", "Divided by v_hat instead of sqrt(v_hat)."),
]:
    mistake("adam_steps", _name, _text)(lambda *, _e=_name, **p: _adam_steps_mistake(_e, p))


# ---------------------------------------------------------------- Adagrad

def _ada_denominator(accum: Array, eps: float, inside: bool) -> Array:
    return np.sqrt(accum + eps) if inside else np.sqrt(accum) + eps


@solver(
    "adagrad_step",
    params={
        "theta": _THETA,
        "grad": _GRAD,
        "accum": Param("number_or_vector", min=0, help="sum of squared gradients before this step"),
        "lr": _LR,
        "eps": Param("float", 1e-10, min=0),
        "eps_inside_sqrt": Param("bool", False, help="false: sqrt(G) + eps as torch.optim.Adagrad; true: sqrt(G + eps)"),
    },
)
def adagrad_step(
    *, theta: Value, grad: Value, accum: Value, lr: float, eps: float, eps_inside_sqrt: bool
) -> Solution:
    """Adagrad: G = accum + grad^2, theta_new = theta - lr*grad/(sqrt(G) + eps) (or /sqrt(G + eps)).

    >>> adagrad_step(theta=1.0, grad=0.5, accum=0.75, lr=0.1, eps=0.0, eps_inside_sqrt=False).answer
    {'theta': 0.95, 'accum': 1.0}
    """
    is_list, (theta_, g, accum_) = _arrays(theta, grad=grad, accum=accum)
    accum_new = accum_ + g**2
    denom = _ada_denominator(accum_new, eps, eps_inside_sqrt)
    update = lr * _divide(g, denom, "the Adagrad denominator")
    theta_new = theta_ - update
    denom_tex = r"\sqrt{G_t + \epsilon}" if eps_inside_sqrt else r"\sqrt{G_t} + \epsilon"
    steps = (
        _step("Accumulated squared gradient", rf"G_t = G_{{t-1}} + g^2 = {_sub(accum_)} + {_sub(g)}^2", accum_new, is_list),
        _step("Denominator", denom_tex, denom, is_list),
        _step("Update", rf"\frac{{\eta g}}{{{denom_tex}}} = \frac{{{num(lr)} \cdot {_sub(g)}}}{{{_sub(denom)}}}", update, is_list),
        _step("Updated parameter", rf"\theta - \text{{update}} = {_sub(theta_)} - {_sub(update)}", theta_new, is_list),
    )
    return Solution({"theta": _out(theta_new, is_list), "accum": _out(accum_new, is_list)}, steps)


def _ada_answer(theta_: Array, g: Array, lr: float, denom: Array, accum_new: Array, is_list: bool) -> Answer:
    return {"theta": _out(theta_ - lr * g / denom, is_list), "accum": _out(accum_new, is_list)}


@mistake("adagrad_step", "used_old_accumulator", "Divided by the old accumulator, before adding this step's squared gradient.")
def _ada_old(*, theta: Value, grad: Value, accum: Value, lr: float, eps: float, eps_inside_sqrt: bool) -> Answer:
    is_list, (theta_, g, accum_) = _arrays(theta, grad=grad, accum=accum)
    return _ada_answer(theta_, g, lr, _ada_denominator(accum_, eps, eps_inside_sqrt), accum_ + g**2, is_list)


@mistake("adagrad_step", "forgot_to_square_gradient", "Accumulated the gradient instead of its square.")
def _ada_no_square(*, theta: Value, grad: Value, accum: Value, lr: float, eps: float, eps_inside_sqrt: bool) -> Answer:
    is_list, (theta_, g, accum_) = _arrays(theta, grad=grad, accum=accum)
    accum_new = accum_ + g
    return _ada_answer(theta_, g, lr, _ada_denominator(accum_new, eps, eps_inside_sqrt), accum_new, is_list)


@mistake("adagrad_step", "forgot_sqrt", "Forgot the square root in the denominator.")
def _ada_no_sqrt(*, theta: Value, grad: Value, accum: Value, lr: float, eps: float, **_: Any) -> Answer:
    is_list, (theta_, g, accum_) = _arrays(theta, grad=grad, accum=accum)
    accum_new = accum_ + g**2
    return _ada_answer(theta_, g, lr, accum_new + eps, accum_new, is_list)


@mistake("adagrad_step", "decayed_like_rmsprop", "Averaged the squared gradients (0.9 / 0.1) as RMSProp does instead of summing them.")
def _ada_rmsprop(*, theta: Value, grad: Value, accum: Value, lr: float, eps: float, eps_inside_sqrt: bool) -> Answer:
    is_list, (theta_, g, accum_) = _arrays(theta, grad=grad, accum=accum)
    accum_new = 0.9 * accum_ + 0.1 * g**2
    return _ada_answer(theta_, g, lr, _ada_denominator(accum_new, eps, eps_inside_sqrt), accum_new, is_list)


# ---------------------------------------------------------------- L1 / L2 regularised steps

_LAM = Param("float", min=0, help="regularisation strength lambda")


def _l1_grad(lam: float) -> Any:
    return lambda w: lam * np.sign(w)


def _l2_grad(lam: float) -> Any:
    return lambda w: lam * w


def _regularized(theta: Value, grad: Value, lr: float, penalty_grad: Any) -> tuple[bool, Array, Array, Array, Array]:
    is_list, (theta_, g) = _arrays(theta, grad=grad)
    reg = penalty_grad(theta_)
    total = g + reg
    return is_list, theta_, reg, total, theta_ - lr * total


@solver("l1_regularized_step", params={"theta": _THETA, "grad": Param("number_or_vector", help="gradient of the data loss"),
                                       "lr": _LR, "lam": _LAM})
def l1_regularized_step(*, theta: Value, grad: Value, lr: float, lam: float) -> Solution:
    """L1-regularised step: g_total = grad + lam*sign(theta), theta_new = theta - lr*g_total.

    The penalty is lam * sum|theta_i|; its (sub)gradient at 0 is taken as 0, as torch.sign does.

    >>> l1_regularized_step(theta=[0.5, -2.0], grad=[0.1, 0.1], lr=0.1, lam=0.01).answer
    {'theta': [0.489, -2.009], 'grad': [0.11, 0.09000000000000001]}
    """
    is_list, theta_, reg, total, theta_new = _regularized(theta, grad, lr, _l1_grad(lam))
    steps = (
        _step("Penalty gradient", rf"\lambda\,\mathrm{{sign}}(\theta) = {num(lam)} \cdot \mathrm{{sign}}({_sub(theta_)})", reg, is_list),
        _step("Total gradient", r"g + \lambda\,\mathrm{sign}(\theta)", total, is_list),
        _step("Updated parameter", rf"\theta - \eta g_{{total}} = {_sub(theta_)} - {num(lr)} \cdot {_sub(total)}", theta_new, is_list),
    )
    return Solution({"theta": _out(theta_new, is_list), "grad": _out(total, is_list)}, steps)


@solver("l2_regularized_step", params={"theta": _THETA, "grad": Param("number_or_vector", help="gradient of the data loss"),
                                       "lr": _LR, "lam": _LAM})
def l2_regularized_step(*, theta: Value, grad: Value, lr: float, lam: float) -> Solution:
    """L2-regularised step: g_total = grad + lam*theta, theta_new = theta - lr*g_total.

    The penalty is (lam/2) * ||theta||^2, so its gradient is lam*theta: the
    same as ``torch.optim.SGD(weight_decay=lam)``.

    >>> l2_regularized_step(theta=2.0, grad=0.5, lr=0.1, lam=0.1).answer
    {'theta': 1.93, 'grad': 0.7}
    """
    is_list, theta_, reg, total, theta_new = _regularized(theta, grad, lr, _l2_grad(lam))
    steps = (
        _step("Penalty gradient", rf"\lambda \theta = {num(lam)} \cdot {_sub(theta_)}", reg, is_list),
        _step("Total gradient", r"g + \lambda \theta", total, is_list),
        _step("Updated parameter", rf"\theta - \eta g_{{total}} = {_sub(theta_)} - {num(lr)} \cdot {_sub(total)}", theta_new, is_list),
    )
    return Solution({"theta": _out(theta_new, is_list), "grad": _out(total, is_list)}, steps)


def _reg_answer(theta: Value, grad: Value, lr: float, penalty_grad: Any) -> Answer:
    is_list, _, _, total, theta_new = _regularized(theta, grad, lr, penalty_grad)
    return {"theta": _out(theta_new, is_list), "grad": _out(total, is_list)}


for _solver, _right in [("l1_regularized_step", _l1_grad), ("l2_regularized_step", _l2_grad)]:
    mistake(_solver, "forgot_regulariser", "Left out the regularisation term.")(
        lambda *, theta, grad, lr, lam: _reg_answer(theta, grad, lr, lambda w: 0 * w))
    mistake(_solver, "added_gradient", "Added the total gradient instead of subtracting it.")(
        lambda *, theta, grad, lr, lam, _right=_right: _reg_answer(theta, grad, -lr, _right(lam))
        | {"grad": _reg_answer(theta, grad, lr, _right(lam))["grad"]})

mistake("l1_regularized_step", "used_lambda_w", "Used lambda*w (the L2 gradient) for the L1 penalty.")(
    lambda *, theta, grad, lr, lam: _reg_answer(theta, grad, lr, _l2_grad(lam)))
mistake("l1_regularized_step", "used_lambda_only", "Added lambda without the sign of the weight.")(
    lambda *, theta, grad, lr, lam: _reg_answer(theta, grad, lr, lambda w: lam + 0 * w))
mistake("l2_regularized_step", "used_lambda_sign_w", "Used lambda*sign(w) (the L1 gradient) for the L2 penalty.")(
    lambda *, theta, grad, lr, lam: _reg_answer(theta, grad, lr, _l1_grad(lam)))
mistake("l2_regularized_step", "doubled_lambda", "Differentiated lambda*||w||^2 as 2*lambda*w (penalty without the 1/2).")(
    lambda *, theta, grad, lr, lam: _reg_answer(theta, grad, lr, _l2_grad(2 * lam)))


# ---------------------------------------------------------------- sigmoid neuron with momentum

def _neuron_run(
    *, x: list[float], y: float, w: list[float], b: float, velocity: Value | None, lr: float,
    momentum: float, k: int, loss: str, train_bias: bool, error: str | None = None,
) -> list[dict[str, Any]]:
    """Trace of k momentum iterations on a = sigmoid(w.x + b); ``error`` names a mistake (mistake models only)."""
    if len(x) != len(w):
        raise SolverError(f"Parameter 'x' has {len(x)} inputs but 'w' has {len(w)} weights.")
    if velocity is not None and (not isinstance(velocity, list) or len(velocity) != len(w)):
        raise SolverError(f"Parameter 'velocity' must be a list of {len(w)} numbers, one per weight.")
    w_ = np.asarray(w, dtype=np.float64)
    v = np.zeros_like(w_) if velocity is None else np.asarray(velocity, dtype=np.float64)
    x_ = np.asarray(x, dtype=np.float64)
    half = (loss == "half_mse") != (error == "wrong_loss_scaling")
    mask = np.eye(len(w))[-1] if error == "updated_only_last_weight" else np.ones(len(w))
    v_b, trace = 0.0, []
    for _ in range(k):
        z = dot(w_.tolist(), x) + b
        a = _sigmoid(z)
        rec: dict[str, Any] = {"z": z, "a": a, "loss": (0.5 if half else 1.0) * (a - y) ** 2,
                               "dL_da": (1.0 if half else 2.0) * (a - y),
                               "da_dz": 1.0 if error == "forgot_sigmoid_derivative" else a * (1 - a)}
        rec["dL_dz"] = rec["dL_da"] * rec["da_dz"]
        rec["dL_dw"] = rec["dL_dz"] * (np.ones_like(x_) if error == "forgot_input_factor" else x_)
        mu = 0.0 if error == "ignored_momentum" else momentum
        v_new = mu * v - lr * rec["dL_dw"] * mask
        w_ = w_ + (v if error == "updated_with_old_velocity" else v_new)
        v = rec["v"] = v_new
        rec["w"] = w_
        if train_bias:
            v_b = rec["v_b"] = mu * v_b - lr * rec["dL_dz"]
            b = rec["b"] = b + v_b
        trace.append(rec)
    return trace


def _neuron_answer(trace: list[dict[str, Any]], b: float) -> Answer:
    last = trace[-1]
    return {"w": [float(x) for x in last["w"]], "b": float(last.get("b", b)),
            "velocity": [float(x) for x in last["v"]], "losses": [float(r["loss"]) for r in trace]}


def _neuron_steps(rec: dict[str, Any], i: int, lr: float, momentum: float, loss: str) -> list[Step]:
    it = f"Iteration {i}: "
    loss_tex = r"\frac{1}{2}(\hat y - y)^2" if loss == "half_mse" else r"(\hat y - y)^2"
    dl_tex = r"\hat y - y" if loss == "half_mse" else r"2(\hat y - y)"
    steps = [
        Step(it + "pre-activation", rf"z = w \cdot x + b = {num(rec['z'])}", rec["z"]),
        Step(it + "output", rf"\hat y = \sigma(z) = \sigma({num(rec['z'])}) = {num(rec['a'])}", rec["a"]),
        Step(it + "loss", rf"L = {loss_tex} = {num(rec['loss'])}", rec["loss"]),
        Step(it + "dL/dy_hat", rf"\frac{{\partial L}}{{\partial \hat y}} = {dl_tex} = {num(rec['dL_da'])}", rec["dL_da"]),
        Step(it + "dy_hat/dz", rf"\sigma(z)(1-\sigma(z)) = {num(rec['da_dz'])}", rec["da_dz"]),
        Step(it + "dL/dz", rf"\frac{{\partial L}}{{\partial z}} = {num(rec['dL_da'])} \cdot {num(rec['da_dz'])} = {num(rec['dL_dz'])}", rec["dL_dz"]),
        Step(it + "dL/dw", rf"\frac{{\partial L}}{{\partial w}} = \frac{{\partial L}}{{\partial z}}\, x = {_sub(rec['dL_dw'])}", rec["dL_dw"].tolist()),
        Step(it + "velocity", rf"v = {num(momentum)}\, v - {num(lr)} \frac{{\partial L}}{{\partial w}} = {_sub(rec['v'])}", rec["v"].tolist()),
        Step(it + "weights", rf"w = w + v = {_sub(rec['w'])}", rec["w"].tolist()),
    ]
    if "b" in rec:
        steps.append(Step(it + "bias velocity", rf"v_b = {num(momentum)}\, v_b - {num(lr)} \frac{{\partial L}}{{\partial z}} = {num(rec['v_b'])}", rec["v_b"]))
        steps.append(Step(it + "bias", rf"b = b + v_b = {num(rec['b'])}", rec["b"]))
    return steps


@solver(
    "sigmoid_neuron_momentum_gd",
    params={
        "x": Param("vector", help="inputs"),
        "y": Param("float", help="target"),
        "w": Param("vector", help="initial weights"),
        "b": Param("float", 0.0, help="bias"),
        "lr": _LR,
        "momentum": _MOMENTUM,
        "k": Param("int", 1, min=1, max=MAX_ITERATIONS, help="number of iterations"),
        "loss": Param("str", "mse", choices=("mse", "half_mse"), help="mse: (y_hat - y)^2 (N = 1); half_mse: (1/2)(y_hat - y)^2"),
        "train_bias": Param("bool", False, help="also update b (its velocity starts at 0)"),
        "velocity": Param("number_or_vector", None, help="initial velocity of the weights [zeros]"),
    },
)
def sigmoid_neuron_momentum_gd(
    *, x: list[float], y: float, w: list[float], b: float, lr: float, momentum: float, k: int,
    loss: str, train_bias: bool, velocity: Value | None,
) -> Solution:
    """Momentum GD on one sigmoid neuron: y_hat = sigmoid(w.x + b), v = momentum*v - lr*dL/dw, w = w + v, k times.

    ``loss="mse"`` is the seeds' L = (1/N) sum (y - y_hat)^2 with N = 1. Answers the
    final ``w``, ``b``, ``velocity`` and the loss of each iteration (before its update).

    >>> sol = sigmoid_neuron_momentum_gd(x=[2.0, 5.0], y=0.5, w=[0.5, 0.2], b=0.1, lr=0.1,
    ...     momentum=0.5, k=2, loss="mse", train_bias=False, velocity=None)
    >>> [round(v, 4) for v in sol.answer["w"]]
    [0.4603, 0.1008]
    """
    trace = _neuron_run(x=x, y=y, w=w, b=b, velocity=velocity, lr=lr, momentum=momentum, k=k,
                        loss=loss, train_bias=train_bias)
    steps = [s for i, rec in enumerate(trace, 1) for s in _neuron_steps(rec, i, lr, momentum, loss)]
    return Solution(_neuron_answer(trace, b), tuple(steps))


for _name, _text in [
    ("wrong_loss_scaling", "Used the other MSE convention ((1/2)(y_hat - y)^2 instead of (y_hat - y)^2, or the reverse)."),
    ("updated_only_last_weight", "Updated only the asked-for (last) weight and kept the others at their initial values."),
    ("forgot_sigmoid_derivative", "Left out the sigmoid derivative a(1 - a) in the chain rule."),
    ("forgot_input_factor", "Used dL/dz as dL/dw, forgetting to multiply by the input x."),
    ("ignored_momentum", "Ignored the momentum term (plain gradient descent)."),
    ("updated_with_old_velocity", "Moved the weights with the old velocity instead of the new one."),
]:
    mistake("sigmoid_neuron_momentum_gd", _name, _text)(
        lambda *, _e=_name, **p: _neuron_answer(
            _neuron_run(**p, error=_e), p["b"]))
