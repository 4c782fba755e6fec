"""Declared solver parameters and their validation.

Every solver declares its parameters once; :func:`validate` turns untrusted
JSON-like input into clean Python values or raises :class:`SolverError` with
one sentence naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from dlcore.errors import SolverError

__all__ = ["Param", "REQUIRED", "validate", "validator", "MAX_ELEMENTS"]

REQUIRED: Any = object()
MAX_ELEMENTS = 100_000  # bigger inputs are never a quiz question and could exhaust memory
MAX_INT = 10**9

# Type names as they appear in `python -m dlcore list`.
_TYPES = {
    "int", "float", "bool", "str",
    "vector",            # list of numbers
    "int_list",          # list of integers
    "matrix",            # list of rows of numbers
    "number_or_vector",  # a number, or a list of numbers
    "json",              # structured input checked by the solver itself
}


@dataclass(frozen=True)
class Param:
    """Declaration of one solver parameter.

    Parameters
    ----------
    type : str
        One of ``int, float, bool, str, vector, int_list, matrix,
        number_or_vector, json``.
    default : Any
        :data:`REQUIRED` when the caller must give it.
    min, max : float, optional
        Inclusive bounds for numbers (every element for lists).
    choices : tuple, optional
        Allowed values for ``str`` parameters.
    positive : bool
        Numbers must be strictly greater than zero.
    """

    type: str
    default: Any = REQUIRED
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] | None = None
    positive: bool = False
    help: str = ""
    check: Callable[[str, Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"unknown parameter type {self.type!r}")
        object.__setattr__(self, "check", _checker(self))

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "default": None if self.required else self.default}
        out["required"] = self.required
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.help:
            out["help"] = self.help
        return out


def _number(name: str, value: Any, p: Param, *, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = "an integer" if integer else "a number"
        raise SolverError(f"Parameter '{name}' must be {kind}, got {_show(value)}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise SolverError(f"Parameter '{name}' must be finite, got {value}.")
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise SolverError(f"Parameter '{name}' must be an integer, got {value}.")
            value = int(value)
        if abs(value) > MAX_INT:
            raise SolverError(f"Parameter '{name}' is too large ({_show(value)}); the limit is {MAX_INT}.")
    else:
        try:
            value = float(value)
        except OverflowError:
            raise SolverError(f"Parameter '{name}' is too large to be a number.") from None
    if p.positive and value <= 0:
        raise SolverError(f"Parameter '{name}' must be greater than 0, got {_fmt(value)}.")
    if p.min is not None and value < p.min:
        raise SolverError(f"Parameter '{name}' must be at least {_fmt(p.min)}, got {_fmt(value)}.")
    if p.max is not None and value > p.max:
        raise SolverError(f"Parameter '{name}' must be at most {_fmt(p.max)}, got {_fmt(value)}.")
    return int(value) if integer else float(value)


def _fmt(x: float) -> str:
    """A bound or value for an error sentence: 3, 0.5, 1e+308 (not 309 digits)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(float(x))


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer with more digits than Python converts to text
        return "a number too long to show"
    return text if len(text) <= 40 else text[:37] + "..."


def _list(name: str, value: Any, p: Param, *, integer: bool) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise SolverError(f"Parameter '{name}' must be a list of numbers, got {_show(value)}.")
    if len(value) == 0:
        raise SolverError(f"Parameter '{name}' must not be empty.")
    if len(value) > MAX_ELEMENTS:
        raise SolverError(f"Parameter '{name}' has {len(value)} elements; the limit is {MAX_ELEMENTS}.")
    return [_number(f"{name}[{i}]", v, p, integer=integer) for i, v in enumerate(value)]


def _matrix(name: str, value: Any, p: Param) -> list[list[float]]:
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(r, (list, tuple)) for r in value):
        raise SolverError(f"Parameter '{name}' must be a matrix given as a non-empty list of rows.")
    width = len(value[0])
    if width == 0:
        raise SolverError(f"Parameter '{name}' must not have empty rows.")
    if len(value) * width > MAX_ELEMENTS:
        raise SolverError(f"Parameter '{name}' has {len(value) * width} elements; the limit is {MAX_ELEMENTS}.")
    for i, row in enumerate(value):
        if len(row) != width:
            raise SolverError(f"Parameter '{name}' must have rows of equal length: row 0 has {width}, row {i} has {len(row)}.")
    return [[float(_number(f"{name}[{i}][{j}]", v, p, integer=False)) for j, v in enumerate(row)] for i, row in enumerate(value)]


