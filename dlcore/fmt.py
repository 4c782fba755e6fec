"""LaTeX formatting of numbers for worked steps.

Step *values* keep full precision; only the LaTeX text is rounded for reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["num", "nums", "vec", "mat"]


def num(x: Any, digits: int = 6) -> str:
    """Format a number for LaTeX with ``digits`` significant digits.

    >>> num(3), num(0.30000000000000004), num(-1.5e-9)
    ('3', '0.3', '-1.5 \\\\times 10^{-9}')
    """
    t = type(x)
    if t is not float:
        if t is int:
            return str(x)
        if isinstance(x, bool):
            return str(x).lower()
        if isinstance(x, int):
            return str(int(x))
        x = float(x)
    if x.is_integer() and -1e15 < x < 1e15:
        return str(int(x))
    text = f"{x:.6g}" if digits == 6 else f"{x:.{digits}g}"  # a constant spec parses once
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exp)}}}"
    return text


_SEP = "\x00"


def nums(xs: Sequence[float]) -> list[str]:
    """``[num(x) for x in xs]`` for a list of floats, formatted in one C-level pass.

    ``%.6g`` is what ``num`` writes for every float except integers of 10^6 and more, exponents and -0
    (all spotted by an ``e`` or a ``-0``), which go through ``num`` one by one.

    >>> nums([1.0, -0.25, 2e-9])
    ['1', '-0.25', '2 \\\\times 10^{-9}']
    """
    text = (_SEP.join(["%.6g"] * len(xs)) % tuple(xs)) if xs else ""
    if "e" in text or "-0" in text or "n" in text:  # also inf and nan
        return [num(x) for x in xs]
    return text.split(_SEP) if xs else []


def vec(xs: Sequence[Any], digits: int = 6) -> str:
    """Format a vector as a LaTeX row ``[a, b, c]``."""
    return "[" + ", ".join([num(x, digits) for x in xs]) + "]"


def mat(rows: Sequence[Sequence[Any]], digits: int = 6) -> str:
    """Format a matrix as a LaTeX ``bmatrix``."""
    body = r" \\ ".join([" & ".join([num(x, digits) for x in row]) for row in rows])
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"
