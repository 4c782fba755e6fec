"""PyTorch reference implementations of dlcore's solvers (tests and bench only).

Each topic module here defines

* ``REFERENCES``: ``{solver_name: fn(params) -> answer}`` computing the same
  answer as ``dlcore.solve(solver_name, params).answer`` but with PyTorch
  (torch.nn.functional, torch.optim stepped once with a set ``.grad``,
  autograd), in float64;
* ``CASES``: a list of ``(solver_name, params)`` that the golden files record.

The app never imports this package; torch is imported lazily inside the
reference functions so that listing cases works without torch.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

__all__ = ["references", "cases", "torch_available", "MODULES"]

Reference = Callable[[dict[str, Any]], Any]


def _modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_") and m.name != "regenerate"
    )


MODULES = _modules()


def references() -> dict[str, Reference]:
    """Every reference function by solver name."""
    out: dict[str, Reference] = {}
    for name in MODULES:
        mod = importlib.import_module(f"{__name__}.{name}")
        out.update(getattr(mod, "REFERENCES", {}))
    return out


def cases() -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The golden cases of each topic module, by module name."""
    return {name: list(getattr(importlib.import_module(f"{__name__}.{name}"), "CASES", [])) for name in MODULES}


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True