def _one(name: str, value: Any, p: Param) -> Any:
    t = p.type
    if t == "int":
        return _number(name, value, p, integer=True)
    if t == "float":
        return _number(name, value, p, integer=False)
    if t == "bool":
        if not isinstance(value, bool):
            raise SolverError(f"Parameter '{name}' must be true or false, got {_show(value)}.")
        return value
    if t == "str":
        if not isinstance(value, str):
            raise SolverError(f"Parameter '{name}' must be a string, got {_show(value)}.")
        if p.choices is not None and value not in p.choices:
            options = ", ".join(repr(c) for c in p.choices)
            raise SolverError(f"Parameter '{name}' must be one of {options}, got {value!r}.")
        return value
    if t == "vector":
        return _list(name, value, p, integer=False)
    if t == "int_list":
        return _list(name, value, p, integer=True)
    if t == "matrix":
        return _matrix(name, value, p)
    if t == "number_or_vector":
        if isinstance(value, (list, tuple)):
            return _list(name, value, p, integer=False)
        return _number(name, value, p, integer=False)
    return value  # "json": the solver checks its structure


# The checkers below accept the common well-formed input (plain lists of plain
# numbers within bounds) in a few C-level passes and hand everything else to
# `_one`, which gives the exact error sentence. They only ever return what
# `_one` would return for the same value.

_FLOAT_MAX = 1.7976931348623157e308
_ONLY_FLOATS = frozenset({float})
_ONLY_INTS = frozenset({int})
_NUMBERS = frozenset({float, int})
_ONLY_LISTS = frozenset({list})


def _bounds(p: Param, *, integer: bool) -> tuple[float, float]:
    """Inclusive (lo, hi) of the values `_number` accepts; finite, so NaN and inf fail `lo <= v <= hi`."""
    limit = MAX_INT if integer else _FLOAT_MAX
    lo, hi = float(-limit), float(limit)
    if p.positive:
        lo = max(lo, 1.0 if integer else math.nextafter(0.0, 1.0))
    if p.min is not None:
        lo = max(lo, p.min)
    if p.max is not None:
        hi = min(hi, p.max)
    return lo, hi


def _floats(v: Any, lo: float, hi: float) -> list[float] | None:
    """``v`` as a new list of finite floats within [lo, hi], or None when it is not one."""
    if type(v) is not list or not 0 < len(v) <= MAX_ELEMENTS:
        return None
    kinds = set(map(type, v))
    if kinds == _ONLY_FLOATS:
        out = v[:]
    elif kinds <= _NUMBERS:
        try:
            out = list(map(float, v))
        except OverflowError:  # an int beyond the float range: `_one` gives the sentence
            return None
        if kinds == _ONLY_INTS and lo == -_FLOAT_MAX and hi == _FLOAT_MAX:  # ints convert to finite floats
            return out
    else:
        return None
    total = sum(out)
    if total - total == 0.0:  # x - x is 0.0 only for finite x: every element is finite
        # Finite floats always lie within the default bounds (-_FLOAT_MAX, _FLOAT_MAX).
        if (lo == -_FLOAT_MAX or lo <= min(out)) and (hi == _FLOAT_MAX or max(out) <= hi):
            return out
    return None


