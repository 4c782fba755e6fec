"""Benchmark: ``python -m dlcore.bench [--seconds S] [SOLVER ...]``.

Prints, for every solver, in-process solves per second *with* worked steps
(``dlcore.solve``: validation, steps, JSON conversion), and where a PyTorch
reference exists, the same computation with PyTorch in the same run and the
ratio dlcore / PyTorch (above 1 means dlcore is faster). The two are measured in
alternating rounds and the best round of each counts (as ``timeit`` advises), so
that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from dlcore.registry import list_solvers, solve

__all__ = ["rate", "best_rates", "main"]


def rate(fn: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``fn`` measured over about ``seconds``."""
    fn()  # warm-up (imports)
    calls, start = 0, time.perf_counter()
    batch = 1
    while True:
        for _ in range(batch):
            fn()
        calls += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed
        batch = min(batch * 2, 10_000)


def best_rates(ours: Callable[[], Any], theirs: Callable[[], Any] | None, seconds: float,
               rounds: int) -> tuple[float, float | None]:
    """The best of ``rounds`` rates of each, measured in alternation so that both see the same machine load."""
    best_ours, best_theirs = 0.0, 0.0
    for _ in range(rounds):
        best_ours = max(best_ours, rate(ours, seconds / rounds))
        if theirs is not None:
            best_theirs = max(best_theirs, rate(theirs, seconds / rounds))
    return best_ours, (best_theirs if theirs is not None else None)


def _example_params() -> dict[str, dict[str, Any]]:
    """One representative parameter set per solver: the first golden/reference case, else a default."""
    from dlcore.torch_reference import cases

    out: dict[str, dict[str, Any]] = {  # solvers PyTorch does not compute: an exam-sized example
        "svm_decision": {"support_vectors": [[1.0, 2.0], [2.0, 0.5], [0.0, 1.0]], "coefficients": [0.5, -0.7, 0.2],
                         "bias": -0.3, "x": [1.5, 1.0], "kernel": "polynomial", "degree": 2},
    }
    for module_cases in cases().values():
        for name, params in module_cases:
            out.setdefault(name, params)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlcore.bench", description=__doc__)
    parser.add_argument("solvers", nargs="*")
    parser.add_argument("--seconds", type=float, default=0.6, help="time per measurement")
    parser.add_argument("--rounds", type=int, default=3,
                        help="each measurement is split into this many alternating rounds; the best counts")
    args = parser.parse_args(argv)

    refs: dict[str, Callable[[dict[str, Any]], Any]]
    try:
        import torch

        torch.set_num_threads(1)
        from dlcore.torch_reference import references

        refs = references()
        torch_version = str(torch.__version__)
    except ImportError:
        refs, torch_version = {}, "not installed"
    examples = _example_params()
    names = args.solvers or [s["name"] for s in list_solvers()]
    print(f"# dlcore bench: Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, torch {torch_version}, {args.seconds:g} s per measurement "
          f"(best of {args.rounds} alternating rounds), one thread")
    print(f"| {'solver':<28} | {'dlcore solves/s':>15} | {'torch solves/s':>14} | {'ratio':>6} |")
    print(f"|{'-' * 30}|{'-' * 17}|{'-' * 16}|{'-' * 8}|")
    for name in names:
        params = examples.get(name)
        if params is None:
            print(f"| {name:<28} | {'(no example)':>15} | {'':>14} | {'':>6} |")
            continue
        ours, theirs = best_rates(partial(solve, name, params), partial(refs[name], params) if name in refs else None,
                                  args.seconds, args.rounds)
        if theirs:
            print(f"| {name:<28} | {ours:>15,.0f} | {theirs:>14,.0f} | {ours / theirs:>6.1f} |")
        else:
            print(f"| {name:<28} | {ours:>15,.0f} | {'-':>14} | {'-':>6} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
