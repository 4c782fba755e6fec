"""Equivalence harness for dlcore speed work.

  python tests/dlcore/equivalence.py record OUT.json [SOLVER ...]
  python tests/dlcore/equivalence.py compare OUT.json

Collects parameter sets for the given solvers (all solvers when none given): every
torch_reference case, plus every solve() call made while generating 40 variants of each
question_bank template, plus the [[name, params], ...] lists in tests/dlcore/edge_params/extra_*.json.
Records solve(name, params).to_dict() (or the SolverError text) and mistake_answers(name, params)
for each. `compare` recomputes and prints every difference; exit 1 if any.
Run from the repository root (worktree) with PYTHONPATH=.
"""
from __future__ import annotations

import json
import pathlib
import sys

import dlcore
import dlcore.registry as registry
from dlcore.torch_reference import cases


def collect(names: set[str] | None) -> list[tuple[str, dict]]:
    seen, out = set(), []

    def add(name, params):
        if names and name not in names:
            return
        key = (name, json.dumps(params, sort_keys=True, default=str))
        if key not in seen:
            seen.add(key)
            out.append((name, json.loads(json.dumps(params, default=str))))

    for module_cases in cases().values():
        for name, params in module_cases:
            add(name, params)
    import questions.variants as qv
    from questions.template import load_template

    real_solve = dlcore.solve

    def spy(name, params):
        add(name, params)
        return real_solve(name, params)

    qv.dlcore.solve = spy  # type: ignore[attr-defined]
    try:
        for path in sorted(pathlib.Path("question_bank").rglob("*.yaml")):
            try:
                spec = load_template(path.read_text(), str(path))
            except Exception:
                continue
            for seed in range(40):
                try:
                    qv.generate_variant(spec, seed)
                except Exception:
                    pass
    finally:
        qv.dlcore.solve = real_solve
    for extra in sorted((pathlib.Path(__file__).parent / "edge_params").glob("extra_*.json")):
        for name, params in json.loads(extra.read_text()):
            add(name, params)
    return out


def result(name, params):
    try:
        sol = registry.solve(name, params).to_dict()
    except dlcore.SolverError as exc:
        sol = {"error": str(exc)}
    try:
        mistakes = registry.mistake_answers(name, params)
    except dlcore.SolverError as exc:
        mistakes = {"error": str(exc)}
    return {"solver": name, "params": params, "solution": sol, "mistakes": mistakes}


def main() -> int:
    mode, path, *names = sys.argv[1:]
    if mode == "record":
        recs = [result(n, p) for n, p in collect(set(names) or None)]
        pathlib.Path(path).write_text(json.dumps(recs))
        print(f"recorded {len(recs)} parameter sets")
        return 0
    recs = json.loads(pathlib.Path(path).read_text())
    bad = 0
    for rec in recs:
        now = json.loads(json.dumps(result(rec["solver"], rec["params"])))
        if now != rec:
            bad += 1
            if bad <= 10:
                print("DIFF", rec["solver"], json.dumps(rec["params"])[:200])
                for k in ("solution", "mistakes"):
                    if now[k] != rec[k]:
                        print("  ", k, "was", json.dumps(rec[k])[:400])
                        print("  ", k, "now", json.dumps(now[k])[:400])
    print(f"compared {len(recs)} parameter sets, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
