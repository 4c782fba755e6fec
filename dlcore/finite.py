"""Finiteness checks that solvers run on the numbers they compute.

``solve`` walks every step value and the answer for NaN and infinity. A solver
whose only computed numbers are a few flat lists of floats can check those
itself with :func:`require_finite` and return ``Solution(..., checked=True)``;
``solve`` then trusts it and skips the walk.
"""

from __future__ import annotations

from collections.abc import Sequence

from dlcore.errors import SolverError

__all__ = ["all_finite", "non_finite_error", "require_finite"]


def all_finite(values: Sequence[float]) -> bool:
    """True when every float in ``values`` is finite.

    x - x is 0.0 only for finite x, so a finite sum proves every term finite; a sum that
    overflows is followed by a check of each value.

    >>> all_finite([1.0, 1e308, 1e308]), all_finite([1.0, float("nan")])
    (True, False)
    """
    total = sum(values)
    return total - total == 0.0 or all(v - v == 0.0 for v in values)


def non_finite_error(solver_name: str) -> SolverError:
    """The one sentence for a solver whose result overflowed or became NaN."""
    return SolverError(
        f"Solver '{solver_name}' produced a non-finite result for these parameters; "
        "the inputs are out of range."
    )


def require_finite(solver_name: str, *lists: Sequence[float]) -> None:
    """Raise :func:`non_finite_error` unless every float of every list is finite."""
    for values in lists:
        if not all_finite(values):
            raise non_finite_error(solver_name)
