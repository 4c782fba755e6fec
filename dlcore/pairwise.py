"""Sums of float lists that equal numpy's ``np.sum`` to the last bit, in plain Python.

numpy adds a float array by pairwise summation: runs shorter than 8 from left to right, up to 128
values in 8 interleaved accumulators, longer ones split in halves (a multiple of 8). Solvers that work
on plain lists use these to give exactly the numbers their numpy mistake models and PyTorch give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import add, mul

__all__ = ["left_sum", "plain_sum", "np_sum", "dot"]


def left_sum(values: Iterable[float]) -> float:
    """0.0 + x0 + x1 + ... from left to right."""
    return reduce(add, values, 0.0)


# sum() of floats adds from left to right up to Python 3.11 (and is faster than left_sum); from 3.12
# it compensates rounding errors and would give other last bits.
plain_sum: Callable[[Iterable[float]], float] = sum if sum([1.0, 1e100, 1.0, -1e100]) == 0.0 else left_sum


def dot(a: Iterable[float], b: Iterable[float]) -> float:
    """a_0 b_0 + a_1 b_1 + ... from left to right: the same last bits on every CPU (``np.dot`` may use fused
    multiply-adds, which round differently, depending on the machine's BLAS kernel).

    >>> dot([0.25, -0.2], [0.5, 0.4])  # 0.125 - 0.08000000000000002, each product rounded
    0.044999999999999984
    """
    return plain_sum(map(mul, a, b))


def np_sum(xs: list[float], lo: int, n: int) -> float:
    """``float(np.sum(xs[lo:lo + n]))`` to the last bit.

    >>> np_sum([0.1] * 20, 0, 20) == float(__import__("numpy").sum([0.1] * 20))
    True
    """
    if n < 8:
        return plain_sum(xs[lo:lo + n])
    if n <= 128:
        end = lo + n - n % 8
        r = xs[lo:lo + 8]
        for k in range(lo + 8, end, 8):
            r = list(map(add, r, xs[k:k + 8]))
        r0, r1, r2, r3, r4, r5, r6, r7 = r
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for i in range(end, lo + n):
            res += xs[i]
        return res
    half = n // 2
    half -= half % 8
    return np_sum(xs, lo, half) + np_sum(xs, lo + half, n - half)
