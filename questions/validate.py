"""``validate_template``: everything a reviewer would check, run over many seeds."""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from questions.answers import format_answer
from questions.errors import TemplateError
from questions.grading import grade_part
from questions.template import TemplateSpec, template_from_dict
from questions.variants import Variant, generate_variant

__all__ = ["validate_template"]

MAX_MESSAGES = 20


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


def _check_variant(v: Variant) -> list[str]:
    problems: list[str] = []
    if not v.text_html.strip():
        problems.append("the text renders empty")
    try:
        if json.loads(json.dumps(v.params, allow_nan=False)) != v.params:
            problems.append("the parameters do not survive a JSON round trip")
        if Variant.from_dict(json.loads(json.dumps(v.to_dict(), allow_nan=False))) != v:
            problems.append("the variant does not survive a JSON round trip")
    except (TypeError, ValueError) as exc:
        problems.append(f"the variant is not JSON-serialisable ({exc})")
    for part in v.parts:
        name = f"part '{part.key}'"
        if not _finite(part.correct):
            problems.append(f"{name}: the correct answer is not finite")
            continue
        ids = [c["id"] for c in part.choices]
        htmls = [c["html"] for c in part.choices]
        if len(set(ids)) != len(ids) or len(set(htmls)) != len(htmls):
            problems.append(f"{name}: two choices are the same")
        result = grade_part(part, format_answer(part.type, part.correct))
        if result.score != 1.0:
            problems.append(f"{name}: the correct answer, typed as {format_answer(part.type, part.correct)!r}, "
                            f"does not get full marks ({result.format_error or result.score})")
        for mname, m in part.mistakes.items():
            typed = m["choice"] if "choice" in m else format_answer(part.type, m["value"])
            r = grade_part(part, typed)
            if r.score >= 1.0:
                problems.append(f"{name}: mistake '{mname}' ({typed!r}) gets full marks")
            elif r.mistake != mname and part.type not in ("single_choice",):
                if r.mistake is None:
                    problems.append(f"{name}: mistake '{mname}' ({typed!r}) is not recognised when typed")
    return problems


def validate_template(spec: TemplateSpec | dict[str, Any], n_variants: int = 200, start: int = 0) -> list[str]:
    """Human-readable problems of a template over seeds ``start .. start+n_variants-1``; empty means OK.

    ``start`` lets a caller check a long run in chunks (the TA page's progress bar).
    """
    if not isinstance(spec, TemplateSpec):
        try:
            spec = template_from_dict(spec)
        except TemplateError as exc:
            return [str(exc)]
    problems: Counter[str] = Counter()
    first_seed: dict[str, int] = {}
    seen_mistakes: dict[str, set[str]] = {p.key: set() for p in spec.parts}
    generated = 0
    for seed in range(start, start + n_variants):
        try:
            v = generate_variant(spec, seed)
        except TemplateError as exc:
            msg = str(exc)
            problems[msg] += 1
            first_seed.setdefault(msg, seed)
            if len(problems) >= MAX_MESSAGES or problems[msg] >= 3:
                break  # the same error on every seed: say it once
            continue
        generated += 1
        for msg in _check_variant(v):
            problems[msg] += 1
            first_seed.setdefault(msg, seed)
        for part in v.parts:
            seen_mistakes[part.key].update(part.mistakes)
        if len(problems) >= MAX_MESSAGES:
            break
    out = [f"seed {first_seed[m]}: {m}" + (f" (and {n - 1} more seeds)" if n > 1 else "") for m, n in problems.items()]
    if generated:
        for part in spec.parts:
            for m in part.mistakes:
                if m.name not in seen_mistakes[part.key] and not part.options:
                    out.append(f"part '{part.key}': mistake '{m.name}' never has a value in {generated} variants")
    return out
