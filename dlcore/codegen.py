"""Straight-line Python written by dlcore for one geometry of a solver, compiled once and kept in its plan.

A quiz-sized geometry (sizes, stride, padding) can be solved by a function written for it: the inputs
unpacked into local variables, every computed number one expression in the formula's order, the step values
list displays and their LaTeX f-strings. CPython runs that about twice as fast as the same work done with
index tables, which matters for the bench against PyTorch.

The rule that keeps this safe: a generated source holds only numbers derived from the sizes (validated
integers) and the solver module's own texts (labels, LaTeX). A parameter's value never enters a source; values
reach the compiled function as its arguments. Plans, and so compiled functions, are cached per geometry only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dlcore.types import Step

__all__ = ["compiled", "fstring", "names", "rows_display", "step_source", "unpack"]


def compiled(source: str, name: str, namespace: dict[str, Any], origin: str) -> Any:
    """The function ``name`` that ``source`` (written by a dlcore module from sizes only) defines.

    ``namespace`` holds the names the source uses besides builtins (``Step`` and ``_new`` are always there);
    ``origin`` names the source in tracebacks, e.g. ``"conv2d 4x4 k3 s1 p1"``.
    """
    scope: dict[str, Any] = {"Step": Step, "_new": tuple.__new__, **namespace}
    exec(compile(source, f"<{origin}>", "exec"), scope)  # noqa: S102 - the module's own source, see above
    return scope[name]


def rows_display(names: Sequence[str], width: int) -> str:
    """A list display of ``names`` as rows of ``width``: the source of a matrix."""
    return "[" + ", ".join(["[" + ", ".join(names[r:r + width]) + "]" for r in range(0, len(names), width)]) + "]"


def fstring(template: str, names: Sequence[str]) -> str:
    """The source of an f-string giving ``template % (values of names)`` (each ``%s`` one name, in order)."""
    first, *rest = template.replace("{", "{{").replace("}", "}}").split("%s")
    return "f" + repr(first + "".join(["{" + name + "}" + part for name, part in zip(names, rest, strict=True)]))


def step_source(label: str, latex: str, value: str) -> str:
    """The source of a Step with a constant label, the LaTeX source ``latex`` and the value source ``value``."""
    return f"_new(Step, ({label!r}, {latex}, {value}))"


def names(prefix: str, n: int) -> list[str]:
    """``n`` local names: prefix0, prefix1, ..."""
    return [f"{prefix}{i}" for i in range(n)]


def unpack(targets: Sequence[str], value: str) -> str:
    """The source of ``a, b, ... = value`` (with a trailing comma, so that a single target unpacks too)."""
    return "".join([f"{target}, " for target in targets]) + f"= {value}"
