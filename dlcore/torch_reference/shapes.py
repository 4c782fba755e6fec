"""PyTorch references for layer shapes and parameter counts."""

from __future__ import annotations

from typing import Any


def conv2d_output_shape(p: dict[str, Any]) -> list[int]:
    import torch

    conv = torch.nn.Conv2d(
        p["in_channels"], p["out_channels"], p["kernel"],
        stride=p.get("stride", 1), padding=p.get("padding", 0), dilation=p.get("dilation", 1),
    )
    with torch.no_grad():
        out = conv(torch.zeros(1, p["in_channels"], p["height"], p["width"]))
    return list(out.shape[1:])


def conv2d_param_count(p: dict[str, Any]) -> int:
    import torch

    conv = torch.nn.Conv2d(p["in_channels"], p["out_channels"], p["kernel"], bias=p.get("bias", True))
    return sum(t.numel() for t in conv.parameters())


def pool_output_shape(p: dict[str, Any]) -> list[int]:
    import torch

    pool = torch.nn.MaxPool2d(p["kernel"], stride=p.get("stride"), padding=p.get("padding", 0), ceil_mode=p.get("ceil_mode", False))
    return list(pool(torch.zeros(1, p.get("channels", 1), p["height"], p["width"])).shape[1:])


def conv_transpose_output_shape(p: dict[str, Any]) -> list[int]:
    import torch

    conv = torch.nn.ConvTranspose2d(
        p["in_channels"], p["out_channels"], p["kernel"], stride=p.get("stride", 1), padding=p.get("padding", 0),
        output_padding=p.get("output_padding", 0), dilation=p.get("dilation", 1),
    )
    with torch.no_grad():
        return list(conv(torch.zeros(1, p["in_channels"], p["height"], p["width"])).shape[1:])


def dense_param_count(p: dict[str, Any]) -> int:
    import torch

    return sum(t.numel() for t in torch.nn.Linear(p["in_features"], p["out_features"], bias=p.get("bias", True)).parameters())


def _modules(p: dict[str, Any]) -> tuple[Any, list[tuple[str, Any]]]:
    """The input tensor (1, C, H, W) and one torch module per exam-notation layer."""
    import torch

    h, w, c = p["input"]
    x = torch.zeros(1, c, h, w)
    mods: list[tuple[str, Any]] = []
    for name in p["layers"]:
        kind, *nums = name.upper().split("-")
        if kind == "CONV":
            k, n, s, pad = (nums + ["1", "0"])[:4] if len(nums) == 2 else nums
            mods.append((name, torch.nn.Conv2d(c, int(n), int(k), stride=int(s), padding=int(pad))))
            c = int(n)
        elif kind == "POOL":
            mods.append((name, torch.nn.MaxPool2d(int(nums[0]), ceil_mode=p.get("ceil_mode", False))))
        else:
            mods.append((name, int(nums[0])))  # Linear built once the flattened size is known
    return x, mods


def cnn_summary(p: dict[str, Any]) -> dict[str, Any]:
    import torch

    x, mods = _modules(p)
    rows = []
    with torch.no_grad():
        for name, mod in mods:
            if isinstance(mod, int):
                mod = torch.nn.Linear(x.flatten(1).shape[1], mod)
                x = mod(x.flatten(1))
                shape = [x.shape[1]]
            else:
                x = mod(x)
                shape = [x.shape[2], x.shape[3], x.shape[1]]
            params = dict(mod.named_parameters())
            rows.append({
                "layer": name, "shape": shape,
                "weights": params["weight"].numel() if "weight" in params else 0,
                "biases": params["bias"].numel() if "bias" in params else 0,
            })
    return {"layers": rows, "total_params": sum(r["weights"] + r["biases"] for r in rows)}


def flatten_size(p: dict[str, Any]) -> int:
    import torch

    x, mods = _modules(p)
    with torch.no_grad():
        return int(torch.nn.Flatten()(torch.nn.Sequential(*[m for _, m in mods])(x)).shape[1])


def receptive_field(p: dict[str, Any]) -> int:
    """Autograd oracle: the input pixels on which the first output unit of a chain of
    all-ones 1-D convolutions depends (the receptive field is square, so 1-D suffices)."""
    import math

    import torch

    layers = p["layers"]
    n = sum(layer.get("dilation", 1) * (layer["kernel"] - 1) + 1 for layer in layers) * math.prod(layer["stride"] for layer in layers)
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        weight = torch.ones(1, 1, layer["kernel"], dtype=torch.float64)
        y = torch.nn.functional.conv1d(y, weight, stride=layer["stride"], dilation=layer.get("dilation", 1))
    y[0, 0, 0].backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten()
    return int(touched.max() - touched.min() + 1)


