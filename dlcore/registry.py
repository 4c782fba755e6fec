"""The table of solvers and their mistake models.

A solver module registers each function with :func:`solver` and each common
wrong way of computing its answer with :func:`mistake`. Everything else
(the CLI, the question templates, the grader) goes through :func:`solve`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from dlcore.errors import SolverError
from dlcore.finite import non_finite_error
from dlcore.params import Param, validator
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
    # Turns validated parameters into the structures the solver and its mistakes share
    # (e.g. parsed layers), once per solve or per mistake_answers call.
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # validate(name, params, ...) with the declarations unpacked once (see params.validator)
    check_params: Callable[[Any], dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.check_params = validator(self.name, self.params)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "params": {n: p.describe() for n, p in self.params.items()},
            "mistakes": {m.name: m.description for m in self.mistakes.values()},
        }


_SOLVERS: dict[str, SolverInfo] = {}


def solver(
    name: str, params: dict[str, Param], prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
) -> Callable[[SolverFn], SolverFn]:
    """Register ``fn`` as solver ``name``; its summary is the docstring's first line.

    ``prepare(clean_params) -> params`` runs after validation and before the solver and
    its mistakes, so that structured inputs are checked and parsed once.
    """

    def register(fn: SolverFn) -> SolverFn:
        if name in _SOLVERS:
            raise ValueError(f"solver {name!r} registered twice")
        summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else name
        _SOLVERS[name] = SolverInfo(name=name, summary=summary, params=params, fn=fn, prepare=prepare)
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


class _NonFinite(Exception):
    """A NaN or an infinity inside a solver's result."""


_ONLY_FLOATS = frozenset({float})
_ONLY_INTS = frozenset({int})
_ONLY_LISTS = frozenset({list})
_KEPT = frozenset({int, str, bool, type(None)})  # plain JSON as they are


def _plain(value: Any) -> Any:
    """``to_jsonable(value)``, raising _NonFinite on NaN or infinity (x - x is 0.0 only for finite x).

    Lists that are already plain JSON come back as they are, without a copy.
    """
    t = type(value)
    if t is float:
        if value - value == 0.0:
            return value
        raise _NonFinite
    if t is int or t is str or t is bool or value is None:
        return value
    if t is list:
        kinds = set(map(type, value))
        if kinds == _ONLY_FLOATS:
            total = sum(value)
            if total - total == 0.0 or all(v - v == 0.0 for v in value):  # the sum may overflow
                return value
            raise _NonFinite
        if kinds == _ONLY_INTS:
            return value
        if _all_plain_finite(value):  # nested plain JSON is checked level by level and kept
            return value
        return [_plain(v) for v in value]
    if t is tuple:
        return [_plain(v) for v in value]
    if t is dict:  # ints and strings (shapes, counts, names) are kept without a call each
        return {k if type(k) is str else str(k): v if type(v) in _KEPT else _plain(v) for k, v in value.items()}
    return _plain(to_jsonable(value)) if isinstance(value, (np.ndarray, np.generic)) else value


_PLAIN_KINDS = frozenset({float, int, str, bool, type(None), list, dict})
_ONLY_STRS = frozenset({str})


def _all_plain_finite(values: list[Any]) -> bool:
    """True when ``values`` are plain JSON (floats, ints, strings, bools, None, lists and
    dicts with string keys, at any depth) with every float finite.

    Checked one nesting level at a time, each level in a few C-level passes. False when
    something else turns up (tuples, numpy values, other keys: the caller converts those
    one by one); raises _NonFinite on NaN or infinity.
    """
    level = values
    while level:
        kinds = set(map(type, level))
        if kinds == _ONLY_LISTS:
            level = list(chain.from_iterable(level))
            continue
        if kinds == _ONLY_FLOATS:
            total = sum(level)
            if total - total == 0.0 or all(v - v == 0.0 for v in level):  # the sum may overflow
                return True
            raise _NonFinite
        if not kinds <= _PLAIN_KINDS:
            return False
        if float in kinds:
            floats = [v for v in level if type(v) is float]
            total = sum(floats)
            if not (total - total == 0.0 or all(v - v == 0.0 for v in floats)):
                raise _NonFinite
        if dict not in kinds:
            level = list(chain.from_iterable([v for v in level if type(v) is list])) if list in kinds else []
            continue
        dicts = [v for v in level if type(v) is dict]
        if not set(map(type, chain.from_iterable(dicts))) <= _ONLY_STRS:
            return False
        deeper = list(chain.from_iterable([v for v in level if type(v) is list]))
        deeper.extend(chain.from_iterable(map(dict.values, dicts)))
        level = deeper
    return True


