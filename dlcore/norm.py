"""Normalisation and regularisation: batch norm, layer norm, inverted dropout, mixup.

Batch statistics use the biased variance (divide by N), which is what PyTorch
normalises with in training mode (its *running* variance is the unbiased one).
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import accumulate, chain, pairwise
from operator import mul
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from dlcore.errors import SolverError
from dlcore.finite import all_finite, require_finite
from dlcore.fmt import nums, plain_g
from dlcore.pairwise import np_sum, plain_sum
from dlcore.params import MAX_ELEMENTS, Param
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = ["batchnorm", "batchnorm2d", "layernorm", "inverted_dropout", "mixup"]

Array = NDArray[np.float64]

_AFFINE = {
    "eps": Param("float", 0.0, min=0, help="added to the variance"),
    "gamma": Param("number_or_vector", 1.0, help="scale: one number or one per feature/channel"),
    "beta": Param("number_or_vector", 0.0, help="shift: one number or one per feature/channel"),
}


def _per_feature(name: str, value: float | list[float], n: int, what: str) -> Array:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 1 and arr.size != n:
        raise SolverError(f"Parameter '{name}' has {arr.size} values but there are {n} {what}.")
    return np.broadcast_to(arr, (n,))


def _normalize(x: Array, axes: tuple[int, ...], eps: float, *, ddof: int = 0,
               group: str = "group of values") -> tuple[Array, Array, Array]:
    """Mean, variance (divide by N - ddof) over ``axes`` and x_hat = (x - mean)/sqrt(var + eps)."""
    n = int(np.prod([x.shape[a] for a in axes]))
    if n - ddof <= 0:
        raise SolverError("The variance needs more values than this.")
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).sum(axis=axes, keepdims=True) / (n - ddof)
    if np.any(var + eps == 0):
        raise SolverError(f"A {group} has zero variance, so it cannot be normalised with eps = 0; give eps > 0.")
    return mean, var, (x - mean) / np.sqrt(var + eps)


def _per_feature_list(name: str, value: float | list[float], n: int, what: str) -> list[float]:
    """``_per_feature`` as a plain list: one number repeated n times, or a list of n numbers."""
    if type(value) is list:
        if len(value) != n:
            raise SolverError(f"Parameter '{name}' has {len(value)} values but there are {n} {what}.")
        return value
    return [float(value)] * n  # type: ignore[arg-type]


def _std(var: list[float], eps: float, group: str) -> list[float]:
    """sqrt(var + eps) of each group; a group of zero variance cannot be normalised without eps."""
    if 0.0 in [v + eps for v in var]:
        raise SolverError(f"A {group} has zero variance, so it cannot be normalised with eps = 0; give eps > 0.")
    return [math.sqrt(v + eps) for v in var]


def _bn_answer(mean: Array, var: Array, y: Array) -> dict[str, Any]:
    return {"mean": mean.ravel().tolist(), "var": var.ravel().tolist(), "normalized": (y + 0.0).tolist()}


@solver("batchnorm", params={"batch": Param("matrix", help="N rows (samples) of F features"), **_AFFINE})
def batchnorm(*, batch: list[list[float]], eps: float, gamma: float | list[float], beta: float | list[float]) -> Solution:
    """Per feature j over the batch: mu_j = mean_i x_ij, var_j = mean_i (x_ij - mu_j)^2, y = gamma (x - mu)/sqrt(var + eps) + beta.

    >>> batchnorm(batch=[[4, 4, 3], [0, 2, 5], [8, 9, 1]], eps=0.0, gamma=1.0, beta=0.0).answer["mean"]
    [4.0, 5.0, 3.0]
    """
    n, n_f = len(batch), len(batch[0])
    g, b = _per_feature_list("gamma", gamma, n_f, "features"), _per_feature_list("beta", beta, n_f, "features")
    flat = list(chain.from_iterable(batch))  # (N, F) row by row; column j is flat[j::n_f]
    mean = [sum(flat[j::n_f]) / n for j in range(n_f)]
    dev = [v - mu for v, mu in zip(flat, mean * n, strict=True)]
    sq = list(map(mul, dev, dev))
    var = [sum(sq[j::n_f]) / n for j in range(n_f)]
    sd = _std(var, eps, "feature")
    x_hat = [d / s for d, s in zip(dev, sd * n, strict=True)]
    y = [gj * v + bj + 0.0 for v, gj, bj in zip(x_hat, g * n, b * n, strict=True)]  # + 0.0: no -0
    return _norm_solution(
        "batchnorm", mean, var, eps, x_hat, y, n_f,
        (r"Mean of each feature over the batch", r"\mu = \frac1N \sum_i x_i = "),
        (r"Biased variance of each feature", r"\sigma^2 = \frac1N \sum_i (x_i - \mu)^2 = "),
        r"\hat x = \frac{x - \mu}{\sqrt{\sigma^2 + %s}} = ")


def _norm_solution(solver_name: str, mean: list[float], var: list[float], eps: float, x_hat: list[float],
                   y: list[float], width: int, mean_step: tuple[str, str], var_step: tuple[str, str],
                   normalise: str) -> Solution:
    """The checked solution of batch and layer norm (x_hat and y row by row, rows of ``width``): its four steps,
    every number formatted once."""
    require_finite(solver_name, mean, var, x_hat, y)
    n_m, n_rows = len(mean), len(x_hat) // width
    template = _NORM_TEMPLATES.get((n_m, n_rows, width))
    if template is None:
        template = _norm_template(n_m, n_rows, width)
    text = template % (*mean, *var, eps, *x_hat, *y)
    if plain_g(text):
        mean_tex, var_tex, eps_tex, x_hat_tex, y_tex = text.split(_SEP)
    else:  # exponents, -0, inf or nan: num's own formatting
        n_xh = n_rows * width
        texts = nums([eps, *mean, *var, *x_hat, *y])
        eps_tex = texts[0]
        mean_tex = "[" + ", ".join(texts[1:1 + n_m]) + "]"
        var_tex = "[" + ", ".join(texts[1 + n_m:1 + 2 * n_m]) + "]"
        x_hat_tex = _bmatrix_body(texts[1 + 2 * n_m:1 + 2 * n_m + n_xh], width)
        y_tex = _bmatrix_body(texts[1 + 2 * n_m + n_xh:], width)
    y_rows = _rows(y, width)
    steps = (
        _new(Step, (mean_step[0], mean_step[1] + mean_tex, mean)),
        _new(Step, (var_step[0], var_step[1] + var_tex, var)),
        _new(Step, ("Normalise", normalise % eps_tex + _BEGIN + x_hat_tex + _END, _rows(x_hat, width))),
        _new(Step, ("Scale and shift", r"y = \gamma \hat x + \beta = " + _BEGIN + y_tex + _END, y_rows)),
    )
    return _new(Solution, ({"mean": mean, "var": var, "normalized": y_rows}, steps, True))


def _rows(flat: list[float], width: int) -> list[list[float]]:
    return [flat[i:i + width] for i in range(0, len(flat), width)]


_BEGIN, _END = r"\begin{bmatrix} ", r" \end{bmatrix}"
_NORM_TEMPLATES: dict[tuple[int, int, int], str] = {}


def _bmatrix_body(texts: list[str], width: int) -> str:
    return r" \\ ".join([" & ".join(texts[i:i + width]) for i in range(0, len(texts), width)])


def _norm_template(n_m: int, n_rows: int, width: int) -> str:
    """The numbers of the four norm steps as one ``%`` template: means, variances, eps, x_hat, y (joined by _SEP)."""
    body = _bmatrix_body(["%g"] * (n_rows * width), width)
    template = _SEP.join([_g_list(n_m), _g_list(n_m), "%g", body, body])
    if len(_NORM_TEMPLATES) < 256:  # templates of the common sizes, never results
        _NORM_TEMPLATES[(n_m, n_rows, width)] = template
    return template


def _bn_mistake(batch: list[list[float]], eps: float, gamma: Any, beta: Any, *, axes: tuple[int, ...] = (0,),
                ddof: int = 0, affine: bool = True) -> dict[str, Any]:
    x = np.asarray(batch, dtype=np.float64)
    g, b = _per_feature("gamma", gamma, x.shape[1], "features"), _per_feature("beta", beta, x.shape[1], "features")
    mean, var, x_hat = _normalize(x, axes, eps, ddof=ddof)
    return _bn_answer(mean, var, g * x_hat + b if affine else x_hat)


@mistake("batchnorm", "unbiased_variance", "Divided the variance by N - 1 instead of N.")
def _bn_unbiased(*, batch: list[list[float]], eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn_mistake(batch, eps, gamma, beta, ddof=1)


@mistake("batchnorm", "forgot_eps", "Left eps out of the square root.")
def _bn_no_eps(*, batch: list[list[float]], eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn_mistake(batch, 0.0, gamma, beta)


@mistake("batchnorm", "normalised_over_features", "Took the statistics of each sample over its features instead of over the batch.")
def _bn_over_features(*, batch: list[list[float]], eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn_mistake(batch, eps, gamma, beta, axes=(1,))


@mistake("batchnorm", "forgot_gamma_beta", "Gave the normalised x_hat without the scale gamma and shift beta.")
def _bn_no_affine(*, batch: list[list[float]], eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn_mistake(batch, eps, gamma, beta, affine=False)


def _tensor4(name: str, value: Any) -> Array:
    def numbers_only(v: Any, depth: int) -> bool:
        if depth == 0:
            return isinstance(v, (int, float)) and not isinstance(v, bool)
        return isinstance(v, list) and len(v) > 0 and all(numbers_only(item, depth - 1) for item in v)

    message = f"Parameter '{name}' must be a 4-D list N x C x H x W of numbers with equal lengths along each axis."
    if not numbers_only(value, 4):
        raise SolverError(message)
    try:
        x = np.array(value, dtype=np.float64)
    except ValueError as exc:
        raise SolverError(message) from exc
    if x.ndim != 4 or x.size > MAX_ELEMENTS or not np.all(np.isfinite(x)):
        raise SolverError(message)
    return x


_ONLY_LISTS = frozenset({list})
_ONLY_FLOATS = frozenset({float})


def _tensor4_flat(name: str, value: Any) -> tuple[list[float], tuple[int, int, int, int]]:
    """The numbers of a 4-D list in C order and its shape (N, C, H, W); raises as ``_tensor4`` does.

    The common input, equal-length lists of floats, is checked level by level in C-level passes;
    anything else (ints, bad input) goes through ``_tensor4``.
    """
    if type(value) is list and value:
        level, shape = value, [len(value)]
        for _ in range(3):  # samples -> planes -> rows -> numbers
            if set(map(type, level)) != _ONLY_LISTS:
                break
            sizes = set(map(len, level))
            if len(sizes) != 1 or 0 in sizes:
                break
            shape.append(sizes.pop())
            level = list(chain.from_iterable(level))
        else:
            if set(map(type, level)) == _ONLY_FLOATS and len(level) <= MAX_ELEMENTS and all_finite(level):
                return level, (shape[0], shape[1], shape[2], shape[3])
    t = _tensor4(name, value)
    n, c, h, w = t.shape
    return t.ravel().tolist(), (n, c, h, w)


class _Layout(NamedTuple):
    """Index tables of a C-order (N, C, H, W) tensor held as one flat list; they depend on the shape only."""

    plane: int  # H * W
    channel: tuple[int, ...]  # the channel of each number
    channel_planes: tuple[tuple[slice, ...], ...]  # per channel, its H x W plane of each sample in the flat list
    rows: tuple[slice, ...]  # each row of W in the flat list
    plane_rows: tuple[slice, ...]  # the H rows of each plane in the list of rows
    sample_planes: tuple[slice, ...]  # the C planes of each sample in the list of planes


@lru_cache(maxsize=256)  # keyed on the shape only
def _layout(n: int, c: int, h: int, w: int) -> _Layout:
    """The index tables of shape (n, c, h, w)."""
    plane, total = h * w, n * c * h * w
    return _Layout(
        plane,
        tuple([i // plane % c for i in range(total)]),
        tuple([tuple([slice(p * plane, (p + 1) * plane) for p in range(k, n * c, c)]) for k in range(c)]),
        tuple([slice(i, i + w) for i in range(0, total, w)]),
        tuple([slice(i, i + h) for i in range(0, n * c * h, h)]),
        tuple([slice(i, i + c) for i in range(0, n * c, c)]),
    )


def _nest4(flat: list[float], layout: _Layout) -> list[Any]:
    """The flat list as nested lists N x C x H x W."""
    rows = list(map(flat.__getitem__, layout.rows))
    planes = list(map(rows.__getitem__, layout.plane_rows))
    return list(map(planes.__getitem__, layout.sample_planes))


def _channel_means(flat: list[float], layout: _Layout, count: int) -> list[float]:
    """``x.mean(axis=(0, 2, 3))`` of a C-order (N, C, H, W) tensor to the last bit, summed in numpy's order.

    numpy sums each H x W plane pairwise and adds the planes of a channel one by one; with a single
    channel the whole tensor is one contiguous run, summed pairwise at once.
    """
    if len(layout.channel_planes) == 1:
        return [(0.0 + np_sum(flat, 0, len(flat))) / count]
    plane = layout.plane
    if plane < 8:  # a plain sum, as np_sum does it
        return [plain_sum(map(plain_sum, map(flat.__getitem__, planes))) / count for planes in layout.channel_planes]
    return [plain_sum([np_sum(flat, s.start, plane) for s in planes]) / count for planes in layout.channel_planes]


@solver("batchnorm2d", params={"x": Param("json", help="N x C x H x W nested lists"), **_AFFINE})
def batchnorm2d(*, x: Any, eps: float, gamma: float | list[float], beta: float | list[float]) -> Solution:
    """Per channel c over (N, H, W): mu_c = mean x[:, c], var_c = mean (x[:, c] - mu_c)^2, y = gamma_c (x - mu_c)/sqrt(var_c + eps) + beta_c.

    >>> batchnorm2d(x=[[[[1, 3]], [[0, 0.5]]], [[[5, 7]], [[1, 0.5]]]], eps=0.0, gamma=1.0, beta=0.0).answer["mean"]
    [4.0, 0.5]
    """
    flat, (n, n_c, h, w) = _tensor4_flat("x", x)
    g = _per_feature_list("gamma", gamma, n_c, "channels")
    b = _per_feature_list("beta", beta, n_c, "channels")
    layout = _layout(n, n_c, h, w)
    channel, count = layout.channel, n * h * w
    mean = _channel_means(flat, layout, count)
    dev = [v - mean[c] for v, c in zip(flat, channel, strict=True)]
    var = _channel_means(list(map(mul, dev, dev)), layout, count)
    sd = _std(var, eps, "channel")
    x_hat = [d / sd[c] for d, c in zip(dev, channel, strict=True)]
    y = [g[c] * v + b[c] + 0.0 for v, c in zip(x_hat, channel, strict=True)]  # + 0.0: no -0
    require_finite("batchnorm2d", mean, var, x_hat, y)
    mean_tex, var_tex = _vec_pair(mean, var)
    y_4d = _nest4(y, layout)
    steps = (
        _new(Step, ("Mean of each channel over batch, height and width", _BN2D_MEAN + mean_tex, mean)),
        _new(Step, ("Biased variance of each channel", _BN2D_VAR + var_tex, var)),
        _new(Step, ("Normalise", r"\hat x = (x - \mu_c)/\sqrt{\sigma_c^2 + \epsilon}", _nest4(x_hat, layout))),
        _new(Step, ("Scale and shift", r"y = \gamma_c \hat x + \beta_c", y_4d)),
    )
    return _new(Solution, ({"mean": mean, "var": var, "normalized": y_4d}, steps, True))


_BN2D_MEAN = r"\mu_c = \frac{1}{NHW} \sum x_{n,c,h,w} = "
_BN2D_VAR = r"\sigma_c^2 = \frac{1}{NHW} \sum (x - \mu_c)^2 = "


@lru_cache(maxsize=256)
def _vec_pair_template(n: int) -> str:
    return _g_list(n) + _SEP + _g_list(n)


def _vec_pair(a: list[float], b: list[float]) -> tuple[str, str]:
    """``vec(a), vec(b)`` for two lists of n floats, every number formatted once."""
    text = _vec_pair_template(len(a)) % (*a, *b)
    if plain_g(text):
        a_tex, b_tex = text.split(_SEP)
        return a_tex, b_tex
    texts = nums(a + b)  # exponents, -0, inf or nan: num's own formatting
    return "[" + ", ".join(texts[:len(a)]) + "]", "[" + ", ".join(texts[len(a):]) + "]"


def _bn2d_mistake(x: Any, eps: float, gamma: Any, beta: Any, *, axes: tuple[int, ...] = (0, 2, 3),
                  ddof: int = 0) -> dict[str, Any]:
    t = _tensor4("x", x)
    g = _per_feature("gamma", gamma, t.shape[1], "channels")[None, :, None, None]
    b = _per_feature("beta", beta, t.shape[1], "channels")[None, :, None, None]
    mean, var, x_hat = _normalize(t, axes, eps, ddof=ddof)
    return _bn_answer(mean, var, g * x_hat + b)


@mistake("batchnorm2d", "unbiased_variance", "Divided the variance by NHW - 1 instead of NHW.")
def _bn2d_unbiased(*, x: Any, eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn2d_mistake(x, eps, gamma, beta, ddof=1)


@mistake("batchnorm2d", "forgot_eps", "Left eps out of the square root.")
def _bn2d_no_eps(*, x: Any, eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn2d_mistake(x, 0.0, gamma, beta)


@mistake("batchnorm2d", "statistics_per_image", "Took statistics per image and channel (instance norm) instead of over the batch.")
def _bn2d_per_image(*, x: Any, eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn2d_mistake(x, eps, gamma, beta, axes=(2, 3))


@mistake("batchnorm2d", "ignored_spatial_positions", "Averaged over the batch only, separately at each pixel.")
def _bn2d_batch_only(*, x: Any, eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _bn2d_mistake(x, eps, gamma, beta, axes=(0,))


@solver("layernorm", params={"x": Param("matrix", help="one sample per row, F features"), **_AFFINE})
def layernorm(*, x: list[list[float]], eps: float, gamma: float | list[float], beta: float | list[float]) -> Solution:
    """Per sample i over its features: mu_i = mean_j x_ij, var_i = mean_j (x_ij - mu_i)^2, y = gamma (x - mu_i)/sqrt(var_i + eps) + beta.

    >>> layernorm(x=[[1.0, 3.0]], eps=0.0, gamma=1.0, beta=0.0).answer
    {'mean': [2.0], 'var': [1.0], 'normalized': [[-1.0, 1.0]]}
    """
    n, n_f = len(x), len(x[0])
    g, b = _per_feature_list("gamma", gamma, n_f, "features"), _per_feature_list("beta", beta, n_f, "features")
    mean = [sum(row) / n_f for row in x]
    dev = [v - mu for row, mu in zip(x, mean, strict=True) for v in row]  # (N, F) row by row
    sq = list(map(mul, dev, dev))
    var = [sum(sq[i:i + n_f]) / n_f for i in range(0, len(sq), n_f)]
    sd = _std(var, eps, "sample")
    x_hat = [(v - mu) / s for row, mu, s in zip(x, mean, sd, strict=True) for v in row]
    y = [gj * v + bj + 0.0 for v, gj, bj in zip(x_hat, g * n, b * n, strict=True)]  # + 0.0: no -0
    return _norm_solution(
        "layernorm", mean, var, eps, x_hat, y, n_f,
        (r"Mean of each sample over its features", r"\mu_i = \frac1F \sum_j x_{ij} = "),
        (r"Biased variance of each sample", r"\sigma_i^2 = \frac1F \sum_j (x_{ij} - \mu_i)^2 = "),
        r"\hat x = \frac{x - \mu_i}{\sqrt{\sigma_i^2 + %s}} = ")


def _ln_mistake(x: list[list[float]], eps: float, gamma: Any, beta: Any, *, axes: tuple[int, ...] = (1,),
                ddof: int = 0) -> dict[str, Any]:
    a = np.asarray(x, dtype=np.float64)
    g, b = _per_feature("gamma", gamma, a.shape[1], "features"), _per_feature("beta", beta, a.shape[1], "features")
    mean, var, x_hat = _normalize(a, axes, eps, ddof=ddof)
    return _bn_answer(mean, var, g * x_hat + b)


@mistake("layernorm", "normalised_over_batch", "Took the statistics of each feature over the batch (batch norm).")
def _ln_over_batch(*, x: list[list[float]], eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _ln_mistake(x, eps, gamma, beta, axes=(0,))


@mistake("layernorm", "unbiased_variance", "Divided the variance by F - 1 instead of F.")
def _ln_unbiased(*, x: list[list[float]], eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _ln_mistake(x, eps, gamma, beta, ddof=1)


@mistake("layernorm", "forgot_eps", "Left eps out of the square root.")
def _ln_no_eps(*, x: list[list[float]], eps: float, gamma: Any, beta: Any) -> dict[str, Any]:
    return _ln_mistake(x, 0.0, gamma, beta)


def _dropout_inputs(a: list[float], mask: list[int]) -> tuple[Array, Array]:
    if len(mask) != len(a):
        raise SolverError(f"The mask has {len(mask)} values but there are {len(a)} activations.")
    if any(m not in (0, 1) for m in mask):
        raise SolverError("The mask must contain only 0 (dropped) and 1 (kept).")
    return np.asarray(a, dtype=np.float64), np.asarray(mask, dtype=np.float64)


@solver(
    "inverted_dropout",
    params={
        "a": Param("vector", help="activations"),
        "mask": Param("int_list", help="1 = kept, 0 = dropped"),
        "keep_prob": Param("float", min=0, max=1, positive=True, help="probability p of KEEPING a unit"),
    },
)
def inverted_dropout(*, a: list[float], mask: list[int], keep_prob: float) -> Solution:
    """Training-time inverted dropout: out = a * mask / p (p = keep probability); E[out] = p * a/p = a, so test time uses a unchanged.

    >>> inverted_dropout(a=[1.0, 2.0, 3.0, 4.0], mask=[1, 0, 1, 1], keep_prob=0.8).answer
    [1.25, 0.0, 3.75, 5.0]
    """
    if len(mask) != len(a):
        raise SolverError(f"The mask has {len(mask)} values but there are {len(a)} activations.")
    if not set(mask) <= _BITS:
        raise SolverError("The mask must contain only 0 (dropped) and 1 (kept).")
    kept = list(map(mul, a, mask))  # a * 0 keeps the sign of a (-0.0), as numpy does
    out = [v / keep_prob for v in kept]
    require_finite("inverted_dropout", out)  # kept is a or 0 (finite)
    n = len(a)
    template = _DROP_TEMPLATES.get(n)
    if template is None:
        template = _drop_template(n)
    text = template % (*kept, keep_prob, *out, *a)  # every number formatted once
    if plain_g(text):
        kept_tex, out_tex, a_tex = text.split(_SEP)
    else:  # exponents, -0, inf or nan: num's own formatting
        texts = nums([keep_prob, *kept, *out, *a])
        k_tex, o_tex, a_tex = (", ".join(texts[i:i + n]) for i in (1, 1 + n, 1 + 2 * n))
        kept_tex = r"a \odot m = [" + k_tex + "]"
        out_tex = r"\frac{a \odot m}{" + texts[0] + "} = [" + o_tex + "]"
        a_tex = "[" + a_tex + "]"
    steps = (
        _new(Step, ("Drop the masked units", kept_tex, kept)),
        _new(Step, ("Scale the kept units by 1/p", out_tex, out)),
        _new(Step, ("Expected value over random masks (why no scaling is needed at test time)", _EXPECTED + a_tex, a)),
    )
    return _new(Solution, (out, steps, True))


_BITS = frozenset({0, 1})
_EXPECTED = r"E[\text{out}_i] = p \cdot \frac{a_i}{p} + (1 - p) \cdot 0 = a_i = "
_DROP_TEMPLATES: dict[int, str] = {}


def _drop_template(n: int) -> str:
    """The LaTeX of the dropout steps as one ``%`` template (the steps joined by _SEP; the last without its prefix)."""
    v = _g_list(n)
    template = r"a \odot m = " + v + _SEP + r"\frac{a \odot m}{%g} = " + v + _SEP + v
    if len(_DROP_TEMPLATES) < 256:  # templates of the common sizes, never results
        _DROP_TEMPLATES[n] = template
    return template


@mistake("inverted_dropout", "multiplied_by_keep_prob", "Multiplied the kept units by p (test-time scaling of plain dropout).")
def _drop_times_p(*, a: list[float], mask: list[int], keep_prob: float) -> list[float]:
    x, m = _dropout_inputs(a, mask)
    out: list[float] = (x * m * keep_prob).tolist()
    return out


@mistake("inverted_dropout", "divided_by_drop_prob", "Divided by the drop probability 1 - p instead of the keep probability p.")
def _drop_over_drop_prob(*, a: list[float], mask: list[int], keep_prob: float) -> list[float]:
    x, m = _dropout_inputs(a, mask)
    if keep_prob == 1:
        raise SolverError("not applicable")
    out: list[float] = (x * m / (1 - keep_prob)).tolist()
    return out


@mistake("inverted_dropout", "forgot_to_scale", "Applied the mask without scaling by 1/p.")
def _drop_no_scale(*, a: list[float], mask: list[int], keep_prob: float) -> list[float]:
    x, m = _dropout_inputs(a, mask)
    out: list[float] = (x * m).tolist()
    return out


@mistake("inverted_dropout", "forgot_the_mask", "Scaled every unit by 1/p without dropping the masked ones.")
def _drop_no_mask(*, a: list[float], mask: list[int], keep_prob: float) -> list[float]:
    x, _ = _dropout_inputs(a, mask)
    out: list[float] = (x / keep_prob).tolist()
    return out


def _mix(x1: list[float], y1: list[float], x2: list[float], y2: list[float], w1: float, w2: float) -> dict[str, Any]:
    if len(x1) != len(x2) or len(y1) != len(y2):
        raise SolverError("x1 and x2 must have the same length, and so must y1 and y2.")
    return {"x": (w1 * np.asarray(x1) + w2 * np.asarray(x2)).tolist(),
            "y": (w1 * np.asarray(y1) + w2 * np.asarray(y2)).tolist()}


@solver(
    "mixup",
    params={
        "x1": Param("vector"), "y1": Param("vector"), "x2": Param("vector"), "y2": Param("vector"),
        "lam": Param("float", min=0, max=1, help="weight of sample 1"),
    },
)
def mixup(*, x1: list[float], y1: list[float], x2: list[float], y2: list[float], lam: float) -> Solution:
    """x = lam x1 + (1 - lam) x2, y = lam y1 + (1 - lam) y2.

    >>> mixup(x1=[0.2, 0.4], y1=[1.0, 0.0], x2=[0.8, 0.7], y2=[0.0, 1.0], lam=0.5).answer
    {'x': [0.5, 0.55], 'y': [0.5, 0.5]}
    """
    if len(x1) != len(x2) or len(y1) != len(y2):
        raise SolverError("x1 and x2 must have the same length, and so must y1 and y2.")
    w2 = 1.0 - lam
    x = [lam * u + w2 * v for u, v in zip(x1, x2, strict=True)]
    y = [lam * u + w2 * v for u, v in zip(y1, y2, strict=True)]
    template = _MIX_TEMPLATES.get((len(x), len(y)))
    if template is None:
        template = _mix_template(len(x), len(y))
    text = template % (lam, *x1, w2, *x2, *x, lam, *y1, w2, *y2, *y)  # every number formatted once
    if plain_g(text):
        x_tex, y_tex = text.split(_SEP)
    else:  # exponents, -0, inf or nan: num's own formatting
        texts = nums([lam, w2, *x1, *x2, *x, *y1, *y2, *y])
        ends = list(accumulate([2, len(x1), len(x2), len(x), len(y1), len(y2), len(y)]))
        x1_tex, x2_tex, xm_tex, y1_tex, y2_tex, ym_tex = ("[" + ", ".join(texts[i:j]) + "]" for i, j in pairwise(ends))
        x_tex = rf"x = {texts[0]} \cdot {x1_tex} + {texts[1]} \cdot {x2_tex} = {xm_tex}"
        y_tex = rf"y = {texts[0]} \cdot {y1_tex} + {texts[1]} \cdot {y2_tex} = {ym_tex}"
    steps = (_new(Step, ("Mixed input", x_tex, x)), _new(Step, ("Mixed label", y_tex, y)))
    return _new(Solution, ({"x": x, "y": y}, steps, False))


_SEP = "\x00"
_new = tuple.__new__  # Step(label, latex, value) without the NamedTuple's Python-level __new__
_MIX_TEMPLATES: dict[tuple[int, int], str] = {}


def _g_list(n: int) -> str:
    return "[" + ", ".join(["%g"] * n) + "]"


def _mix_template(n_x: int, n_y: int) -> str:
    """The LaTeX of both mixup steps as one ``%`` template (the steps joined by _SEP)."""
    vx, vy = _g_list(n_x), _g_list(n_y)
    template = (r"x = %g \cdot " + vx + r" + %g \cdot " + vx + " = " + vx + _SEP
                + r"y = %g \cdot " + vy + r" + %g \cdot " + vy + " = " + vy)
    if len(_MIX_TEMPLATES) < 256:  # templates of the common sizes, never results
        _MIX_TEMPLATES[(n_x, n_y)] = template
    return template


@mistake("mixup", "swapped_lambda", "Weighted sample 1 by 1 - lam and sample 2 by lam.")
def _mix_swapped(*, x1: list[float], y1: list[float], x2: list[float], y2: list[float], lam: float) -> dict[str, Any]:
    return _mix(x1, y1, x2, y2, 1.0 - lam, lam)


@mistake("mixup", "labels_not_mixed", "Mixed the inputs but kept the label of the sample with the larger weight.")
def _mix_hard_label(*, x1: list[float], y1: list[float], x2: list[float], y2: list[float], lam: float) -> dict[str, Any]:
    mixed = _mix(x1, y1, x2, y2, lam, 1.0 - lam)
    return {"x": mixed["x"], "y": list(y1 if lam >= 0.5 else y2)}


@mistake("mixup", "lambda_for_both", "Weighted both samples by lam.")
def _mix_both_lam(*, x1: list[float], y1: list[float], x2: list[float], y2: list[float], lam: float) -> dict[str, Any]:
    return _mix(x1, y1, x2, y2, lam, lam)
