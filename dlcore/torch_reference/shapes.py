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


REFERENCES = {
    "conv2d_output_shape": conv2d_output_shape,
    "conv2d_param_count": conv2d_param_count,
}

CASES = [
    ("conv2d_output_shape", {"in_channels": 3, "height": 32, "width": 32, "out_channels": 16, "kernel": 5}),
    ("conv2d_output_shape", {"in_channels": 3, "height": 31, "width": 17, "out_channels": 4, "kernel": 3, "stride": 2, "padding": 1}),
    ("conv2d_output_shape", {"in_channels": 1, "height": 20, "width": 20, "out_channels": 2, "kernel": 3, "stride": 3, "padding": 2, "dilation": 2}),
    ("conv2d_param_count", {"in_channels": 3, "out_channels": 16, "kernel": 5}),
    ("conv2d_param_count", {"in_channels": 64, "out_channels": 128, "kernel": 3, "bias": False}),
]
