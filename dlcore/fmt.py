"""LaTeX formatting of numbers for worked steps.

Step *values* keep full precision; only the LaTeX text is rounded for reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain
from typing import Any

__all__ = ["num", "nums", "vec", "mat", "plain_g", "COMMON_TEXTS"]


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
    text = "%g" % x if digits == 6 else f"{x:.{digits}g}"  # noqa: UP031 - %g is %.6g, and str % is faster
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exp)}}}"
    return text


_SEP = "\x00"
_NEG_ZERO = re.compile(r"-0(?![.\d])")  # a number written "-0" (not "-0.25")


def plain_g(text: str, own_e: int = 0) -> bool:
    """True when every number that ``%.6g`` wrote into ``text`` reads exactly as ``num`` writes it.

    The two differ only for exponents (an 'e' beyond the ``own_e`` of the template's own text),
    infinities and NaN (an 'n') and -0; the template's own text must hold no 'n' and no "-0".

    >>> plain_g("%.6g, %.6g" % (0.25, -1.5)), plain_g("%.6g" % 1e-9), plain_g("[%.6g]" % -0.0)
    (True, False, False)
    """
    return text.count("e") == own_e and "n" not in text and ("-0" not in text or not _NEG_ZERO.search(text))
_ONLY_FLOATS = frozenset({float})
_ONLY_LISTS = frozenset({list})


def _common_texts() -> dict[float, str]:
    """``num`` of the numbers quiz inputs are made of: integers up to 1000, tenths up to 100, hundredths up to 10.

    A constant table built once at import (about 5,000 entries): a lookup instead of formatting a float.
    Every entry is exactly ``num(key)``.
    """
    keys = {float(k) for k in range(-1000, 1001)}
    keys.update(k / 10 for k in range(-1000, 1001))
    keys.update(k / 100 for k in range(-1000, 1001))
    return {k: num(k) for k in keys}


COMMON_TEXTS = _common_texts()  # also looked up by solvers that write their own texts (conv2d)


def nums(xs: Sequence[float]) -> list[str]:
    """``[num(x) for x in xs]`` for a list of floats.

    Common numbers (see ``_common_texts``) are looked up; when most are not, the whole list is formatted in one
    C-level pass: ``%.6g`` is what ``num`` writes for every float except integers of 10^6 and more, exponents
    and -0 (spotted by an ``e``, or by a whole item ``-0``), which go through ``num`` one by one.

    >>> nums([1.0, -0.25, 2e-9, 0.1 + 0.2])
    ['1', '-0.25', '2 \\\\times 10^{-9}', '0.3']
    """
    if not xs:
        return []
    if xs[0] in COMMON_TEXTS:  # inputs are mostly common numbers, computed values mostly not: the first one decides
        texts: list[Any] = list(map(COMMON_TEXTS.get, xs))
        misses = texts.count(None)
        if not misses:
            return texts
        if misses * 4 <= len(texts):
            return [t if t is not None else num(x) for t, x in zip(texts, xs, strict=True)]
    text = _SEP.join(["%g"] * len(xs)) % tuple(xs)  # %g is %.6g: fields without a precision format faster
    return text.split(_SEP) if plain_g(text) else [num(x) for x in xs]


def vec(xs: Sequence[Any], digits: int = 6) -> str:
    """Format a vector as a LaTeX row ``[a, b, c]``."""
    if digits == 6 and set(map(type, xs)) == _ONLY_FLOATS:
        return "[" + ", ".join(nums(xs)) + "]"
    return "[" + ", ".join([num(x, digits) for x in xs]) + "]"


def mat(rows: Sequence[Sequence[Any]], digits: int = 6) -> str:
    """Format a matrix as a LaTeX ``bmatrix``."""
    if digits == 6 and rows and set(map(type, rows)) == _ONLY_LISTS:
        flat = list(chain.from_iterable(rows))
        if set(map(type, flat)) == _ONLY_FLOATS:
            texts = nums(flat)
            cells, start = [], 0
            for row in rows:
                cells.append(" & ".join(texts[start:start + len(row)]))
                start += len(row)
            return r"\begin{bmatrix} " + r" \\ ".join(cells) + r" \end{bmatrix}"
    body = r" \\ ".join([" & ".join([num(x, digits) for x in row]) for row in rows])
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"