def _finite_json(solver_name: str, value: Any) -> Any:
    try:
        return _plain(value)
    except _NonFinite:
        raise non_finite_error(solver_name) from None


def _cannot_compute(info: SolverInfo, exc: ArithmeticError) -> SolverError:
    return SolverError(f"Solver '{info.name}' cannot compute these parameters: {exc}.")


def _run(info: SolverInfo, fn: Callable[..., Any], clean: dict[str, Any]) -> Any:
    try:
        return fn(**clean)
    except SolverError:
        raise
    except (OverflowError, ZeroDivisionError, FloatingPointError) as exc:
        raise _cannot_compute(info, exc) from exc


def _checked_step(step: Step) -> Step:
    """``step`` with a plain JSON value (the same object when it already is); raises _NonFinite."""
    value = step.value
    kind = type(value)
    if kind in _KEPT or (kind is float and value - value == 0.0):
        return step
    plain = _plain(value)
    return step if plain is value else Step(step.label, step.latex, plain)


def solve(name: str, params: dict[str, Any]) -> Solution:
    """Validate ``params``, run solver ``name``, and return a JSON-ready Solution.

    Raises
    ------
    SolverError
        Unknown solver, bad parameters, impossible geometry, non-finite result.
    """
    info = _SOLVERS.get(name) if type(name) is str else None
    if info is None:
        info = get_solver(name)
    clean = info.check_params(params)
    try:  # _run, inlined: this is the path every question takes
        sol: Solution = info.fn(**(info.prepare(clean) if info.prepare else clean))
    except SolverError:
        raise
    except (OverflowError, ZeroDivisionError, FloatingPointError) as exc:
        raise _cannot_compute(info, exc) from exc
    if sol.checked:  # the solver checked its own numbers (see Solution)
        return sol
    try:
        steps = sol.steps
        answer = sol.answer
        if type(steps) is tuple:
            # Step values and the answer (its values, for a dict) in one pass; the answer, or
            # a value of it, that is a step's value (the same object) is checked once.
            values = [s.value for s in steps]
            if type(answer) is dict and set(map(type, answer)) <= _ONLY_STRS:
                ids = set(map(id, values))
                values += [v for v in answer.values() if id(v) not in ids]
            elif not (values and answer is values[-1]):
                values.append(answer)
            if _all_plain_finite(values):
                return sol
        steps = tuple([_checked_step(s) for s in steps])
        if steps and answer is steps[-1].value and type(answer) is list:  # already checked, kept as it is
            return sol if steps is sol.steps else Solution(answer, steps)
        answer = _plain(answer)
    except _NonFinite:
        raise non_finite_error(name) from None
    return sol if steps is sol.steps and answer is sol.answer else Solution(answer, steps)


def mistake_answers(name: str, params: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, Any]:
    """Answer of every registered mistake of solver ``name`` (or only of ``names``) for ``params``.

    A mistake that cannot be computed for these parameters (its formula breaks,
    e.g. a division by zero) is left out; so is a name the solver does not have.
    """
    info = get_solver(name)
    clean = info.check_params(params)
    if info.prepare:
        clean = info.prepare(clean)
    out: dict[str, Any] = {}
    wanted = info.mistakes.values() if names is None else [info.mistakes[n] for n in names if n in info.mistakes]
    for m in wanted:
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
