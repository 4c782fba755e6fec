"""Output shapes and parameter counts of layers."""

from __future__ import annotations

import math

from dlcore.errors import SolverError
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = ["conv_output_size", "conv2d_output_shape", "conv2d_param_count"]

def conv_output_size(
    n_in: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, *, axis: str = "size"
) -> int:
    """Output length along one axis: floor((n_in + 2p - d(k-1) - 1) / s) + 1.

    Raises SolverError when the (dilated) kernel does not fit the padded input.

    >>> conv_output_size(32, 5, stride=1, padding=2)
    32
    """
    span = dilation * (kernel - 1) + 1  # extent of the dilated kernel
    if span > n_in + 2 * padding:
        raise SolverError(
            f"The kernel (extent {span}) is larger than the padded input {axis} ({n_in} + 2*{padding} = {n_in + 2 * padding})."
        )
    return (n_in + 2 * padding - span) // stride + 1


@solver(
    "conv2d_output_shape",
    params={
        "in_channels": Param("int", min=1, help="C_in"),
        "height": Param("int", min=1),
        "width": Param("int", min=1),
        "out_channels": Param("int", min=1, help="number of filters"),
        "kernel": Param("int", min=1),
        "stride": Param("int", 1, min=1),
        "padding": Param("int", 0, min=0),
        "dilation": Param("int", 1, min=1),
    },
)
def conv2d_output_shape(
    *, in_channels: int, height: int, width: int, out_channels: int,
    kernel: int, stride: int, padding: int, dilation: int,
) -> Solution:
    """Output shape of Conv2d: [C_out, H_out, W_out], H_out = floor((H + 2p - d(k-1) - 1)/s) + 1.

    >>> conv2d_output_shape(in_channels=3, height=32, width=32, out_channels=8,
    ...                     kernel=3, stride=2, padding=1, dilation=1).answer
    [8, 16, 16]
    """
    h_out = conv_output_size(height, kernel, stride, padding, dilation, axis="height")
    w_out = conv_output_size(width, kernel, stride, padding, dilation, axis="width")
    k_eff = dilation * (kernel - 1) + 1
    steps = []
    if dilation != 1:
        steps.append(Step("Effective kernel size", rf"k' = d(k-1)+1 = {dilation}\cdot({kernel}-1)+1 = {k_eff}", k_eff))
    steps += [
        Step(
            "Output height",
            rf"H_{{out}} = \left\lfloor \frac{{{height} + 2\cdot{padding} - {k_eff}}}{{{stride}}} \right\rfloor + 1 = {h_out}",
            h_out,
        ),
        Step(
            "Output width",
            rf"W_{{out}} = \left\lfloor \frac{{{width} + 2\cdot{padding} - {k_eff}}}{{{stride}}} \right\rfloor + 1 = {w_out}",
            w_out,
        ),
        Step("Output channels = number of filters", rf"C_{{out}} = {out_channels}", out_channels),
        Step("Output shape", rf"{out_channels} \times {h_out} \times {w_out}", [out_channels, h_out, w_out]),
    ]
    return Solution([out_channels, h_out, w_out], tuple(steps))




@mistake("conv2d_output_shape", "forgot_plus_one", "Forgot the +1 in the output-size formula.")
def _conv_no_plus_one(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
                      padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, (height + 2 * padding - k) // stride, (width + 2 * padding - k) // stride]


@mistake("conv2d_output_shape", "ignored_padding", "Ignored the padding.")
def _conv_no_padding(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
                     dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, (height - k) // stride + 1, (width - k) // stride + 1]


@mistake("conv2d_output_shape", "padding_once", "Counted the padding on one side only.")
def _conv_padding_once(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
                       padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, (height + padding - k) // stride + 1, (width + padding - k) // stride + 1]


@mistake("conv2d_output_shape", "ceil_instead_of_floor", "Rounded up instead of down.")
def _conv_ceil(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
               padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, math.ceil((height + 2 * padding - k) / stride) + 1,
            math.ceil((width + 2 * padding - k) / stride) + 1]


@mistake("conv2d_output_shape", "ignored_stride", "Ignored the stride.")
def _conv_no_stride(*, out_channels: int, height: int, width: int, kernel: int,
                    padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, height + 2 * padding - k + 1, width + 2 * padding - k + 1]


@mistake("conv2d_output_shape", "kept_input_channels", "Kept the input channel count instead of the number of filters.")
def _conv_kept_channels(*, in_channels: int, height: int, width: int, kernel: int, stride: int,
                        padding: int, dilation: int, **_: int) -> list[int]:
    return [in_channels, conv_output_size(height, kernel, stride, padding, dilation),
            conv_output_size(width, kernel, stride, padding, dilation)]


@solver(
    "conv2d_param_count",
    params={
        "in_channels": Param("int", min=1),
        "out_channels": Param("int", min=1),
        "kernel": Param("int", min=1),
        "bias": Param("bool", True),
    },
)
def conv2d_param_count(*, in_channels: int, out_channels: int, kernel: int, bias: bool) -> Solution:
    """Learnable parameters of Conv2d: n = C_out * (k*k*C_in + 1) with bias, C_out*k*k*C_in without.

    >>> conv2d_param_count(in_channels=3, out_channels=16, kernel=5, bias=True).answer
    1216
    """
    per_filter = kernel * kernel * in_channels
    weights = out_channels * per_filter
    biases = out_channels if bias else 0
    steps = (
        Step("Weights per filter", rf"k \cdot k \cdot C_{{in}} = {kernel} \cdot {kernel} \cdot {in_channels} = {per_filter}", per_filter),
        Step("All weights", rf"{per_filter} \cdot {out_channels} = {weights}", weights),
        Step("Biases (one per filter)", rf"{biases}", biases),
        Step("Total parameters", rf"{weights} + {biases} = {weights + biases}", weights + biases),
    )
    return Solution(weights + biases, steps)


@mistake("conv2d_param_count", "forgot_bias", "Forgot the bias of each filter.")
def _count_no_bias(*, in_channels: int, out_channels: int, kernel: int, **_: object) -> int:
    return out_channels * kernel * kernel * in_channels


@mistake("conv2d_param_count", "forgot_input_channels", "Forgot that each filter spans all input channels.")
def _count_no_cin(*, out_channels: int, kernel: int, bias: bool, **_: object) -> int:
    return out_channels * (kernel * kernel + (1 if bias else 0))


@mistake("conv2d_param_count", "bias_per_weight", "Counted one bias per input channel.")
def _count_bias_per_channel(*, in_channels: int, out_channels: int, kernel: int, bias: bool, **_: object) -> int:
    return out_channels * in_channels * (kernel * kernel + (1 if bias else 0))
