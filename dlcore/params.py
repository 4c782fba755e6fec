"""Declared solver parameters and their validation.

Every solver declares its parameters once; :func:`validate` turns untrusted
JSON-like input into clean Python values or raises :class:`SolverError` with
one sentence naming the parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dlcore.errors import SolverError

__all__ = ["Param", "REQUIRED", "validate", "MAX_ELEMENTS"]

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

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"unknown parameter type {self.type!r}")

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
            raise SolverError(f"Parameter '{name}' is too large ({value}); the limit is {MAX_INT}.")
    else:
        value = float(value)
    if p.positive and value <= 0:
        raise SolverError(f"Parameter '{name}' must be greater than 0, got {_fmt(value)}.")
    if p.min is not None and value < p.min:
        raise SolverError(f"Parameter '{name}' must be at least {_fmt(p.min)}, got {_fmt(value)}.")
    if p.max is not None and value > p.max:
        raise SolverError(f"Parameter '{name}' must be at most {_fmt(p.max)}, got {_fmt(value)}.")
    return int(value) if integer else float(value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _show(value: Any) -> str:
    text = repr(value)
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


def validate(solver: str, spec: dict[str, Param], params: Any) -> dict[str, Any]:
    """Check ``params`` against ``spec``; fill defaults; raise SolverError."""
    if not isinstance(params, dict):
        raise SolverError(f"Parameters of '{solver}' must be a JSON object, got {_show(params)}.")
    extra = sorted(set(params) - set(spec))
    if extra:
        raise SolverError(f"Unknown parameter '{extra[0]}' for '{solver}'; it takes: {', '.join(spec)}.")
    missing = [n for n, p in spec.items() if p.required and n not in params]
    if missing:
        raise SolverError(f"Missing parameter '{missing[0]}' for '{solver}'.")
    clean: dict[str, Any] = {}
    for name, p in spec.items():
        if name not in params:
            clean[name] = p.default
        elif params[name] is None and not p.required and p.default is None:
            clean[name] = None
        else:
            clean[name] = _one(name, params[name], p)
    return clean
