"""Regenerate the golden files from PyTorch: ``python -m dlcore.torch_reference.regenerate``.

Writes ``tests/dlcore/golden/<module>.json``: a list of
``{"solver", "params", "answer"}`` where ``answer`` is PyTorch's.
"""

from __future__ import annotations

import json
import pathlib
import sys

from dlcore.registry import to_jsonable
from dlcore.torch_reference import cases, references, torch_available

GOLDEN_DIR = pathlib.Path(__file__).resolve().parents[2] / "tests" / "dlcore" / "golden"


def main() -> int:
    if not torch_available():
        print("PyTorch is not installed: pip install torch==2.13.0", file=sys.stderr)
        return 1
    import torch

    refs = references()
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for module, module_cases in cases().items():
        records = [
            {"solver": name, "params": params, "answer": to_jsonable(refs[name](params))}
            for name, params in module_cases
        ]
        path = GOLDEN_DIR / f"{module}.json"
        payload = {"torch_version": torch.__version__, "cases": records}
        path.write_text(json.dumps(payload, indent=1) + "\n")
        print(f"{path.relative_to(GOLDEN_DIR.parents[2])}: {len(records)} cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
