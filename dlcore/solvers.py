"""Imports every topic module so that their solvers register themselves."""

from __future__ import annotations

from dlcore import (  # noqa: F401
    activations,
    backprop,
    classic,
    conv,
    conv_multi,
    conv_transpose,
    metrics,
    norm,
    optim,
    pooling,
    shapes,
)

__all__: list[str] = []
