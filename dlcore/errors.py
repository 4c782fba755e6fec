"""The one exception family of the numeric engine."""

from __future__ import annotations

__all__ = ["SolverError"]


class SolverError(ValueError):
    """Bad input to a solver: the message is one clear sentence for a human."""
