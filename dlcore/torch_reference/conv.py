"""PyTorch references for convolution, transposed convolution, pooling and unpooling."""

from __future__ import annotations

from typing import Any


def _t(value: Any) -> Any:
    import torch

    return torch.tensor(value, dtype=torch.float64)


def conv1d(p: dict[str, Any]) -> list[float]:
    import torch.nn.functional as F

    x, f = _t(p["x"])[None, None], _t(p["f"])[None, None]
    y = F.conv1d(x, f, bias=_t([p.get("bias", 0.0)]), stride=p.get("stride", 1), padding=p.get("padding", 0))
    return y[0, 0].tolist()


def conv2d(p: dict[str, Any]) -> list[list[float]]:
    import torch
    import torch.nn.functional as F

    x, k = _t(p["input"])[None, None], _t(p["kernel"])[None, None]
    z = F.conv2d(x, k, bias=_t([p.get("bias", 0.0)]), stride=p.get("stride", 1), padding=p.get("padding", 0))[0, 0]
    act = p.get("activation", "none")
    if act == "relu":
        z = F.relu(z)
    elif act == "leaky_relu":
        z = F.leaky_relu(z, negative_slope=p.get("alpha", 0.01))
    elif act == "sigmoid":
        z = torch.sigmoid(z)
    elif act == "tanh":
        z = torch.tanh(z)
    return z.tolist()


def conv2d_multi(p: dict[str, Any]) -> list[Any]:
    import torch.nn.functional as F

    w = _t(p["filters"])
    bias = _t(p["bias"]) if p.get("bias") is not None else None
    return F.conv2d(_t(p["input"])[None], w, bias=bias, stride=p.get("stride", 1), padding=p.get("padding", 0))[0].tolist()


def conv_transpose1d(p: dict[str, Any]) -> list[float]:
    import torch.nn.functional as F

    y = F.conv_transpose1d(_t(p["x"])[None, None], _t(p["f"])[None, None], stride=p.get("stride", 1), padding=p.get("padding", 0))
    return y[0, 0].tolist()


def conv_transpose2d(p: dict[str, Any]) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F

    x, w = _t(p["input"]), _t(p["kernel"])
    single = x.dim() == 2
    x, w = (x[None, None], w[None, None]) if single else (x[None], w)
    bias = torch.broadcast_to(_t(p.get("bias", 0.0)), (w.shape[1],))
    y = F.conv_transpose2d(x, w, bias=bias, stride=p.get("stride", 1), padding=p.get("padding", 0))
    y = y[0, 0] if single else y[0]
    return {"output": y.tolist(), "shape": list(y.shape)}


def pool2d(p: dict[str, Any]) -> list[list[float]]:
    import torch.nn.functional as F

    x = _t(p["input"])[None, None]
    kw = dict(kernel_size=p["kernel"], stride=p.get("stride"), padding=p.get("padding", 0), ceil_mode=p.get("ceil_mode", False))
    if p.get("mode", "max") == "max":
        y = F.max_pool2d(x, **kw)
    else:
        y = F.avg_pool2d(x, **kw, count_include_pad=p.get("count_include_pad", True))
    return y[0, 0].tolist()


def max_unpool2d(p: dict[str, Any]) -> list[list[float]]:
    import torch.nn.functional as F

    ref = _t(p["reference"])[None, None]
    k, s = p["kernel"], p.get("stride") or p["kernel"]
    _, indices = F.max_pool2d(ref, k, s, return_indices=True)
    y = F.max_unpool2d(_t(p["pooled"])[None, None], indices, k, s, output_size=ref.shape[2:])
    return y[0, 0].tolist()


REFERENCES = {
    "conv1d": conv1d,
    "conv2d": conv2d,
    "conv2d_multi": conv2d_multi,
    "conv_transpose1d": conv_transpose1d,
    "conv_transpose2d": conv_transpose2d,
    "pool2d": pool2d,
    "max_unpool2d": max_unpool2d,
}

_SEED004_INPUT = [[10, 10, 0, 5], [0, 20, 0, 0], [0, 20, 20, 0], [10, 0, 20, 0]]
_SEED004_KERNEL = [[1, 0, -1], [2, 0, -2], [1, 0, 1]]
_MAP_5X5 = [[1, 3, 2, 9, 0], [4, 6, 5, 1, 2], [7, 2, 8, 3, 1], [0, 5, 1, 4, 6], [2, 9, 3, 7, 5]]

