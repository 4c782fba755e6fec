"""Variants per second: ``python -m questions.bench [PATHS]``.

Generates 1,000 variants of each template (the examples in
``tests/questions/examples`` by default) and prints the rate. Not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from questions import TemplateError, generate_variant, load_template

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "questions" / "examples"


def _paths(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args or [str(DEFAULT)]:
        p = Path(a)
        out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("paths", nargs="*", help="template files or folders")
    parser.add_argument("-n", type=int, default=1000, help="variants per template")
    args = parser.parse_args(argv)
    for path in _paths(args.paths):
        try:
            spec = load_template(path.read_text(encoding="utf-8"), source=path.name)
            start = time.perf_counter()
            for seed in range(args.n):
                generate_variant(spec, seed)
            elapsed = time.perf_counter() - start
        except TemplateError as exc:
            print(f"{path.name:40s} error: {exc}")
            continue
        print(f"{path.name:40s} {args.n / elapsed:10.0f} variants/s  ({elapsed * 1000 / args.n:.2f} ms each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
