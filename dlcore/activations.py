"""Activation functions, their derivatives, and softmax.

Conventions follow PyTorch: the derivative at the kink ``z = 0`` is the one of
the ``z <= 0`` branch (ReLU'(0) = 0, LeakyReLU'(0) = alpha), as autograd gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from dlcore.codegen import compiled, names, step_source, unpack
from dlcore.errors import SolverError
from dlcore.finite import all_finite, non_finite_error
from dlcore.fmt import num, nums, plain_g
from dlcore.pairwise import dot
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = [
    "ACTIVATIONS", "activate", "derivative", "paren", "activation", "activation_derivative", "softmax",
    "softmax_values", "activate_one",
]

Array = NDArray[np.float64]

_EXP_MAX = math.log(1.7976931348623157e308)  # e^z is finite up to here

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu")

_FORMULAS = {
    "sigmoid": (r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))"),
    "tanh": (r"\tanh(z)", r"\tanh'(z) = 1 - \tanh^2(z)"),
    "relu": (r"\max(0, z)", r"\mathrm{ReLU}'(z) = 1 \text{ if } z > 0 \text{ else } 0"),
    "leaky_relu": (r"z \text{ if } z > 0 \text{ else } \alpha z", r"f'(z) = 1 \text{ if } z > 0 \text{ else } \alpha"),
    "prelu": (r"z \text{ if } z > 0 \text{ else } \alpha z", r"f'(z) = 1 \text{ if } z > 0 \text{ else } \alpha"),
    "elu": (r"z \text{ if } z > 0 \text{ else } \alpha (e^{z} - 1)",
            r"f'(z) = 1 \text{ if } z > 0 \text{ else } \alpha e^{z}"),
    "linear": ("z", "f'(z) = 1"),
}


def activate(name: str, z: Array | float, alpha: float = 0.01) -> Array:
    """Value of activation ``name`` at ``z`` (elementwise); ``linear`` is the identity.

    >>> activate("relu", np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        e = np.exp(-np.abs(z))  # never overflows; sigma(z) = e^z / (1 + e^z) for z < 0
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name in ("leaky_relu", "prelu"):
        return np.where(z > 0, z, alpha * z)
    if name == "elu":
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))
    if name == "linear":
        return z
    raise SolverError(f"Unknown activation '{name}'.")


def derivative(name: str, z: Array | float, alpha: float = 0.01) -> Array:
    """Derivative of activation ``name`` with respect to its input, at ``z``.

    >>> derivative("sigmoid", np.array([0.0])).tolist()
    [0.25]
    """
    z = np.asarray(z, dtype=np.float64)
    a = activate(name, z, alpha)
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a**2
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if name in ("leaky_relu", "prelu"):
        return np.where(z > 0, 1.0, alpha)
    if name == "elu":
        return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))
    return np.ones_like(z)  # linear


def activate_one(name: str, z: float, alpha: float = 0.01) -> float:
    """``activate`` for one number, in plain Python (no array overhead for quiz-sized inputs).

    >>> activate_one("leaky_relu", -2.0, 0.1)
    -0.2
    """
    if name == "sigmoid":
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return z if z > 0 else 0.0
    if name in ("leaky_relu", "prelu"):
        return z if z > 0 else alpha * z
    if name == "elu":
        return z if z > 0 else alpha * math.expm1(z)
    if name == "linear":
        return z
    raise SolverError(f"Unknown activation '{name}'.")


def _out(x: Array, like: Any) -> Any:
    """Answer in the caller's form: a number for a number, a list for a list."""
    return x.tolist() if isinstance(like, list) else float(x)


_new = tuple.__new__  # builds a Step or Solution without the NamedTuple constructor's keyword handling