CASES = [
    ("conv1d", {"x": [4, 1, -1, 3], "f": [-2, 1], "padding": 1}),
    ("conv1d", {"x": [1.5, -2, 0.25, 4, 3, -1], "f": [0.5, 1, -1], "bias": 0.3, "stride": 2}),
    ("conv1d", {"x": [1, 2, 3], "f": [1, 1, 1]}),
    ("conv2d", {"input": _SEED004_INPUT, "kernel": _SEED004_KERNEL, "bias": 3, "padding": 1, "activation": "leaky_relu", "alpha": 0.001}),
    ("conv2d", {"input": _MAP_5X5, "kernel": [[1, -1], [0.5, 2]]}),
    ("conv2d", {"input": _MAP_5X5, "kernel": [[0.1, -0.2, 0.3], [0, 0.5, -0.1], [0.2, 0.2, -0.4]], "bias": -1.5, "stride": 2, "padding": 1, "activation": "sigmoid"}),
    ("conv2d", {"input": _MAP_5X5, "kernel": [[0.1, -0.2], [0.3, -0.05]], "stride": 3, "activation": "tanh"}),
    ("conv2d", {"input": _SEED004_INPUT, "kernel": _SEED004_KERNEL, "bias": -20, "activation": "relu"}),
    ("conv2d_multi", {"input": [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [1, 0, 2], [3, 1, 0]]],
                      "filters": [[[[1, 0], [0, -1]], [[0.5, 0.5], [0, 1]]], [[[2, 1], [1, 0]], [[-1, 0], [1, 1]]]]}),
    ("conv2d_multi", {"input": [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [1, 0, 2], [3, 1, 0]]],
                      "filters": [[[[1, 0, 1], [0, -1, 0], [1, 0, 1]], [[0.5, 0.5, 0], [0, 1, 0], [1, 1, 1]]]],
                      "bias": [0.25], "stride": 2, "padding": 1}),
    ("conv2d_multi", {"input": [_MAP_5X5], "filters": [[[[1, 2], [3, 4]]], [[[0, -1], [-1, 0]]], [[[0.5, 0], [0, 0.5]]]],
                      "bias": [1, 2, 3], "stride": 2}),
    ("conv_transpose1d", {"x": [5, 4, 3, 2, 1], "f": [1, 2, 3, 4], "stride": 2}),
    ("conv_transpose1d", {"x": [1, -2, 0.5], "f": [3, 1, -1]}),
    ("conv_transpose1d", {"x": [1, -2, 0.5, 4], "f": [3, 1, -1], "stride": 3, "padding": 2}),
    ("conv_transpose2d", {"input": [[1, 2], [3, 4]], "kernel": [[1, 0], [-1, 2]], "stride": 2}),
    ("conv_transpose2d", {"input": [[1, 2, -1], [3, 4, 0]], "kernel": [[1, 0, 1], [-1, 2, 0], [0, 1, 1]], "bias": 0.5, "stride": 2, "padding": 1}),
    ("conv_transpose2d", {"input": [[[1, 2], [3, 4]], [[0, 1], [-1, 0]]],
                          "kernel": [[[[1, 0], [0, 1]], [[2, 1], [1, 2]], [[0, 0], [1, 0]]], [[[1, 1], [1, 1]], [[0, -1], [-1, 0]], [[3, 0], [0, 3]]]],
                          "bias": [0.1, 0.2, 0.3]}),
    ("pool2d", {"input": _MAP_5X5, "kernel": 2}),
    ("pool2d", {"input": _MAP_5X5, "kernel": 2, "ceil_mode": True}),
    ("pool2d", {"input": _MAP_5X5, "mode": "avg", "kernel": 2, "ceil_mode": True}),
    ("pool2d", {"input": _MAP_5X5, "mode": "avg", "kernel": 3, "stride": 2, "padding": 1}),
    ("pool2d", {"input": _MAP_5X5, "mode": "avg", "kernel": 3, "stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True}),
    ("pool2d", {"input": _MAP_5X5, "mode": "max", "kernel": 3, "stride": 1, "padding": 1}),
    ("max_unpool2d", {"pooled": [[50, 10], [44, 20]], "reference": [[50, 12, 3, 8], [7, 1, 4, 10], [44, 0, 6, 5], [2, 9, 11, 20]], "kernel": 2}),
    ("max_unpool2d", {"pooled": [[1.5, -2], [0.5, 3]], "reference": _MAP_5X5, "kernel": 2}),
    ("max_unpool2d", {"pooled": [[7, 8]], "reference": [[1, 9, 2, 0, 4, 3], [5, 0, 1, 8, 2, 2]], "kernel": 2, "stride": 3}),
]
