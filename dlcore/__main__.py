"""Command line: ``python -m dlcore list`` and ``python -m dlcore solve NAME --params JSON``."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import NoReturn

from dlcore.errors import SolverError
from dlcore.registry import list_solvers, solve

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail(f"Bad command line: {message}.")


def _fail(message: str) -> NoReturn:
    sys.stderr.write(json.dumps({"error": message}) + "\n")
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m dlcore", description="dlquiz numeric engine")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="print every solver as JSON")
    p_solve = sub.add_parser("solve", help="solve one problem")
    p_solve.add_argument("name")
    p_solve.add_argument("--params", default="{}", help="JSON object of parameters")
    args = parser.parse_args(argv)

    # Overflow inside numpy is caught by the finite-result check; its warnings must not
    # add lines to the one-line JSON error contract.
    warnings.simplefilter("ignore", RuntimeWarning)
    if args.command == "list":
        print(json.dumps(list_solvers(), indent=1))
        return 0
    try:
        params = json.loads(args.params, parse_constant=_reject_constant)
    except ValueError as exc:
        _fail(f"--params is not valid JSON: {exc}.")
    try:
        solution = solve(args.name, params)
    except SolverError as exc:
        _fail(str(exc))
    except RecursionError:
        _fail("The parameters are nested too deeply.")
    print(json.dumps(solution.to_dict(), allow_nan=False))
    return 0


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed; parameters must be finite numbers")


if __name__ == "__main__":
    raise SystemExit(main())