@lru_cache(maxsize=256)
def _fast_template(template: str) -> tuple[str, int]:
    """``template`` with ``%g`` fields instead of ``%s``, and the number of 'e' in its own text.

    ``%g`` is ``%.6g`` (precision 6 is its default) but a third faster: ``str %`` formats a float field
    with neither width nor precision straight into its output (95 against 137 ns a number).
    """
    if "n" in template or "-0" in template:
        raise ValueError("a _fill template must not contain 'n' or '-0'")
    return template.replace("%s", "%g"), template.count("e")


def _fill(template: str, values: tuple[float, ...], solver_name: str) -> str:
    """``template % tuple(nums(values))`` for a %s-template of float fields, in one ``%g`` (= ``%.6g``) pass when
    that writes what ``num`` writes (``fmt.plain_g``: no 'n' also means every value is finite).

    Raises :func:`non_finite_error` when a value is not finite.
    """
    fast, own_e = _fast_template(template)
    text = fast % values
    if plain_g(text, own_e):
        return text
    if not all_finite(values):
        raise non_finite_error(solver_name)
    return template % tuple(nums(values))


def paren(x: float) -> str:
    """``num(x)``, in parentheses when negative (for products and sums in LaTeX)."""
    return f"({num(x)})" if x < 0 else num(x)


@solver(
    "activation",
    params={
        "activation": Param("str", choices=ACTIVATIONS),
        "z": Param("number_or_vector", help="pre-activation value(s)"),
        "alpha": Param("float", 0.01, help="negative slope (leaky_relu, prelu) or scale (elu: usually 1)"),
    },
)
def activation(*, activation: str, z: float | list[float], alpha: float) -> Solution:
    """a = f(z) for f in sigmoid 1/(1+e^-z), tanh, relu max(0,z), leaky_relu/prelu (z or alpha*z), elu (z or alpha*(e^z-1)).

    >>> activation(activation="leaky_relu", z=[-7.0, 3.0], alpha=0.001).answer
    [-0.007, 3.0]
    """
    function = _FUNCTION_LATEX[activation]
    if activation in _WITH_ALPHA:
        function += r",\ \alpha = " + num(alpha)
    a: float | list[float]
    if isinstance(z, list):
        a = [activate_one(activation, v, alpha) for v in z]
        value = _fill(_vector_pair_latex(len(z)), (*z, *a), "activation")
    else:
        a = activate_one(activation, z, alpha)
        value = _fill("f(%s) = %s", (z, a), "activation")
    steps = (_new(Step, ("Activation function", function, activation)), _new(Step, ("Activation value", value, a)))
    return _new(Solution, (a, steps, True))  # _fill refused a non-finite a (alpha * z overflows for a huge alpha)


_WITH_ALPHA = frozenset({"leaky_relu", "prelu", "elu"})
_FUNCTION_LATEX = {name: "f(z) = " + formulas[0] for name, formulas in _FORMULAS.items()}


@lru_cache(maxsize=256)
def _vector_pair_latex(n: int) -> str:
    """``f([z_1, ..., z_n]) = [a_1, ..., a_n]`` as a %s-template."""
    row = "[" + ", ".join(["%s"] * n) + "]"
    return f"f({row}) = {row}"


def _mistake_activation(name: str, z: Any, alpha: float, fn: Any) -> Any:
    return _out(np.asarray(fn(np.asarray(z, dtype=np.float64)), dtype=np.float64), z)


@mistake("activation", "leaky_slope_on_positive_side", "Applied the slope alpha to positive inputs instead of negative ones.")
def _act_slope_wrong_side(*, activation: str, z: Any, alpha: float) -> Any:
    if activation not in ("leaky_relu", "prelu", "elu"):
        raise SolverError("not applicable")
    return _mistake_activation(activation, z, alpha, lambda v: np.where(v > 0, alpha * v, v))


@mistake("activation", "sigmoid_without_minus", "Computed the sigmoid as 1/(1+e^z).")
def _act_sigmoid_sign(*, activation: str, z: Any, alpha: float) -> Any:
    if activation != "sigmoid":
        raise SolverError("not applicable")
    return _mistake_activation(activation, z, alpha, lambda v: 1.0 / (1.0 + np.exp(v)))


