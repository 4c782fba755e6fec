"""Solvers for the metrics topic."""

from __future__ import annotations

__all__: list[str] = []
