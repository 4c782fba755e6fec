"""Variants per second: ``python -m questions.bench [PATHS] [-n N] [--profile]``.

Generates ``N`` (1,000) variants of each template (every ``*.yaml`` under
``question_bank/`` by default; folders are searched recursively) and prints,
per template, the rate and the time 1,000 variants take. Not a test: nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from questions import TemplateError, generate_variant, load_template

DEFAULT = Path(__file__).resolve().parent.parent / "question_bank"


def _paths(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args or [str(DEFAULT)]:
        p = Path(a)
        out.extend(sorted(p.rglob("*.yaml")) if p.is_dir() else [p])
    return out


def _bench(path: Path, n: int) -> float:
    spec = load_template(path.read_text(encoding="utf-8"), source=path.name)
    generate_variant(spec, n)  # warm the per-template caches, as a server would be
    start = time.perf_counter()
    for seed in range(n):
        generate_variant(spec, seed)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("paths", nargs="*", help="template files or folders (default: question_bank/)")
    parser.add_argument("-n", type=int, default=1000, help="variants per template")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of each template")
    args = parser.parse_args(argv)
    rates: list[float] = []
    width = max((len(p.name) for p in _paths(args.paths)), default=10) + 2
    for path in _paths(args.paths):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # numpy's, for extreme draws
                if args.profile:
                    import cProfile
                    import pstats

                    prof = cProfile.Profile()
                    elapsed = prof.runcall(_bench, path, args.n)
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
                else:
                    elapsed = _bench(path, args.n)
        except TemplateError as exc:
            print(f"{path.name:{width}s} error: {exc}")
            continue
        rate = args.n / elapsed
        rates.append(rate)
        print(f"{path.name:{width}s} {rate:8.0f} variants/s   1,000 in {elapsed * 1000 / args.n:7.3f} s")
    if rates:
        print(f"{len(rates)} templates; slowest {min(rates):.0f} variants/s, median {sorted(rates)[len(rates) // 2]:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