@mistake("activation", "relu_for_every_activation", "Used max(0, z) whatever the activation.")
def _act_relu_always(*, activation: str, z: Any, alpha: float) -> Any:
    return _mistake_activation(activation, z, alpha, lambda v: np.maximum(v, 0.0))


@mistake("activation", "gave_derivative", "Gave the derivative f'(z) instead of the value f(z).")
def _act_derivative(*, activation: str, z: Any, alpha: float) -> Any:
    return _mistake_activation(activation, z, alpha, lambda v: derivative(activation, v, alpha))


@mistake("activation", "elu_without_minus_one", "Computed ELU for negative z as alpha*e^z, without the -1.")
def _act_elu_no_minus_one(*, activation: str, z: Any, alpha: float) -> Any:
    if activation != "elu":
        raise SolverError("not applicable")
    return _mistake_activation(activation, z, alpha, lambda v: np.where(v > 0, v, alpha * np.exp(np.minimum(v, 0.0))))


DERIVATIVE_ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu", "prelu", "elu")


@solver(
    "activation_derivative",
    params={
        "activation": Param("str", choices=DERIVATIVE_ACTIVATIONS),
        "w": Param("vector", help="weights"),
        "x": Param("vector", help="inputs, same length as w"),
        "b": Param("float", 0.0, help="bias"),
        "alpha": Param("float", 0.01, help="negative slope (leaky_relu, prelu) or scale (elu)"),
    },
)
def activation_derivative(*, activation: str, w: list[float], x: list[float], b: float, alpha: float) -> Solution:
    """f'(z) at z = w.x + b: tanh' = 1 - tanh(z)^2, sigmoid' = s(z)(1 - s(z)), relu' = [z > 0], leaky' = 1 or alpha.

    >>> round(activation_derivative(activation="tanh", w=[0.6, 1.5, -0.4, 0.8],
    ...                             x=[0.5, -0.7, 0.9, 0.3], b=0.0, alpha=0.01).answer, 4)
    0.5081
    """
    z = _pre_activation(w, x, b)
    a = float(activate(activation, z, alpha))
    d = float(derivative(activation, z, alpha))
    terms = " + ".join(rf"{paren(wi)} \cdot {paren(xi)}" for wi, xi in zip(w, x, strict=True))
    steps = (
        Step("Pre-activation", rf"z = w \cdot x + b = {terms} + {paren(b)} = {num(z)}", z),
        Step("Activation", rf"a = f({num(z)}) = {num(a)}", a),
        Step("Derivative", rf"{_FORMULAS[activation][1]} = {num(d)}", d),
    )
    return Solution(d, steps)


def _pre_activation(w: list[float], x: list[float], b: float) -> float:
    if len(w) != len(x):
        raise SolverError(f"The weights w ({len(w)} values) and inputs x ({len(x)} values) must have the same length.")
    return dot(w, x) + b


@mistake("activation_derivative", "used_pre_activation",
         "Plugged z instead of the activation a into the derivative formula (z(1-z) for sigmoid, 1-z^2 for tanh).")
def _deriv_pre_activation(*, activation: str, w: list[float], x: list[float], b: float, **_: Any) -> float:
    z = _pre_activation(w, x, b)
    if activation == "sigmoid":
        return z * (1.0 - z)
    if activation == "tanh":
        return 1.0 - z**2
    raise SolverError("not applicable")


@mistake("activation_derivative", "relu_prime_at_zero_is_one", "Took the derivative at z = 0 as 1.")
def _deriv_kink(*, activation: str, w: list[float], x: list[float], b: float, alpha: float) -> float:
    if activation not in ("relu", "leaky_relu", "prelu", "elu"):
        raise SolverError("not applicable")
    z = _pre_activation(w, x, b)
    return 1.0 if z == 0 else float(derivative(activation, z, alpha))


