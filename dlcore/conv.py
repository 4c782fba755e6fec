"""Solvers for the conv topic."""

from __future__ import annotations

__all__: list[str] = []
