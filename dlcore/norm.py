"""Solvers for the norm topic."""

from __future__ import annotations

__all__: list[str] = []