@mistake("activation_derivative", "sigmoid_prime_as_a_one_plus_a", "Wrote sigmoid' as a(1+a).")
def _deriv_sigmoid_plus(*, activation: str, w: list[float], x: list[float], b: float, **_: Any) -> float:
    if activation != "sigmoid":
        raise SolverError("not applicable")
    a = float(activate("sigmoid", _pre_activation(w, x, b)))
    return a * (1.0 + a)


@mistake("activation_derivative", "tanh_prime_without_square", "Wrote tanh' as 1 - tanh(z), without the square.")
def _deriv_tanh_no_square(*, activation: str, w: list[float], x: list[float], b: float, **_: Any) -> float:
    if activation != "tanh":
        raise SolverError("not applicable")
    return 1.0 - float(np.tanh(_pre_activation(w, x, b)))


@mistake("activation_derivative", "forgot_bias", "Left the bias out of z.")
def _deriv_no_bias(*, activation: str, w: list[float], x: list[float], alpha: float, **_: Any) -> float:
    return float(derivative(activation, _pre_activation(w, x, 0.0), alpha))


@mistake("activation_derivative", "gave_activation_value", "Gave the activation f(z) instead of its derivative.")
def _deriv_value(*, activation: str, w: list[float], x: list[float], b: float, alpha: float) -> float:
    return float(activate(activation, _pre_activation(w, x, b), alpha))


def softmax_values(logits: Array) -> Array:
    """Numerically stable softmax of a 1-D array."""
    shifted = np.exp(logits - np.max(logits))
    return shifted / shifted.sum()  # type: ignore[no-any-return]


@solver("softmax", params={"logits": Param("vector")})
def softmax(*, logits: list[float]) -> Solution:
    """p_i = exp(z_i) / sum_j exp(z_j).

    Worked as by hand (exponentiate, sum, normalise) while the largest logit lies within +-500, so that
    e^{z_i} and their sum stay finite; beyond, as exp(z_i - max z) / sum_j exp(z_j - max z), with the
    subtraction as a first step.

    >>> softmax(logits=[0.3, 0.3, 0.3, 0.3]).answer
    [0.25, 0.25, 0.25, 0.25]
    >>> [s.label for s in softmax(logits=[1000.0, 999.0]).steps][0]
    'Subtract the largest logit (does not change the result)'
    """
    return _softmax_solver(len(logits))(logits)


_SoftmaxFn = Callable[[list[float]], Solution]


def _softmax_general(logits: list[float]) -> Solution:
    """The softmax solution for any number of logits (see ``softmax``); ``_direct_source`` writes out the same."""
    z_max = max(logits)
    if not -_DIRECT_MAX <= z_max <= _DIRECT_MAX:
        return _softmax_shifted(logits, z_max)
    exps = list(map(math.exp, logits))
    total = sum(exps)  # >= e^{max z} > 0 and at most 100,000 e^500: finite
    p = [e / total for e in exps]
    e_tex, sum_tex, p_tex = _fill(_softmax_direct_latex(len(p)), (*exps, total, *p), "softmax").split(_SEP)
    return _new(Solution, (p, (
        _new(Step, (_SOFTMAX_LABELS[1], e_tex, exps)),
        _new(Step, (_SOFTMAX_LABELS[2], sum_tex, total)),
        _new(Step, (_SOFTMAX_LABELS[3], p_tex, p)),
    ), True))


