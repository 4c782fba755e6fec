"""The table of solvers and their mistake models.

A solver module registers each function with :func:`solver` and each common
wrong way of computing its answer with :func:`mistake`. Everything else
(the CLI, the question templates, the grader) goes through :func:`solve`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcore.errors import SolverError
from dlcore.params import Param, validate
from dlcore.types import Solution, Step

__all__ = [
    "SolverInfo", "Mistake", "solver", "mistake", "get_solver", "solve",
    "list_solvers", "mistake_answers", "distinguishable_mistakes", "answers_close",
    "to_jsonable",
]

SolverFn = Callable[..., Solution]
MistakeFn = Callable[..., Any]


@dataclass(frozen=True)
class Mistake:
    """A named wrong way to compute a solver's answer."""

    name: str
    description: str
    fn: MistakeFn


@dataclass
class SolverInfo:
    name: str
    summary: str
    params: dict[str, Param]
    fn: SolverFn
    mistakes: dict[str, Mistake] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "params": {n: p.describe() for n, p in self.params.items()},
            "mistakes": {m.name: m.description for m in self.mistakes.values()},
        }


_SOLVERS: dict[str, SolverInfo] = {}


def solver(name: str, params: dict[str, Param]) -> Callable[[SolverFn], SolverFn]:
    """Register ``fn`` as solver ``name``; its summary is the docstring's first line."""

    def register(fn: SolverFn) -> SolverFn:
        if name in _SOLVERS:
            raise ValueError(f"solver {name!r} registered twice")
        summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else name
        _SOLVERS[name] = SolverInfo(name=name, summary=summary, params=params, fn=fn)
        return fn

    return register


def mistake(solver_name: str, name: str, description: str) -> Callable[[MistakeFn], MistakeFn]:
    """Register ``fn(**params) -> answer`` as a named mistake of a solver.

    The solver must be registered first (define mistakes below their solver).
    """

    def register(fn: MistakeFn) -> MistakeFn:
        info = _SOLVERS[solver_name]
        if name in info.mistakes:
            raise ValueError(f"mistake {name!r} of {solver_name!r} registered twice")
        info.mistakes[name] = Mistake(name=name, description=description, fn=fn)
        return fn

    return register


def _load_all() -> None:
    # Importing the topic modules fills the registry.
    import dlcore.solvers  # noqa: F401


def get_solver(name: str) -> SolverInfo:
    _load_all()
    if not isinstance(name, str) or name not in _SOLVERS:
        close = difflib.get_close_matches(str(name), list(_SOLVERS), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise SolverError(f"Unknown solver '{name}'.{hint}")
    return _SOLVERS[name]


def list_solvers() -> list[dict[str, Any]]:
    """Describe every solver as ``python -m dlcore list`` prints it."""
    _load_all()
    return [info.describe() for _, info in sorted(_SOLVERS.items())]


def to_jsonable(value: Any) -> Any:
    """Turn numpy scalars and arrays, tuples and dicts into plain JSON values."""
    t = type(value)
    if t is float or t is int or t is str or t is bool or value is None:
        return value
    if t is list or t is tuple:
        return [to_jsonable(v) for v in value]
    if t is dict:
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _all_finite(value: Any) -> bool:
    """True when no float inside ``value`` is NaN or infinite (x - x is 0.0 only for finite x)."""
    t = type(value)
    if t is float:
        return bool(value - value == 0.0)
    if t is list:
        return all(_all_finite(v) for v in value)
    if t is dict:
        return all(_all_finite(v) for v in value.values())
    return True


def _finite_json(solver_name: str, value: Any) -> Any:
    out = to_jsonable(value)
    if not _all_finite(out):
        raise SolverError(
            f"Solver '{solver_name}' produced a non-finite result for these parameters; "
            "the inputs are out of range."
        )
    return out


def _run(info: SolverInfo, fn: Callable[..., Any], clean: dict[str, Any]) -> Any:
    try:
        return fn(**clean)
    except SolverError:
        raise
    except (OverflowError, ZeroDivisionError, FloatingPointError) as exc:
        raise SolverError(f"Solver '{info.name}' cannot compute these parameters: {exc}.") from exc


def solve(name: str, params: dict[str, Any]) -> Solution:
    """Validate ``params``, run solver ``name``, and return a JSON-ready Solution.

    Raises
    ------
    SolverError
        Unknown solver, bad parameters, impossible geometry, non-finite result.
    """
    info = get_solver(name)
    clean = validate(name, info.params, params)
    sol = _run(info, info.fn, clean)
    answer = _finite_json(name, sol.answer)
    steps = tuple([Step(s.label, s.latex, _finite_json(name, s.value)) for s in sol.steps])
    return Solution(answer, steps)


def mistake_answers(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Answer of every registered mistake of solver ``name`` for ``params``.

    A mistake that cannot be computed for these parameters (its formula breaks,
    e.g. a division by zero) is left out.
    """
    info = get_solver(name)
    clean = validate(name, info.params, params)
    out: dict[str, Any] = {}
    for m in info.mistakes.values():
        try:
            value = _finite_json(name, _run(info, m.fn, dict(clean)))
        except SolverError:
            continue
        out[m.name] = value
    return out


def answers_close(a: Any, b: Any, *, rel_tol: float = 1e-9, abs_tol: float = 0.0) -> bool:
    """True when two JSON answers have the same structure and close numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a == b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(answers_close(x, y, rel_tol=rel_tol, abs_tol=abs_tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(answers_close(a[k], b[k], rel_tol=rel_tol, abs_tol=abs_tol) for k in a)
    return bool(a == b)


def distinguishable_mistakes(
    name: str, params: dict[str, Any], *, rel_tol: float = 1e-9, abs_tol: float = 0.0
) -> dict[str, bool]:
    """For each mistake of ``name``: does its answer differ from the correct one?

    ``False`` means a student making that mistake would be graded correct at
    this tolerance, so a template should redraw the variant.
    """
    correct = solve(name, params).answer
    return {
        m: not answers_close(value, correct, rel_tol=rel_tol, abs_tol=abs_tol)
        for m, value in mistake_answers(name, params).items()
    }
