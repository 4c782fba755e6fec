"""The safety rule of dlcore.codegen: a generated source never holds a parameter's value.

A fresh interpreter (empty plan caches) records every source dlcore compiles while solving each solver that
has a generated path with marked values; no marker may appear in any source."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = r"""
import json, sys
import dlcore.codegen as codegen
from dlcore.registry import solve

sources = []
real_compile = compile

def recording_compile(source, filename, mode, *args, **kwargs):
    sources.append((filename, source))
    return real_compile(source, filename, mode, *args, **kwargs)

codegen.compile = recording_compile  # the module's global shadows the builtin
for name, params in json.loads(sys.argv[1]):
    solve(name, params)
print(json.dumps(sources))
"""

M = 7654.321  # markers: no size, index or constant of a source is one of these
CASES = [
    ("conv2d", {"input": [[M, 1, 2], [3, -M, 4], [5, 6, 0.9876]], "kernel": [[0.9876, -M], [2, 3]], "bias": M,
                "padding": 1, "activation": "leaky_relu", "alpha": 0.9876}),
    ("conv2d_multi", {"input": [[[M, 2], [3, 0.9876]], [[1, -M], [4, 5]]],
                      "filters": [[[[M]], [[0.9876]]]], "bias": [M], "padding": 1}),
    ("pool2d", {"input": [[M, 1, 2, 3], [4, -M, 6, 7], [8, 9, 0.9876, 1], [2, 3, 4, 5]], "kernel": 2}),
    ("pool2d", {"input": [[M, 1, 2, 3], [4, -M, 6, 7], [8, 9, 0.9876, 1], [2, 3, 4, 5]], "kernel": 2, "mode": "avg"}),
    ("softmax", {"logits": [0.9876, -7.654321, 3.5]}),
    ("cnn_summary", {"input": [4099, 4099, 4391], "layers": ["CONV-7-4327", "POOL-2", "FC-4363", "FC-4373"]}),
]
MARKERS = ["7654", "9876", "4099", "4391", "4327", "4363", "4373", "3.5"]


def test_no_parameter_value_enters_a_generated_source():
    out = subprocess.run([sys.executable, "-c", _SCRIPT, json.dumps(CASES)], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    sources = json.loads(out.stdout)
    origins = " ".join(filename for filename, _ in sources)
    for solver in ("conv2d", "conv2d_multi", "pool2d", "softmax", "cnn_summary"):
        assert solver in origins, f"{solver} compiled nothing: the test would not show anything"
    for filename, source in sources:
        for marker in MARKERS:
            assert marker not in source, f"{marker} is in the source of {filename}"