def _softmax_shifted(logits: list[float], z_max: float) -> Solution:
    """The softmax solution as exp(z_i - max z) / sum_j exp(z_j - max z), for |max z| beyond _DIRECT_MAX."""
    shifted = [z - z_max for z in logits]
    exps = list(map(math.exp, shifted))  # z - max z <= 0: no overflow
    total = sum(exps)  # >= 1 (the largest logit contributes e^0): every p_i is finite
    p = [e / total for e in exps]
    # z - max z is the only number that can overflow (to -inf, e.g. -1e308 - 1e308): _fill refuses it.
    # It is -0.0 only for z = -0.0 when max z = 0.0.
    values = (z_max, *shifted, *exps, total, *p)
    texts = _fill(_softmax_latex(len(p), z_max < 0), values, "softmax").split(_SEP)
    steps = (
        _new(Step, (_SOFTMAX_LABELS[0], texts[0], shifted)),
        _new(Step, (_SOFTMAX_LABELS[1], texts[1], exps)),
        _new(Step, (_SOFTMAX_LABELS[2], texts[2], total)),
        _new(Step, (_SOFTMAX_LABELS[3], texts[3], p)),
    )
    return _new(Solution, (p, steps, True))  # every number checked by _fill (see Solution.checked)


_SEP = "\x00"
_SOFTMAX_LABELS = ("Subtract the largest logit (does not change the result)", "Exponentiate", "Sum of exponentials",
                   "Normalise")


_DIRECT_MAX = 500.0  # |max z| up to which softmax is worked without subtracting max z

# Up to this many logits, softmax is solved by a function written for the number of logits (_direct_source):
# the logits unpacked into locals, each e^{z_i} and p_i one expression, the step values list displays. With
# its cheaper text check that takes 1.7 us instead of 2.7 us for four logits (solve: 2.6 instead of 3.5 us);
# its source grows with n (compiled once per n: 0.16 ms at n = 4, 1.3 ms at n = 64).
_GENERATED = 64


@lru_cache(maxsize=64)
def _softmax_solver(n: int) -> _SoftmaxFn:
    """The function that solves softmax for ``n`` logits: written for ``n`` when it is quiz-sized."""
    if n > _GENERATED:
        return _softmax_general
    return cast(_SoftmaxFn, compiled(_direct_source(n), "softmax_n", _DIRECT_NAMES, f"softmax n={n}"))


# %g writes a number in [_PLAIN_MIN, _PLAIN_MAX) as num does: without an exponent (that needs a value that
# rounds, to 6 digits, below 1e-4 or to 1e6 and more), and an integer-valued one without a point, as str(int).
_PLAIN_MIN, _PLAIN_MAX = 1e-4, 999_999.0

_DIRECT_NAMES = {"exp": math.exp, "Solution": Solution, "_fill": _fill, "_softmax_shifted": _softmax_shifted,
                 "_DIRECT_MAX": _DIRECT_MAX, "_PLAIN_MIN": _PLAIN_MIN, "_PLAIN_MAX": _PLAIN_MAX}


