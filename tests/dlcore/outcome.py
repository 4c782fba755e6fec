"""What a solver path gives, as comparable text: the tests of generated solutions compare two paths with it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dlcore import SolverError
from dlcore.types import Solution, Step


def outcome(fn: Callable[..., Any], *args: Any) -> str:
    """``fn(*args)`` (a Solution, or an (answer, steps) pair) as JSON text, which tells 0.0 from -0.0 and keeps
    NaN, or ``"error: "`` and its SolverError sentence."""
    try:
        result = fn(*args)
    except SolverError as exc:
        return f"error: {exc}"
    if type(result) is Solution:
        assert all(type(step) is Step for step in result.steps)
        return json.dumps([result.answer, [list(step) for step in result.steps], result.checked])
    answer, steps = result
    return json.dumps([answer, [list(step) for step in steps]])
