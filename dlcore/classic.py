"""Solvers for the classic topic."""

from __future__ import annotations

__all__: list[str] = []