def _direct_source(n: int) -> str:
    """Source of ``softmax_n(logits)`` for ``n`` logits: ``_softmax_general``'s numbers in the same order, written
    out. The source holds only ``n``-derived names and this module's own texts, never a logit's value.

    Its text is ``_fill``'s, decided by the numbers instead of the text (``fmt.plain_g``'s 'e' count costs
    more than 2n + 1 comparisons): e^{z_i}, their sum and p_i are finite and never negative (0 <= e^{z_i} <=
    e^500, e^{max z} <= sum < 100,000 e^500, 0 <= p_i <= 1), so %g writes no 'inf', 'nan' or '-0'; and
    with every e^{z_i} and p_i at least _PLAIN_MIN and the sum (so each e^{z_i}) below _PLAIN_MAX, no
    exponent either. Otherwise ``_fill`` writes the text, exactly.

    The e^{z_i} are taken first, and the range of max z is tested only when they are not all plain: a sum
    below _PLAIN_MAX and every e^{z_i} at least _PLAIN_MIN put every logit within (-10, 14), well inside
    +-_DIRECT_MAX. A logit above 709.78 makes ``exp`` raise OverflowError: the shifted solution then.
    """
    z, e, p = (names(c, n) for c in "zep")
    template = _softmax_direct_latex(n)
    fast = _fast_template(template)[0]
    numbers = f"({', '.join(e)}, total, {', '.join(p)})"
    normalise = [f"{a} = {b} / total" for a, b in zip(p, e, strict=True)] + [f"p = [{', '.join(p)}]"]
    return "\n".join([
        "def softmax_n(logits):",
        "    " + unpack(z, "logits"),
        "    try:",
        *[f"        {a} = exp({b})" for a, b in zip(e, z, strict=True)],
        "    except OverflowError:",
        "        return _softmax_shifted(logits, max(logits))",
        f"    exps = [{', '.join(e)}]",
        "    total = sum(exps)",  # the sum _softmax_general takes (Python's sum, not a written-out +)
        f"    if total < _PLAIN_MAX and {' and '.join([f'{name} >= _PLAIN_MIN' for name in e])}:",
        *[f"        {line}" for line in normalise],
        f"        if {' and '.join([f'{name} >= _PLAIN_MIN' for name in p])}:",
        f"            text = {fast!r} % {numbers}",
        "        else:",
        f"            text = _fill({template!r}, {numbers}, 'softmax')",
        "    elif -_DIRECT_MAX <= max(logits) <= _DIRECT_MAX:",
        *[f"        {line}" for line in normalise],
        f"        text = _fill({template!r}, {numbers}, 'softmax')",
        "    else:",
        "        return _softmax_shifted(logits, max(logits))",
        f"    e_tex, sum_tex, p_tex = text.split({_SEP!r})",
        "    return _new(Solution, (p, ("
        + ", ".join([step_source(_SOFTMAX_LABELS[1], "e_tex", "exps"), step_source(_SOFTMAX_LABELS[2], "sum_tex", "total"),
                     step_source(_SOFTMAX_LABELS[3], "p_tex", "p")]) + "), True))",
    ]) + "\n"


@lru_cache(maxsize=256)
def _softmax_direct_latex(n: int) -> str:
    """The LaTeX of the three steps of softmax worked by hand, one %s-template separated by _SEP.

    Its fields: the n exponentials, their sum, the n probabilities.
    """
    row = "[" + ", ".join(["%s"] * n) + "]"
    return _SEP.join([r"e^{z_i} = " + row, r"\sum_j e^{z_j} = %s", r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}} = " + row])


@lru_cache(maxsize=256)
def _softmax_latex(n: int, negative_max: bool) -> str:
    """The LaTeX of the four softmax steps for ``n`` logits as one %s-template, separated by _SEP.

    Its fields: max z, the n shifted logits, the n exponentials, their sum, the n probabilities.
    """
    row = "[" + ", ".join(["%s"] * n) + "]"
    return _SEP.join([
        ("z - (%s) = " if negative_max else "z - %s = ") + row,
        r"e^{z_i - \max z} = " + row,
        r"\sum_j e^{z_j - \max z} = %s",
        r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}} = " + row,
    ])


@mistake("softmax", "forgot_to_exponentiate", "Divided the logits by their sum without exponentiating.")
def _softmax_no_exp(*, logits: list[float]) -> list[float]:
    z = np.asarray(logits, dtype=np.float64)
    if z.sum() == 0:
        raise SolverError("not applicable")
    out: list[float] = (z / z.sum()).tolist()
    return out


@mistake("softmax", "elementwise_sigmoid", "Applied the sigmoid to each logit instead of softmax.")
def _softmax_sigmoid(*, logits: list[float]) -> list[float]:
    out: list[float] = activate("sigmoid", np.asarray(logits, dtype=np.float64)).tolist()
    return out


@mistake("softmax", "forgot_to_normalise", "Exponentiated the logits but did not divide by the sum.")
def _softmax_no_norm(*, logits: list[float]) -> list[float]:
    if max(logits) > _EXP_MAX:
        raise SolverError(f"e^z overflows for a logit above {_EXP_MAX:g}; the unnormalised exponentials are not finite.")
    return [math.exp(z) for z in logits]
