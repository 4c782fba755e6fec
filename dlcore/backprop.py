"""Backpropagation: one SGD step of a small MLP, gradients through a node, softmax cross-entropy.

Weights are stored as PyTorch's ``nn.Linear`` stores them: ``weights[out][in]``,
so ``z = W a + b``. Activation derivatives follow autograd (ReLU'(0) = 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from operator import mul
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dlcore.activations import activate_one, derivative, paren, softmax_values
from dlcore.errors import SolverError
from dlcore.fmt import num, nums
from dlcore.pairwise import dot
from dlcore.params import Param, validate
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = ["mlp_sgd_step", "multi_upstream_gradient", "softmax_cross_entropy"]

Array = NDArray[np.float64]

MLP_ACTIVATIONS = ("relu", "sigmoid", "tanh", "linear", "leaky_relu")
LOSSES = ("half_mse", "mse", "cross_entropy")
MAX_LAYERS = 32

_LAYER_SPEC = {
    "weights": Param("matrix", help="[out][in]"),
    "bias": Param("vector", None, help="[out]; zeros when left out"),
    "activation": Param("str", choices=MLP_ACTIVATIONS),
}
_LAYER_KEYS = _LAYER_SPEC.keys()
_check_w, _check_b, _check_act = (p.check for p in _LAYER_SPEC.values())


@dataclass(frozen=True)
class _Layer:
    w: list[list[float]]  # (n_out, n_in)
    b: list[float]  # (n_out,)
    act: str


@dataclass(frozen=True)
class _Variant:
    """How a mistaken student computes the step (all False: correctly)."""

    pre_activation_input: bool = False
    no_activation_derivative: bool = False
    relu_kink_one: bool = False
    plus_lr: bool = False
    flipped_loss_gradient: bool = False
    transposed_gradient: bool = False


@dataclass
class _Pass:
    """Every intermediate of one SGD step, as plain lists (quiz-sized networks: no array overhead)."""

    zs: list[list[float]] = field(default_factory=list)
    acts: list[list[float]] = field(default_factory=list)  # acts[0] = x, acts[l] = a of layer l
    loss: float = 0.0
    probs: list[float] | None = None
    dl_da: list[float] = field(default_factory=list)
    deltas: list[list[float]] = field(default_factory=list)  # dL/dz per layer, input-to-output order
    dl_da_prev: list[list[float]] = field(default_factory=list)
    grad_w: list[list[list[float]]] = field(default_factory=list)
    grad_b: list[list[float]] = field(default_factory=list)
    new_w: list[list[list[float]]] = field(default_factory=list)
    new_b: list[list[float]] = field(default_factory=list)


def _v(a: list[float]) -> str:
    return "[" + ", ".join(nums(a)) + "]"


def _m(a: list[list[float]]) -> str:
    return r"\begin{bmatrix} " + r" \\ ".join([" & ".join(nums(row)) for row in a]) + r" \end{bmatrix}"


def _parse_layers(layers: Any, n_in: int, n_out: int) -> list[_Layer]:
    if not isinstance(layers, list) or not layers:
        raise SolverError("Parameter 'layers' must be a non-empty list of {weights, bias, activation} objects.")
    if len(layers) > MAX_LAYERS:
        raise SolverError(f"Parameter 'layers' has {len(layers)} layers; the limit is {MAX_LAYERS}.")
    out: list[_Layer] = []
    width = n_in
    for i, raw in enumerate(layers):
        try:
            if type(raw) is dict and raw.keys() == _LAYER_KEYS:  # every key given: the checkers in validate's order
                w, bias = _check_w("weights", raw["weights"]), raw["bias"]
                if bias is not None:
                    bias = _check_b("bias", bias)
                act = _check_act("activation", raw["activation"])
            else:
                clean = validate(f"layers[{i}]", _LAYER_SPEC, raw)
                w, bias, act = clean["weights"], clean["bias"], clean["activation"]
        except SolverError as exc:
            raise SolverError(f"In layers[{i}]: {exc}") from exc
        if len(w[0]) != width:
            raise SolverError(f"layers[{i}] has weights with {len(w[0])} columns but receives {width} inputs.")
        b = [0.0] * len(w) if bias is None else bias
        if len(b) != len(w):
            raise SolverError(f"layers[{i}] has {len(w)} weight rows but {len(b)} biases.")
        out.append(_Layer(w, b, act))
        width = len(w)
    if width != n_out:
        raise SolverError(f"The last layer has {width} outputs but y has {n_out} values.")
    return out


def _check_target(y: list[float], loss: str) -> None:
    if loss == "cross_entropy" and (min(y) < 0 or not math.isclose(sum(y), 1.0, abs_tol=1e-9)):
        raise SolverError("For the cross_entropy loss, y must be a one-hot vector or probabilities that sum to 1.")


def _loss_and_grad(a: list[float], y: list[float], loss: str) -> tuple[float, list[float], list[float] | None]:
    """Loss value, dL/da of the network output, and softmax probabilities for cross-entropy."""
    d = [a_k - y_k for a_k, y_k in zip(a, y, strict=True)]
    if loss == "half_mse":
        return 0.5 * sum([d_k * d_k for d_k in d]), d, None
    if loss == "mse":
        return sum([d_k * d_k for d_k in d]) / len(d), [2.0 * d_k / len(d) for d_k in d], None
    a_max = max(a)
    exps = [math.exp(a_k - a_max) for a_k in a]
    total = sum(exps)
    p = [e / total for e in exps]
    log_total = math.log(total)
    return -sum([y_k * (a_k - a_max - log_total) for y_k, a_k in zip(y, a, strict=True)]), \
        [p_k - y_k for p_k, y_k in zip(p, y, strict=True)], p


def _log_softmax(z: Array) -> Array:
    shifted: Array = z - z.max()
    out: Array = shifted - np.log(np.sum(np.exp(shifted)))
    return out


def _local_slope(act: str, z: float, a: float, relu_kink_one: bool) -> float:
    """f'(z) from z and a = f(z), as autograd takes it (ReLU'(0) = 0; 1 for the relu_kink_one mistake)."""
    if act == "relu":
        return 1.0 if z > 0 or (relu_kink_one and z == 0) else 0.0
    if act == "sigmoid":
        return a * (1.0 - a)
    if act == "tanh":
        return 1.0 - a * a
    if act == "leaky_relu":
        return 1.0 if z > 0 else 0.01
    return 1.0  # linear


def _run_mlp(x: list[float], y: list[float], layers: list[_Layer], lr: float, loss: str, v: _Variant) -> _Pass:
    out = _Pass(acts=[x])
    for layer in layers:  # forward
        a_prev = out.acts[-1]
        z = [sum(map(mul, row, a_prev)) + b_i for row, b_i in zip(layer.w, layer.b, strict=True)]
        out.zs.append(z)
        out.acts.append([activate_one(layer.act, z_i) for z_i in z])
    out.loss, grad, out.probs = _loss_and_grad(out.acts[-1], y, loss)
    out.dl_da = [-g for g in grad] if v.flipped_loss_gradient else grad
    upstream = out.dl_da
    n = len(layers)
    out.deltas, out.grad_w, out.grad_b, out.dl_da_prev = [[]] * n, [[]] * n, [[]] * n, [[]] * n
    for i in reversed(range(n)):  # backward
        layer, z, a = layers[i], out.zs[i], out.acts[i + 1]
        if v.no_activation_derivative:
            delta = [u + 0.0 for u in upstream]  # +0.0 drops -0.0
        else:
            delta = [u * _local_slope(layer.act, z_k, a_k, v.relu_kink_one) + 0.0
                     for u, z_k, a_k in zip(upstream, z, a, strict=True)]
        a_prev = (out.zs[i - 1] if i > 0 else x) if v.pre_activation_input else out.acts[i]
        g_w = [[d * a_j + 0.0 for a_j in a_prev] for d in delta]  # (n_out, n_in)
        if v.transposed_gradient and len(g_w) == len(a_prev):
            g_w = [list(col) for col in zip(*g_w, strict=True)]
        out.deltas[i], out.grad_w[i], out.grad_b[i] = delta, g_w, delta
        upstream = [sum(map(mul, col, delta)) for col in zip(*layer.w, strict=True)]  # W^T delta
        out.dl_da_prev[i] = upstream
    step = lr if v.plus_lr else -lr
    out.new_w = [[[w_ij + step * g_ij for w_ij, g_ij in zip(w_row, g_row, strict=True)]
                  for w_row, g_row in zip(layer.w, g, strict=True)] for layer, g in zip(layers, out.grad_w, strict=True)]
    out.new_b = [[b_i + step * g_i for b_i, g_i in zip(layer.b, g, strict=True)]
                 for layer, g in zip(layers, out.grad_b, strict=True)]
    return out


def _mlp_answer(r: _Pass) -> dict[str, Any]:
    return {
        "loss": r.loss,
        "output": r.acts[-1],
        "gradients": [{"weights": w, "bias": b} for w, b in zip(r.grad_w, r.grad_b, strict=True)],
        "updated": [{"weights": w, "bias": b} for w, b in zip(r.new_w, r.new_b, strict=True)],
    }


_LOSS_TEX = {
    "half_mse": (r"L = \tfrac12 \sum_k (a_k - y_k)^2", r"\partial L/\partial a = a - y"),
    "mse": (r"L = \tfrac1n \sum_k (a_k - y_k)^2", r"\partial L/\partial a = \tfrac2n (a - y)"),
    "cross_entropy": (r"L = -\sum_k y_k \log \mathrm{softmax}(a)_k", r"\partial L/\partial a = \mathrm{softmax}(a) - y"),
}


def _mlp_steps(r: _Pass, layers: list[_Layer], lr: float, loss: str) -> list[Step]:
    steps: list[Step] = []
    for n, layer in enumerate(layers, start=1):
        steps.append(Step(f"Layer {n} pre-activation", rf"z^{{({n})}} = W^{{({n})}} a^{{({n - 1})}} + b^{{({n})}} = "
                          f"{_v(r.zs[n - 1])}", r.zs[n - 1]))
        steps.append(Step(f"Layer {n} activation ({layer.act})", rf"a^{{({n})}} = {_v(r.acts[n])}", r.acts[n]))
    if r.probs is not None:
        steps.append(Step("Softmax of the output", rf"p = \mathrm{{softmax}}(a) = {_v(r.probs)}", r.probs))
    steps.append(Step("Loss", rf"{_LOSS_TEX[loss][0]} = {num(r.loss)}", r.loss))
    steps.append(Step("Gradient of the loss w.r.t. the output", rf"{_LOSS_TEX[loss][1]} = {_v(r.dl_da)}", r.dl_da))
    for n in range(len(layers), 0, -1):
        i = n - 1
        steps.append(Step(f"Layer {n}: dL/dz", rf"\delta^{{({n})}} = \partial L/\partial a^{{({n})}} \odot f'(z^{{({n})}}) = "
                          f"{_v(r.deltas[i])}", r.deltas[i]))
        steps.append(Step(f"Layer {n}: dL/dW", rf"\partial L/\partial W^{{({n})}} = \delta^{{({n})}} a^{{({n - 1})\top}} = "
                          f"{_m(r.grad_w[i])}", r.grad_w[i]))
        steps.append(Step(f"Layer {n}: dL/db", rf"\partial L/\partial b^{{({n})}} = \delta^{{({n})}} = {_v(r.grad_b[i])}",
                          r.grad_b[i]))
        if n > 1:
            steps.append(Step(f"Layer {n - 1}: dL/da", rf"\partial L/\partial a^{{({n - 1})}} = W^{{({n})\top}} \delta^{{({n})}} = "
                              f"{_v(r.dl_da_prev[i])}", r.dl_da_prev[i]))
    lr_tex = num(lr)
    for n in range(1, len(layers) + 1):
        steps.append(Step(f"Layer {n}: updated weights", rf"W^{{({n})}} - {lr_tex} \, \partial L/\partial W^{{({n})}} = "
                          f"{_m(r.new_w[n - 1])}", r.new_w[n - 1]))
        steps.append(Step(f"Layer {n}: updated bias", rf"b^{{({n})}} - {lr_tex} \, \partial L/\partial b^{{({n})}} = "
                          f"{_v(r.new_b[n - 1])}", r.new_b[n - 1]))
    return steps


def _mlp_inputs(x: list[float], y: list[float], layers: Any, loss: str) -> tuple[list[float], list[float], list[_Layer]]:
    _check_target(y, loss)
    return x, y, _parse_layers(layers, len(x), len(y))


MLP_PARAMS = {
    "x": Param("vector", help="input"),
    "y": Param("vector", help="target (one-hot or probabilities for cross_entropy)"),
    "layers": Param("json", help='list of {"weights": [out][in], "bias": [out], "activation": ...}'),
    "lr": Param("float", min=0),
    "loss": Param("str", "half_mse", choices=LOSSES),
}


def _prepare_mlp(p: dict[str, Any]) -> dict[str, Any]:
    """Check the target and parse the layers once for the solver and all its mistakes."""
    _, _, parsed = _mlp_inputs(p["x"], p["y"], p["layers"], p["loss"])
    return {**p, "layers": parsed}


@solver("mlp_sgd_step", params=MLP_PARAMS, prepare=_prepare_mlp)
def mlp_sgd_step(*, x: list[float], y: list[float], layers: list[_Layer], lr: float, loss: str) -> Solution:
    """One SGD step: z = W a + b, a = f(z); delta = dL/da * f'(z); dL/dW = delta a_prev^T; W <- W - lr dL/dW.

    Losses: half_mse 1/2 sum (a - y)^2, mse mean (a - y)^2, cross_entropy -sum y log softmax(a).
    ``output`` is the last layer's activation (before any softmax of the loss).

    >>> from dlcore import solve
    >>> sol = solve("mlp_sgd_step", dict(x=[1.0, 1.0], y=[0.5], lr=0.5, loss="half_mse", layers=[
    ...     {"weights": [[0.1, 0.2], [-0.2, -0.1]], "bias": [0, 0], "activation": "relu"},
    ...     {"weights": [[0.5, 0.3]], "bias": [0], "activation": "linear"}]))
    >>> round(sol.answer["loss"], 5), [[round(w, 4) for w in row] for row in sol.answer["updated"][0]["weights"]]
    (0.06125, [[0.1875, 0.2875], [-0.2, -0.1]])
    """
    r = _run_mlp(x, y, layers, lr, loss, _Variant())
    return Solution(_mlp_answer(r), tuple(_mlp_steps(r, layers, lr, loss)))


def _mlp_mistake(variant: _Variant) -> Any:
    def fn(*, x: list[float], y: list[float], layers: list[_Layer], lr: float, loss: str) -> dict[str, Any]:
        return _mlp_answer(_run_mlp(x, y, layers, lr, loss, variant))
    return fn


_MLP_MISTAKES = {
    "used_pre_activation": ("Used the previous layer's pre-activation z instead of its activation a in dL/dW.",
                            replace(_Variant(), pre_activation_input=True)),
    "forgot_activation_derivative": ("Forgot to multiply by the activation derivative f'(z).",
                                     replace(_Variant(), no_activation_derivative=True)),
    "relu_prime_at_zero_is_one": ("Took ReLU'(0) = 1.", replace(_Variant(), relu_kink_one=True)),
    "updated_with_plus_lr": ("Updated with W + lr*dL/dW (gradient ascent).", replace(_Variant(), plus_lr=True)),
    "flipped_loss_gradient": ("Took dL/da as y - a instead of a - y.", replace(_Variant(), flipped_loss_gradient=True)),
    "transposed_weight_gradient": ("Swapped the indices of a square weight matrix's gradient (w_ij gets dL/dz_j * a_i).",
                                   replace(_Variant(), transposed_gradient=True)),
}
for _name, (_description, _variant) in _MLP_MISTAKES.items():
    mistake("mlp_sgd_step", _name, _description)(_mlp_mistake(_variant))


@solver(
    "multi_upstream_gradient",
    params={
        "upstream": Param("vector", help="upstream gradients dL/d(branch_i)"),
        "weights": Param("vector", None, help="d(branch_i)/da for each branch, e.g. the weight it is multiplied by; 1 each"),
        "activation": Param("str", "sigmoid", choices=("sigmoid", "tanh", "relu", "leaky_relu", "linear")),
        "at": Param("str", "output", choices=("output", "input"), help="gradient at the node's output a or input z"),
        "z": Param("float", None, help="node input (needed for at='input' unless a is given)"),
        "a": Param("float", None, help="node output value (alternative to z)"),
        "alpha": Param("float", 0.01, help="leaky_relu slope"),
    },
)
def multi_upstream_gradient(
    *, upstream: list[float], weights: list[float] | None, activation: str, at: str,
    z: float | None, a: float | None, alpha: float,
) -> Solution:
    """dL/da = sum_i w_i * UP_i over the branches a feeds; dL/dz = dL/da * f'(z) (at='input').

    >>> multi_upstream_gradient(upstream=[0.5, 0.4], weights=[0.25, -0.2], activation="sigmoid",
    ...                         at="output", z=None, a=None, alpha=0.01).answer  # 0.125 - 0.08
    0.044999999999999984
    """
    w = _branch_weights(upstream, weights)
    dl_da = dot(w, upstream)
    terms = " + ".join(rf"{paren(wi)} \cdot {paren(ui)}" for wi, ui in zip(w, upstream, strict=True))
    steps = [Step("Gradients from every branch add up at the node's output",
                  rf"\partial L/\partial a = \sum_i w_i \, UP_i = {terms} = {num(dl_da)}", dl_da)]
    if at == "output":
        return Solution(dl_da, tuple(steps))
    local = _local_derivative(activation, z, a, alpha)
    steps.append(Step("Local derivative of the node", rf"f'(z) = {num(local)}", local))
    steps.append(Step("Gradient at the node's input", rf"\partial L/\partial z = {num(dl_da)} \cdot {num(local)} = "
                      f"{num(dl_da * local)}", dl_da * local))
    return Solution(dl_da * local, tuple(steps))


def _branch_weights(upstream: list[float], weights: list[float] | None) -> list[float]:
    if weights is None:
        return [1.0] * len(upstream)
    if len(weights) != len(upstream):
        raise SolverError(f"Give one weight per upstream gradient: {len(weights)} weights for {len(upstream)} gradients.")
    return weights


def _local_derivative(activation: str, z: float | None, a: float | None, alpha: float) -> float:
    if z is not None:
        return float(derivative(activation, z, alpha))
    if a is None:
        raise SolverError("The gradient at the node's input needs the node's input z or its output a.")
    if activation == "sigmoid":
        return a * (1.0 - a)
    if activation == "tanh":
        return 1.0 - a**2
    if activation == "linear":
        return 1.0
    return 1.0 if a > 0 else (0.0 if activation == "relu" else alpha)


@mistake("multi_upstream_gradient", "averaged_upstream", "Averaged the branch gradients instead of adding them.")
def _mug_average(*, upstream: list[float], weights: list[float] | None, **params: Any) -> float:
    return _mug_with(upstream, weights, params, lambda parts: float(np.mean(parts)))


@mistake("multi_upstream_gradient", "ignored_branch_weights", "Added the upstream gradients without the branch weights.")
def _mug_no_weights(*, upstream: list[float], weights: list[float] | None, **params: Any) -> float:
    return _mug_with(upstream, None, params, lambda parts: float(np.sum(parts)))


@mistake("multi_upstream_gradient", "only_first_branch", "Used only the first branch's gradient.")
def _mug_first(*, upstream: list[float], weights: list[float] | None, **params: Any) -> float:
    return _mug_with(upstream, weights, params, lambda parts: float(parts[0]))


@mistake("multi_upstream_gradient", "output_input_confused",
         "Gave the gradient at the node's input when its output was asked, or the other way round.")
def _mug_confused(*, upstream: list[float], weights: list[float] | None, activation: str, at: str,
                  z: float | None, a: float | None, alpha: float) -> float:
    dl_da = dot(_branch_weights(upstream, weights), upstream)
    if z is None and a is None:
        raise SolverError("not applicable")
    return dl_da if at == "input" else dl_da * _local_derivative(activation, z, a, alpha)


def _mug_with(upstream: list[float], weights: list[float] | None, params: dict[str, Any], combine: Any) -> float:
    parts = np.asarray(_branch_weights(upstream, weights)) * np.asarray(upstream)
    dl_da: float = combine(parts)
    if params["at"] == "output":
        return dl_da
    return dl_da * _local_derivative(params["activation"], params["z"], params["a"], params["alpha"])


def _target_vector(target: float | list[float], k: int) -> Array:
    if isinstance(target, list):
        y = np.asarray(target, dtype=np.float64)
        if y.size != k:
            raise SolverError(f"The target has {y.size} values but there are {k} logits.")
        _check_target(y.tolist(), "cross_entropy")
        return y
    if not float(target).is_integer() or not 0 <= target < k:
        raise SolverError(f"The target class must be an integer index from 0 to {k - 1}, got {num(target)}.")
    one_hot: Array = np.eye(k)[int(target)]
    return one_hot


@solver(
    "softmax_cross_entropy",
    params={
        "logits": Param("vector"),
        "target": Param("number_or_vector", help="class index (from 0) or one-hot / probability vector"),
    },
)
def softmax_cross_entropy(*, logits: list[float], target: float | list[float]) -> Solution:
    """L = -sum_k y_k log p_k with p = softmax(z); dL/dz = p - y.

    >>> sol = softmax_cross_entropy(logits=[0.0, 0.0], target=1)
    >>> round(sol.answer["loss"], 6), sol.answer["gradient"]
    (0.693147, [0.5, -0.5])
    """
    z = np.asarray(logits, dtype=np.float64)
    y = _target_vector(target, z.size)
    p = softmax_values(z)
    log_p = _log_softmax(z)
    loss = -float(np.sum(y * log_p))
    grad = p - y
    steps = (
        Step("Target as a one-hot / probability vector", f"y = {_v(y.tolist())}", y.tolist()),
        Step("Softmax probabilities", rf"p = \mathrm{{softmax}}(z) = {_v(p.tolist())}", p.tolist()),
        Step("Cross-entropy loss", rf"L = -\sum_k y_k \log p_k = {num(loss)}", loss),
        Step("Gradient w.r.t. the logits", rf"\partial L/\partial z = p - y = {_v(grad.tolist())}", grad.tolist()),
    )
    return Solution({"loss": loss, "probabilities": p.tolist(), "gradient": grad.tolist()}, steps)


def _sce(logits: list[float], target: float | list[float], *, base: float = math.e, sign: float = 1.0,
         grad: Any = None) -> dict[str, Any]:
    z = np.asarray(logits, dtype=np.float64)
    y = _target_vector(target, z.size)
    p = softmax_values(z)
    g = p - y if grad is None else grad(p, y)
    log_p = _log_softmax(z) / math.log(base)
    return {"loss": -sign * float(np.sum(y * log_p)), "probabilities": p.tolist(), "gradient": g.tolist()}


@mistake("softmax_cross_entropy", "gradient_y_minus_p", "Took the gradient as y - p.")
def _sce_flipped(*, logits: list[float], target: float | list[float]) -> dict[str, Any]:
    return _sce(logits, target, grad=lambda p, y: y - p)


@mistake("softmax_cross_entropy", "gradient_without_target", "Took the gradient as p, forgetting to subtract y.")
def _sce_no_target(*, logits: list[float], target: float | list[float]) -> dict[str, Any]:
    return _sce(logits, target, grad=lambda p, y: p)


@mistake("softmax_cross_entropy", "forgot_minus_sign", "Wrote the loss as sum y log p (negative).")
def _sce_sign(*, logits: list[float], target: float | list[float]) -> dict[str, Any]:
    return _sce(logits, target, sign=-1.0)


@mistake("softmax_cross_entropy", "used_log10", "Used log base 10 instead of the natural log.")
def _sce_log10(*, logits: list[float], target: float | list[float]) -> dict[str, Any]:
    return _sce(logits, target, base=10.0)