def _checker(p: Param) -> Callable[[str, Any], Any]:
    t = p.type
    if t in ("int", "int_list"):
        ilo, ihi = _bounds(p, integer=True)
    else:
        lo, hi = _bounds(p, integer=False)

    if t == "int":
        def check_int(name: str, v: Any) -> Any:
            return v if type(v) is int and ilo <= v <= ihi else _one(name, v, p)
        return check_int
    if t == "float":
        def check_float(name: str, v: Any) -> Any:
            if type(v) is float and lo <= v <= hi:
                return v
            return float(v) if type(v) is int and lo <= v <= hi else _one(name, v, p)
        return check_float
    if t == "bool":
        def check_bool(name: str, v: Any) -> Any:
            return v if v is True or v is False else _one(name, v, p)
        return check_bool
    if t == "str":
        choices = p.choices

        def check_str(name: str, v: Any) -> Any:
            return v if type(v) is str and (choices is None or v in choices) else _one(name, v, p)
        return check_str
    if t == "vector":
        def check_vector(name: str, v: Any) -> Any:
            out = _floats(v, lo, hi)
            return _one(name, v, p) if out is None else out
        return check_vector
    if t == "number_or_vector":
        def check_number_or_vector(name: str, v: Any) -> Any:
            if type(v) is float and lo <= v <= hi:
                return v
            if type(v) is int and lo <= v <= hi:
                return float(v)
            out = _floats(v, lo, hi)
            return _one(name, v, p) if out is None else out
        return check_number_or_vector
    if t == "int_list":
        def check_int_list(name: str, v: Any) -> Any:
            if type(v) is list and 0 < len(v) <= MAX_ELEMENTS and set(map(type, v)) == _ONLY_INTS \
                    and ilo <= min(v) and max(v) <= ihi:
                return v[:]
            return _one(name, v, p)
        return check_int_list
    if t == "matrix":
        bounded = lo != -_FLOAT_MAX or hi != _FLOAT_MAX  # finite floats always lie within the default bounds

        def check_matrix(name: str, v: Any) -> Any:
            # One C-level pass per question: rows all lists, of one width, elements all of the allowed types.
            if type(v) is list and v and set(map(type, v)) == _ONLY_LISTS:
                width = len(v[0])  # every row has it when the set of lengths has one member
                if len(set(map(len, v))) == 1 and 0 < len(v) * width <= MAX_ELEMENTS:
                    kinds = set(map(type, chain.from_iterable(v)))
                    if kinds == _ONLY_FLOATS:  # checked without a copy of the values
                        total = sum(chain.from_iterable(v))
                        if total - total == 0.0 and (not bounded or lo <= min(chain.from_iterable(v))
                                                     and max(chain.from_iterable(v)) <= hi):
                            return list(map(list, v))
                    elif kinds <= _NUMBERS:  # integers (and floats): converted row by row
                        try:
                            rows = [list(map(float, row)) for row in v]
                        except OverflowError:  # `_one` raises as it does
                            return _one(name, v, p)
                        if kinds == _ONLY_INTS and not bounded:  # an int converts to a finite float or raises
                            return rows
                        floats = list(chain.from_iterable(rows))
                        total = sum(floats)
                        if total - total == 0.0 and (not bounded or lo <= min(floats) and max(floats) <= hi):
                            return rows
            return _one(name, v, p)
        return check_matrix
    def check_json(name: str, v: Any) -> Any:
        return v  # the solver checks its structure
    return check_json


def _first_missing(solver: str, spec: dict[str, Param], params: dict[str, Any]) -> None:
    missing = [n for n, p in spec.items() if p.required and n not in params]
    if missing:
        raise SolverError(f"Missing parameter '{missing[0]}' for '{solver}'.")


def validate(solver: str, spec: dict[str, Param], params: Any) -> dict[str, Any]:
    """Check ``params`` against ``spec``; fill defaults; raise SolverError."""
    if not isinstance(params, dict):
        raise SolverError(f"Parameters of '{solver}' must be a JSON object, got {_show(params)}.")
    if not params.keys() <= spec.keys():
        extra = sorted(set(params) - set(spec))
        raise SolverError(f"Unknown parameter '{extra[0]}' for '{solver}'; it takes: {', '.join(spec)}.")
    clean: dict[str, Any] = {}
    try:
        for name, p in spec.items():
            if name not in params:
                if p.default is REQUIRED:
                    break
                clean[name] = p.default
            elif params[name] is None and p.default is None:
                clean[name] = None
            else:
                clean[name] = p.check(name, params[name])
    except SolverError:
        _first_missing(solver, spec, params)  # a missing parameter is reported before a bad one
        raise
    if len(clean) < len(spec):
        _first_missing(solver, spec, params)
    return clean


def validator(solver: str, spec: dict[str, Param]) -> Callable[[Any], dict[str, Any]]:
    """``validate`` for one solver, with its declarations unpacked once.

    Well-formed parameters are checked in one loop over local tuples; anything wrong is handed to
    ``validate``, which raises the very sentence it always raises (a missing parameter before a bad one).
    """
    entries = tuple((name, p.check, p.default) for name, p in spec.items())
    names = spec.keys()

    def check(params: Any) -> dict[str, Any]:
        if type(params) is not dict or not params.keys() <= names:
            return validate(solver, spec, params)
        clean: dict[str, Any] = {}
        try:
            for name, check_one, default in entries:
                if name in params:
                    value = params[name]
                    clean[name] = None if value is None and default is None else check_one(name, value)
                elif default is REQUIRED:
                    return validate(solver, spec, params)
                else:
                    clean[name] = default
        except SolverError:
            return validate(solver, spec, params)
        return clean

    return check
