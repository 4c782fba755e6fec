"""dlcore: the numeric engine of dlquiz (numpy only, no Django, no I/O).

>>> from dlcore import solve
>>> solve("conv2d_output_shape", {"in_channels": 3, "height": 32, "width": 32,
...        "out_channels": 16, "kernel": 5}).answer
[16, 28, 28]
"""

from __future__ import annotations

from dlcore.errors import SolverError
from dlcore.registry import (
    answers_close,
    distinguishable_mistakes,
    get_solver,
    list_solvers,
    mistake_answers,
    solve,
)
from dlcore.types import Solution, Step

__all__ = [
    "Solution", "Step", "SolverError", "solve", "list_solvers", "get_solver",
    "mistake_answers", "distinguishable_mistakes", "answers_close",
]