def depthwise_separable_cost(p: dict[str, Any]) -> dict[str, Any]:
    """Multiplications counted by torch's FlopCounterMode (which counts 2 FLOPs per multiply-add)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    c_in, c_out, k = p["in_channels"], p["out_channels"], p["kernel"]
    stride, padding = p.get("stride", 1), p.get("padding", 0)
    x = torch.zeros(p.get("batch", 1), c_in, p["height"], p["width"])
    standard = torch.nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding, bias=False)
    depthwise = torch.nn.Conv2d(c_in, c_in, k, stride=stride, padding=padding, groups=c_in, bias=False)
    pointwise = torch.nn.Conv2d(c_in, c_out, 1, bias=False)

    def mults(fn: Any) -> int:
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            fn()
        return int(counter.get_total_flops()) // 2

    n_standard = mults(lambda: standard(x))
    n_separable = mults(lambda: pointwise(depthwise(x)))
    return {"standard_mults": n_standard, "separable_mults": n_separable, "ratio": n_standard / n_separable}


REFERENCES = {
    "conv2d_output_shape": conv2d_output_shape,
    "conv2d_param_count": conv2d_param_count,
    "pool_output_shape": pool_output_shape,
    "conv_transpose_output_shape": conv_transpose_output_shape,
    "dense_param_count": dense_param_count,
    "cnn_summary": cnn_summary,
    "flatten_size": flatten_size,
    "receptive_field": receptive_field,
    "depthwise_separable_cost": depthwise_separable_cost,
}

CASES = [
    ("conv2d_output_shape", {"in_channels": 3, "height": 32, "width": 32, "out_channels": 16, "kernel": 5}),
    ("conv2d_output_shape", {"in_channels": 3, "height": 31, "width": 17, "out_channels": 4, "kernel": 3, "stride": 2, "padding": 1}),
    ("conv2d_output_shape", {"in_channels": 1, "height": 20, "width": 20, "out_channels": 2, "kernel": 3, "stride": 3, "padding": 2, "dilation": 2}),
    ("conv2d_param_count", {"in_channels": 3, "out_channels": 16, "kernel": 5}),
    ("conv2d_param_count", {"in_channels": 64, "out_channels": 128, "kernel": 3, "bias": False}),
    ("conv2d_output_shape", {"in_channels": 96, "height": 128, "width": 128, "out_channels": 128, "kernel": 7, "stride": 2, "padding": 3}),
    ("conv2d_param_count", {"in_channels": 3, "out_channels": 10, "kernel": 5}),
    ("pool_output_shape", {"channels": 128, "height": 55, "width": 55, "kernel": 2}),
    ("pool_output_shape", {"channels": 128, "height": 55, "width": 55, "kernel": 2, "ceil_mode": True}),
    ("pool_output_shape", {"height": 10, "width": 7, "kernel": 3, "stride": 2, "padding": 1}),
    ("pool_output_shape", {"height": 6, "width": 6, "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("conv_transpose_output_shape", {"in_channels": 16, "height": 7, "width": 7, "out_channels": 8, "kernel": 4, "stride": 2, "padding": 1}),
    ("conv_transpose_output_shape", {"in_channels": 1, "height": 5, "width": 3, "out_channels": 1, "kernel": 3}),
    ("conv_transpose_output_shape", {"in_channels": 4, "height": 8, "width": 5, "out_channels": 2, "kernel": 3, "stride": 3, "padding": 2, "output_padding": 1, "dilation": 2}),
    ("dense_param_count", {"in_features": 750000, "out_features": 100}),
    ("dense_param_count", {"in_features": 13456, "out_features": 16}),
    ("dense_param_count", {"in_features": 10, "out_features": 4, "bias": False}),
    ("cnn_summary", {"input": [128, 128, 3], "layers": ["CONV-7-32", "POOL-2", "CONV-5-64", "CONV-3-128", "POOL-2", "FC-10", "FC-4"]}),
    ("cnn_summary", {"input": [128, 128, 3], "layers": ["CONV-7-32", "POOL-2", "CONV-5-64", "CONV-3-128", "POOL-2", "FC-10", "FC-4"], "ceil_mode": True}),
    ("cnn_summary", {"input": [64, 64, 3], "layers": ["CONV-7-16", "POOL-2", "FC-16", "FC-10"]}),
    ("cnn_summary", {"input": [32, 30, 1], "layers": ["CONV-3-8-2-1", "POOL-3", "CONV-1-4", "FC-5"]}),
    ("flatten_size", {"input": [16, 16, 1], "layers": ["CONV-3-16", "POOL-2"]}),
    ("flatten_size", {"input": [64, 64, 3], "layers": ["CONV-7-16", "POOL-2"]}),
    ("flatten_size", {"input": [29, 31, 3], "layers": ["CONV-5-6-2-2", "POOL-2", "CONV-3-12"], "ceil_mode": True}),
    ("receptive_field", {"layers": [{"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 2}]}),
    ("receptive_field", {"layers": [{"kernel": 7, "stride": 2}, {"kernel": 3, "stride": 2}, {"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 1}]}),
    ("receptive_field", {"layers": [{"kernel": 11, "stride": 4}, {"kernel": 3, "stride": 2}, {"kernel": 5, "stride": 1}, {"kernel": 3, "stride": 2}]}),
    ("receptive_field", {"layers": [{"kernel": 3, "stride": 1, "dilation": 2}, {"kernel": 2, "stride": 2}]}),
    ("depthwise_separable_cost", {"height": 16, "width": 16, "in_channels": 3, "out_channels": 64, "kernel": 5, "batch": 100}),
    ("depthwise_separable_cost", {"height": 32, "width": 32, "in_channels": 16, "out_channels": 32, "kernel": 3, "padding": 1}),
    ("depthwise_separable_cost", {"height": 15, "width": 20, "in_channels": 8, "out_channels": 24, "kernel": 3, "stride": 2, "padding": 1, "batch": 4}),
]
