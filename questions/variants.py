"""Turning a :class:`TemplateSpec` and a seed into one student's :class:`Variant`."""

from __future__ import annotations

import copy
import json
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from html import escape as html_escape
from typing import Any

import numpy as np

import dlcore
from questions.answers import all_match, element_matches, input_hint
from questions.errors import EvaluationFailure, ExpressionError, TemplateError
from questions.expressions import compile_expression
from questions.render import format_value, render_inline, render_markdown
from questions.template import FREE_TYPES, ParamSpec, PartSpec, TemplateSpec

__all__ = ["Variant", "VariantPart", "generate_variant", "regenerate_variant", "MAX_DRAWS"]

MAX_DRAWS = 1000
MAX_ELEMENTS = 10_000


@dataclass
class VariantPart:
    """One answer box of a variant, with everything needed to grade it."""

    key: str
    label: str
    type: str
    points: float
    correct: Any
    tolerance: dict[str, Any] = field(default_factory=dict)
    partial: str = "none"
    choices: list[dict[str, str]] = field(default_factory=list)
    mistakes: dict[str, dict[str, Any]] = field(default_factory=dict)
    explanation_html: str = ""
    input: dict[str, Any] = field(default_factory=dict)
    option_feedback: dict[str, str] = field(default_factory=dict)

    def public_dict(self) -> dict[str, Any]:
        """What the student may see before grading: no answer, no mistakes, no explanation."""
        return {"key": self.key, "label": self.label, "type": self.type, "points": self.points,
                "choices": [dict(c) for c in self.choices], "input": dict(self.input)}

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> VariantPart:
        return cls(**copy.deepcopy(dict(d)))


@dataclass
class Variant:
    """One student's instance of a template: a pure function of (template, seed)."""

    slug: str
    title: str
    seed: int
    template_hash: str
    params: dict[str, Any]
    text_html: str
    parts: list[VariantPart]
    steps: list[dict[str, Any]]
    explanation_html: str = ""

    @property
    def max_score(self) -> float:
        return float(sum(p.points for p in self.parts))

    def part(self, key: str) -> VariantPart:
        for p in self.parts:
            if p.key == key:
                return p
        raise KeyError(key)

    def public_dict(self) -> dict[str, Any]:
        """Safe to send to the student's browser before grading."""
        return {"slug": self.slug, "title": self.title, "text_html": self.text_html,
                "max_score": self.max_score, "parts": [p.public_dict() for p in self.parts]}

    def to_dict(self) -> dict[str, Any]:
        d = copy.deepcopy(asdict(self))
        d["parts"] = [p.to_dict() for p in self.parts]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Variant:
        data = copy.deepcopy(dict(d))
        data["parts"] = [VariantPart.from_dict(p) for p in data["parts"]]
        return cls(**data)


class _Rejected(Exception):
    """This draw is unusable; draw again. ``reason`` is counted across draws."""

    def __init__(self, reason: str, path: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path


def _err(spec: TemplateSpec, message: str, path: str) -> TemplateError:
    return TemplateError(message, path=path or None, line=spec.line_of(path))


_IMMUTABLE = (int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """``copy.deepcopy``, skipping the (common) values that cannot be shared by mistake."""
    return value if type(value) in _IMMUTABLE or type(value) is str else copy.deepcopy(value)


def _surely_json(value: Any) -> bool:
    """True if ``json.dumps(value, allow_nan=False)`` surely succeeds; False if it would not or it is not sure."""
    t = type(value)
    if t is int or t is str or t is bool or value is None:
        return True
    if t is float:
        return math.isfinite(value)
    if t is list or t is tuple:
        return all(_surely_json(v) for v in value)
    return False


def _json_ok(value: Any) -> bool:
    """Whether ``json.dumps(value, allow_nan=False)`` succeeds (asking json only in the unusual cases)."""
    try:
        if _surely_json(value):
            return True
    except RecursionError:  # a self-containing list from YAML anchors: json says 'circular reference'
        pass
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _value_of(spec: TemplateSpec, source: Any, env: Mapping[str, Any], path: str) -> Any:
    """Evaluate an expression string (other values are literals)."""
    if not isinstance(source, str):
        return _copy(source)
    try:
        return _plain(compile_expression(source).evaluate(env))
    except EvaluationFailure as exc:
        raise _Rejected(f"'{source}' could not be computed ({exc.message})", path) from None
    except ExpressionError as exc:
        raise _err(spec, f"{exc.message} (in {source!r})", path) from None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _number(spec: TemplateSpec, value: Any, path: str, *, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _err(spec, f"expected a number, got {format_value(value)[:40]!r}", path)
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise _err(spec, f"expected a whole number, got {value}", path)
        return int(value)
    return float(value)


def _elements(spec: TemplateSpec, data: dict[str, Any], count: int, rng: np.random.Generator,
              env: Mapping[str, Any], path: str) -> list[Any]:
    if count > MAX_ELEMENTS:
        raise _err(spec, f"more than {MAX_ELEMENTS} elements", path)
    if "int" in data:
        lo, hi = (_number(spec, _value_of(spec, b, env, path), path, integer=True) for b in data["int"])
        pool = [v for v in range(int(lo), int(hi) + 1) if not (data.get("nonzero") and v == 0)] if hi - lo < 10_000 else None
        if pool is not None:
            if not pool:
                raise _err(spec, f"the range [{lo}, {hi}] is empty", path)
            return [pool[int(i)] for i in rng.integers(len(pool), size=count)]
        return [int(v) for v in rng.integers(lo, hi + 1, size=count)]
    lo, hi = (_number(spec, _value_of(spec, b, env, path), path, integer=False) for b in data["float"])
    if lo > hi:
        raise _err(spec, f"the range [{lo}, {hi}] is empty", path)
    decimals = data.get("decimals", 2)
    out = []
    for v in rng.uniform(lo, hi, size=count):
        x = round(float(v), decimals)
        tries = 0
        while data.get("nonzero") and x == 0 and tries < 100:
            x, tries = round(float(rng.uniform(lo, hi)), decimals), tries + 1
        out.append(x + 0.0)  # +0.0 turns -0.0 into 0.0
    return out


_Sampler = Callable[[np.random.Generator], Any]


def _fast_sampler(spec: TemplateSpec, p: ParamSpec) -> _Sampler | None:
    """For a parameter whose range is literal numbers: the draw without re-reading the range (same random calls,
    same value). None when the generic path is needed (expressions, or a range that raises)."""
    d = p.data
    try:
        if p.kind == "int" and not any(isinstance(b, str) for b in [*d["int"], d.get("step", 1)]):
            env: dict[str, Any] = {}
            lo, hi = (_number(spec, _value_of(spec, b, env, ""), "", integer=True) for b in d["int"])
            step = _number(spec, _value_of(spec, d.get("step", 1), env, ""), "", integer=True)
            n = (hi - lo) // step + 1
            if step <= 0 or n <= 0:
                return None
            return lambda rng: int(lo + step * int(rng.integers(n)))
        if p.kind == "float" and not any(isinstance(b, str) for b in d["float"]):
            lo, hi = (_number(spec, _value_of(spec, b, {}, ""), "", integer=False) for b in d["float"])
            decimals = d.get("decimals", 2)
            if lo > hi:
                return None
            return lambda rng: round(float(rng.uniform(lo, hi)), decimals) + 0.0
        if p.kind == "choice":
            choices = d["choice"]
            if not all(_json_ok(c) for c in choices):
                return None
            return lambda rng: _copy(choices[int(rng.integers(len(choices)))])
        if p.kind == "vector" and not isinstance(d["vector"]["length"], str):
            n = _number(spec, _value_of(spec, d["vector"]["length"], {}, ""), "", integer=True)
            return _fast_elements(spec, d["vector"], int(n))
        if p.kind == "matrix" and not any(isinstance(b, str) for b in d["matrix"]["shape"]):
            r, c = (int(_number(spec, _value_of(spec, b, {}, ""), "", integer=True)) for b in d["matrix"]["shape"])
            flat = _fast_elements(spec, d["matrix"], r * c)
            if flat is None:
                return None
            return lambda rng: (lambda f: [f[i * c:(i + 1) * c] for i in range(r)])(flat(rng))
    except (TemplateError, _Rejected, TypeError, ValueError, KeyError, AttributeError):
        return None
    return None


def _fast_elements(spec: TemplateSpec, data: dict[str, Any], count: int) -> _Sampler | None:
    """``_elements`` for literal ranges, prepared once: the same random calls and values (the numbers converted
    with ``tolist``, which gives the same Python ints and floats as ``int()``/``float()`` per element)."""
    if not 0 <= count <= MAX_ELEMENTS:
        return None
    nonzero = bool(data.get("nonzero"))
    if "int" in data:
        if any(isinstance(b, str) for b in data["int"]):
            return None
        lo, hi = (_number(spec, _value_of(spec, b, {}, ""), "", integer=True) for b in data["int"])
        if hi - lo >= 10_000:
            return None
        pool = [v for v in range(int(lo), int(hi) + 1) if not (nonzero and v == 0)]
        if not pool:
            return None
        size = len(pool)
        return lambda rng: [pool[i] for i in rng.integers(size, size=count).tolist()]
    if any(isinstance(b, str) for b in data["float"]):
        return None
    flo, fhi = (_number(spec, _value_of(spec, b, {}, ""), "", integer=False) for b in data["float"])
    if flo > fhi or not math.isfinite(fhi - flo):
        return None  # an empty range (reported per draw) or draws that may not be finite: the generic path
    decimals = data.get("decimals", 2)

    def draw(rng: np.random.Generator) -> list[float]:
        out = [round(v, decimals) + 0.0 for v in rng.uniform(flo, fhi, size=count).tolist()]
        if nonzero and 0.0 in out:
            for i, x in enumerate(out):
                tries = 0
                while x == 0 and tries < 100:
                    x, tries = round(float(rng.uniform(flo, fhi)), decimals), tries + 1
                out[i] = x + 0.0
        return out

    return draw


def _sample(spec: TemplateSpec, rng: np.random.Generator, samplers: list[_Sampler | None]) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for p, fast in zip(spec.params, samplers, strict=True):
        if fast is not None:
            value = env[p.name] = fast(rng)
            if type(value) is not float or math.isfinite(value):
                continue
        path = f"params.{p.name}"
        d = p.data
        if fast is not None:
            pass  # a non-finite float: the check below reports it
        elif p.kind == "int":
            lo, hi = (_number(spec, _value_of(spec, b, env, path), f"{path}.int", integer=True) for b in d["int"])
            step = _number(spec, _value_of(spec, d.get("step", 1), env, path), f"{path}.step", integer=True)
            if step <= 0:
                raise _err(spec, "step must be positive", f"{path}.step")
            n = (hi - lo) // step + 1
            if n <= 0:
                raise _Rejected(f"the range of '{p.name}' [{lo}, {hi}] is empty", f"{path}.int")
            env[p.name] = int(lo + step * int(rng.integers(n)))
        elif p.kind == "float":
            lo, hi = (_number(spec, _value_of(spec, b, env, path), f"{path}.float", integer=False) for b in d["float"])
            if lo > hi:
                raise _Rejected(f"the range of '{p.name}' [{lo}, {hi}] is empty", f"{path}.float")
            env[p.name] = round(float(rng.uniform(lo, hi)), d.get("decimals", 2)) + 0.0
        elif p.kind == "choice":
            env[p.name] = _copy(d["choice"][int(rng.integers(len(d["choice"])))])
        elif p.kind == "vector":
            el = d["vector"]
            n = _number(spec, _value_of(spec, el["length"], env, path), f"{path}.vector.length", integer=True)
            env[p.name] = _elements(spec, el, int(n), rng, env, f"{path}.vector")
        elif p.kind == "matrix":
            el = d["matrix"]
            r, c = (int(_number(spec, _value_of(spec, s, env, path), f"{path}.matrix.shape", integer=True))
                    for s in el["shape"])
            flat = _elements(spec, el, r * c, rng, env, f"{path}.matrix")
            env[p.name] = [flat[i * c:(i + 1) * c] for i in range(r)]
        else:
            env[p.name] = _undrawn(spec, p, env, path)
        _require_json(spec, p, env[p.name], path)
    return env


def _undrawn(spec: TemplateSpec, p: ParamSpec, env: Mapping[str, Any], path: str) -> Any:
    """The value of a parameter that is not drawn: a derived one computed from ``env``, or the constant."""
    if p.kind == "derived":
        return _value_of(spec, p.data["derived"], env, f"{path}.derived")
    return _copy(p.data["value"])


def _require_json(spec: TemplateSpec, p: ParamSpec, value: Any, path: str) -> None:
    if not _json_ok(value):
        raise _err(spec, f"parameter '{p.name}' must be numbers, text or lists of them", path)


def _resolve(spec: TemplateSpec, value: Any, env: Mapping[str, Any], path: str) -> Any:
    if isinstance(value, str):
        try:
            return _value_of(spec, value, env, path)
        except TemplateError as exc:
            if "unknown name" in exc.message and value.strip().isidentifier():
                raise _err(spec, f"{exc.message}. To pass the text {value.strip()} write \"'{value.strip()}'\"",
                           path) from None
            raise
    if isinstance(value, list):
        return [_resolve(spec, v, env, f"{path}.{i}") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _resolve(spec, v, env, f"{path}.{k}") for k, v in value.items()}
    return _copy(value)


@lru_cache(maxsize=4096)
def _select_path(select: str) -> tuple[tuple[str, int | str | None], ...]:
    """``select`` split once: each piece with its list index (None if it is not a whole number)."""
    return tuple((piece, _index(piece) if piece.lstrip("-").isdigit() else None) for piece in select.split("."))


def _index(piece: str) -> int | str:
    try:
        return int(piece)
    except ValueError:  # e.g. '--1' or '²': int() raises again (as before) when the piece is used on a list
        return piece


def _select(answer: Any, select: str | None) -> Any:
    if not select:
        return answer
    value = answer
    for piece, index in _select_path(select):
        t = type(value)
        if (t is dict or (t is not list and isinstance(value, dict))) and piece in value:
            value = value[piece]
        elif isinstance(value, list) and index is not None and -len(value) <= int(index) < len(value):
            value = value[int(index)]
        else:
            keys = ", ".join(map(str, value)) if isinstance(value, dict) else f"a list of {len(value)}" \
                if isinstance(value, list) else "a single value"
            raise KeyError(f"select '{select}': no '{piece}' in the answer (it has {keys})")
    return value


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _floats(row: Any) -> list[float] | None:
    """``[float(v) for v in row]`` if ``row`` is a non-empty list of finite plain ints and floats; None when it is
    not, or not surely (subclasses and other types): the caller then takes the general path."""
    if type(row) is not list or not row:
        return None
    for v in row:
        t = type(v)
        if t is not float and t is not int:
            return None
    out = [float(v) for v in row]
    return out if all(map(math.isfinite, out)) else None


def _normalise(ptype: str, value: Any) -> Any:
    """The value in the part's type, or ``ValueError`` with a reason."""
    if ptype == "vector":
        fast = _floats(value)
        if fast is not None:
            return fast
    elif ptype == "matrix" and type(value) is list and value:
        rows = [_floats(r) for r in value]
        if None not in rows and len({len(r) for r in rows}) == 1:  # type: ignore[union-attr]
            return rows
    if ptype == "integer":
        if _is_num(value) and float(value).is_integer():
            return int(value)
        raise ValueError(f"{format_value(value)[:40]!r} is not a whole number (use type: numeric?)")
    if ptype == "numeric":
        if _is_num(value):
            return float(value)
        raise ValueError(f"{format_value(value)[:40]!r} is not a single number")
    if ptype == "vector":
        if isinstance(value, list) and value and all(_is_num(v) for v in value):
            return [float(v) for v in value]
        raise ValueError(f"{format_value(value)[:40]!r} is not a list of numbers")
    if ptype == "shape":
        if isinstance(value, list) and value and all(_is_num(v) and float(v).is_integer() for v in value):
            return [int(v) for v in value]
        raise ValueError(f"{format_value(value)[:40]!r} is not a list of whole numbers")
    if ptype == "matrix":
        if (isinstance(value, list) and value and all(isinstance(r, list) and r for r in value)
                and len({len(r) for r in value}) == 1 and all(_is_num(v) for r in value for v in r)):
            return [[float(v) for v in r] for r in value]
        raise ValueError(f"{format_value(value)[:40]!r} is not a matrix (list of equal rows)")
    if ptype == "true_false":
        if isinstance(value, bool):
            return value
        raise ValueError(f"{value!r} is not true or false")
    return value  # computed single_choice: any JSON value


def _close(x: float, c: float, tolerance: dict[str, Any]) -> bool:
    return x == c or element_matches(x, c, tolerance)


def _matches(ptype: str, value: Any, correct: Any, tolerance: dict[str, Any]) -> bool:
    """``all_match`` for values that ``_normalise`` returned: equal numbers match without asking the tolerance."""
    if ptype == "vector" or ptype == "shape":
        return len(value) == len(correct) and all(_close(x, c, tolerance) for x, c in zip(value, correct, strict=True))
    if ptype == "matrix":
        return len(value) == len(correct) and all(
            len(r) == len(rc) and all(_close(x, c, tolerance) for x, c in zip(r, rc, strict=True))
            for r, rc in zip(value, correct, strict=True))
    return all_match(value, correct, tolerance)


class _Solver:
    """Solve once per (solver, params) within a draw."""

    def __init__(self) -> None:
        self.solutions: dict[str, dlcore.Solution] = {}
        self.mistakes: dict[str, dict[str, Any]] = {}
        self.mistakes_tried: dict[str, set[str]] = {}
        #: solver_params as written (``_Prepared.params_keys``) -> (resolved params, their key): parts that
        #: share the template's solver_params resolve them once per draw
        self.resolved: dict[str, tuple[dict[str, Any], str]] = {}

    @staticmethod
    def key(name: str, params: Any) -> str:
        return name + json.dumps(params, sort_keys=True)

    def solve(self, name: str, params: dict[str, Any], path: str, key: str | None = None) -> dlcore.Solution:
        k = key or self.key(name, params)
        if k not in self.solutions:
            try:
                self.solutions[k] = dlcore.solve(name, params)
            except dlcore.SolverError as exc:
                raise _Rejected(f"solver '{name}' refused the parameters ({exc})", path) from None
        return self.solutions[k]

    def mistake_answers(self, name: str, params: dict[str, Any], key: str | None = None,
                        names: tuple[str, ...] = ()) -> dict[str, Any]:
        """dlcore's mistakes ``names`` of solver ``name``; each computed at most once per draw."""
        k = key or self.key(name, params)
        values = self.mistakes.setdefault(k, {})
        tried = self.mistakes_tried.setdefault(k, set())
        missing = [n for n in names if n not in tried]
        if missing:
            tried.update(missing)
            try:
                values.update(dlcore.mistake_answers(name, params, missing))
            except dlcore.SolverError:
                pass
        return values


def _option_text(part: PartSpec, value: Any) -> str:
    fmt = part.format
    if fmt is None and "decimals" in part.tolerance:
        fmt = f".{part.tolerance['decimals']}f"
    has_float = isinstance(value, float) or (isinstance(value, list) and any(isinstance(v, float) for v in value))
    if fmt is None and has_float:
        fmt = ".4g"
    return format_value(value, fmt)


@dataclass
class _Computed:
    correct: Any
    mistakes: dict[str, Any]
    steps: list[tuple[str, dlcore.Solution]]
    options: list[tuple[Any, str, str | None]] = field(default_factory=list)  # (value, text, mistake name)


def _compute_part(spec: TemplateSpec, part: PartSpec, env: dict[str, Any], solver: _Solver,
                  params_key: str | None = None, keep: bool = False) -> _Computed:
    """The answer, mistakes, steps and options of one part for the numbers ``env``.

    Raises _Rejected when these numbers make a poor variant (a mistake that gives the right answer): the draw is
    then repeated. With ``keep`` (numbers a student already has, see ``regenerate_variant``) such a mistake is
    left out instead.
    """
    steps: list[tuple[str, dlcore.Solution]] = []
    params: dict[str, Any] = {}
    key: str | None = None
    if part.solver:
        if params_key is not None and params_key in solver.resolved:
            params, key = solver.resolved[params_key]
        else:
            params = _resolve(spec, part.solver_params, env, f"{part.path}.solver_params")
            key = solver.key(part.solver, params)
            if params_key is not None:
                solver.resolved[params_key] = (params, key)
        sol = solver.solve(part.solver, params, f"{part.path}.solver_params", key)
        steps.append((key, sol))
        try:
            answer = _select(sol.answer, part.select)
        except KeyError as exc:
            raise _err(spec, str(exc.args[0]), f"{part.path}.select") from None
    elif part.value is not None:
        answer = _value_of(spec, part.value, env, f"{part.path}.value")
    elif part.type == "true_false":
        answer = part.correct
    else:  # fixed options
        return _Computed(correct=part.correct, mistakes={}, steps=[])
    try:
        correct = _normalise(part.type, answer)
    except ValueError as exc:
        raise _err(spec, f"part '{part.key}' is {part.type} but its answer {exc}", part.path) from None

    mistakes: dict[str, Any] = {}
    # Ask dlcore once per draw for every registry mistake that any part of this solver lists.
    registry_names = tuple(dict.fromkeys(
        m.name for p in spec.parts if p.solver == part.solver
        for m in p.mistakes if m.value is None and m.solver_params is None
    ))
    for m in part.mistakes:
        try:
            if m.value is not None:
                raw = _value_of(spec, m.value, env, f"{m.path}.value")
            elif m.solver_params is not None:
                overrides = _resolve(spec, m.solver_params, env, f"{m.path}.solver_params")
                raw = _select(solver.solve(part.solver or "", {**params, **overrides}, m.path).answer, part.select)
            else:
                computed = solver.mistake_answers(part.solver or "", params, key, registry_names)
                if m.name not in computed:
                    continue
                raw = _select(computed[m.name], part.select)
            value = _normalise(part.type, raw)
        except (_Rejected, KeyError, ValueError):
            continue  # this mistake has no value for these numbers
        tolerance = part.tolerance or {}
        if _matches(part.type, value, correct, tolerance):
            if keep:
                continue
            raise _Rejected(f"mistake '{m.name}' of part '{part.key}' gives the correct answer", m.path)
        mistakes[m.name] = value

    out = _Computed(correct=correct, mistakes=mistakes, steps=steps)
    if part.computed_choices:
        seen: dict[str, int] = {}
        candidates: list[tuple[Any, str | None]] = [(correct, None)]
        if part.distractors_from_mistakes:
            candidates += [(v, name) for name, v in mistakes.items()]
        for i, d in enumerate(part.distractors):
            try:
                candidates.append((_value_of(spec, d, env, f"{part.path}.distractors.{i}"), None))
            except _Rejected:
                continue
        for value, name in candidates:
            text = _option_text(part, value)
            if text in seen:
                if seen[text] == 0 and name is not None and not keep:
                    raise _Rejected(f"mistake '{name}' of part '{part.key}' shows the same option as the correct answer",
                                    part.path)
                continue
            if len(out.options) >= part.max_options:
                break
            seen[text] = len(out.options)
            out.options.append((value, text, name))
        if len(out.options) < 2:
            raise _Rejected(f"part '{part.key}' has fewer than 2 distinct options", part.path)
    return out


def _seed_entropy(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TemplateError(f"the seed must be a whole number, got {seed!r}")
    return int(seed) % 2**64


def _letters(n: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(n)]


class _LazyRng:
    """The choice-order generator of a variant, created on the first shuffle (most variants never shuffle)."""

    def __init__(self, entropy: int) -> None:
        self.entropy = entropy
        self.rng: np.random.Generator | None = None

    def permutation(self, n: int) -> np.ndarray:
        if self.rng is None:
            self.rng = np.random.default_rng([self.entropy, 1])
        return self.rng.permutation(n)


def _build_part(spec: TemplateSpec, part: PartSpec, c: _Computed, env: dict[str, Any], answers: dict[str, Any],
                rng: _LazyRng) -> VariantPart:
    def html(text: str, path: str) -> str:
        try:
            return render_inline(text, env)
        except EvaluationFailure as exc:
            raise _err(spec, exc.message, path) from None
        except ExpressionError as exc:
            raise _err(spec, exc.message, path) from None

    vp = VariantPart(key=part.key, label=part.label, type=part.type, points=part.points, correct=c.correct,
                     tolerance=dict(part.tolerance), partial=part.partial)
    explanation_env = {**env, "answers": answers}
    if part.explanation:
        try:
            vp.explanation_html = render_markdown(part.explanation, explanation_env)
        except ExpressionError as exc:
            raise _err(spec, exc.message, f"{part.path}.explanation") from None
    feedback = {m.name: html(m.feedback, f"{m.path}.feedback") if m.feedback else "" for m in part.mistakes}
    if part.type in FREE_TYPES:
        vp.mistakes = {n: {"value": v, "feedback": feedback[n]} for n, v in c.mistakes.items()}
        vp.input = input_hint(part.type, c.correct, part.tolerance)
    elif part.type == "true_false":
        vp.choices = [{"id": "true", "html": "True"}, {"id": "false", "html": "False"}]
    elif part.options:
        order = list(range(len(part.options)))
        if part.shuffle:
            order = [int(i) for i in rng.permutation(len(order))]
        vp.choices = [{"id": part.options[i]["id"], "html": html(part.options[i]["text"], f"{part.path}.options.{i}")}
                      for i in order]
        ids = [ch["id"] for ch in vp.choices]
        if part.type == "multiple_choice":
            wanted = [part.correct] if isinstance(part.correct, str) else list(part.correct)
            vp.correct = sorted(wanted, key=ids.index)
        vp.option_feedback = {o["id"]: html(o["feedback"], f"{part.path}.options.{i}.feedback")
                              for i, o in enumerate(part.options) if o.get("feedback")}
    else:  # computed single choice
        order = [int(i) for i in rng.permutation(len(c.options))] if part.shuffle else list(range(len(c.options)))
        letters = _letters(len(order))
        for letter, i in zip(letters, order, strict=True):
            value, text, name = c.options[i]
            vp.choices.append({"id": letter, "html": html_escape(text)})
            if i == 0:
                vp.correct = letter
            if name is not None:
                vp.mistakes[name] = {"value": value, "feedback": feedback.get(name, ""), "choice": letter}
                if feedback.get(name):
                    vp.option_feedback[letter] = feedback[name]
    return vp


class _Prepared:
    """What generation derives from the template alone, computed once per loaded template.

    A :class:`TemplateSpec` is not changed after loading (a new document is a new spec); as a safeguard the
    preparation is redone if ``raw`` or ``parts`` are replaced.
    """

    __slots__ = ("raw", "parts", "params", "hash", "params_keys", "samplers")

    def __init__(self, spec: TemplateSpec) -> None:
        self.raw = spec.raw
        self.parts = spec.parts
        self.params = spec.params
        self.hash = spec.hash
        self.params_keys = [_params_key(part) for part in spec.parts]
        self.samplers = [_fast_sampler(spec, p) for p in spec.params]


def _params_key(part: PartSpec) -> str | None:
    """Equal for parts whose solver and solver_params are written identically (same types, same order)."""
    if not part.solver:
        return None
    try:
        return json.dumps([part.solver, part.solver_params])
    except (TypeError, ValueError, RecursionError):
        return None


def _prepared(spec: TemplateSpec) -> _Prepared:
    prepared = spec.__dict__.get("_prepared")
    if prepared is None or prepared.raw is not spec.raw or prepared.parts is not spec.parts \
            or prepared.params is not spec.params:
        prepared = spec.__dict__["_prepared"] = _Prepared(spec)
    return prepared


def generate_variant(spec: TemplateSpec, seed: int) -> Variant:
    """Draw parameters from ``seed`` (redrawing failed constraints), solve, render; pure and deterministic."""
    entropy = _seed_entropy(seed)
    prepared = _prepared(spec)
    rng = np.random.default_rng([entropy, 0])
    reasons: Counter[str] = Counter()
    paths: dict[str, str] = {}
    for _ in range(MAX_DRAWS):
        try:
            env = _sample(spec, rng, prepared.samplers)
            computed, text_html = _solve_and_render(spec, prepared, env)
        except _Rejected as r:
            reasons[r.reason] += 1
            paths[r.reason] = r.path
            continue
        break
    else:
        reason, count = reasons.most_common(1)[0]
        raise _err(spec, f"no valid variant in {MAX_DRAWS} draws: {reason} in {count} of them. "
                         "Loosen the constraints or the parameter ranges.", paths[reason])
    return _assemble(spec, prepared, seed, entropy, env, computed, text_html)


_DRAWN_KINDS = frozenset({"int", "float", "choice", "vector", "matrix"})


def regenerate_variant(spec: TemplateSpec, seed: int, params: Mapping[str, Any]) -> Variant:
    """The variant of ``spec`` (e.g. a fixed version of a template) for the numbers a student already has.

    The drawn parameters are taken from ``params`` (the old variant's), whatever ``seed`` would draw now: a
    fix that changes how the template draws, or which draws it redraws, must not change a student's numbers.
    Derived parameters and constants are computed from the new ``spec``. A mistake that happens to give the
    right answer for these numbers is left out (a new draw would redraw it). ``seed`` still orders the choices.

    Raises TemplateError when ``spec`` cannot keep these numbers: a drawn parameter it needs is missing, a
    constraint is false, or its solver refuses them.
    """
    entropy = _seed_entropy(seed)
    prepared = _prepared(spec)
    try:
        env = _kept_params(spec, params)
        computed, text_html = _solve_and_render(spec, prepared, env, keep=True)
    except _Rejected as r:
        raise _err(spec, f"the student's numbers do not fit this version: {r.reason}", r.path) from None
    return _assemble(spec, prepared, seed, entropy, env, computed, text_html)


def _kept_params(spec: TemplateSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of ``spec`` with the drawn ones taken from ``params`` (see regenerate_variant)."""
    env: dict[str, Any] = {}
    for p in spec.params:
        path = f"params.{p.name}"
        if p.kind in _DRAWN_KINDS:
            if p.name not in params:
                raise _Rejected(f"the old variant has no value for the parameter '{p.name}'", path)
            env[p.name] = _copy(params[p.name])
        else:
            env[p.name] = _undrawn(spec, p, env, path)
        _require_json(spec, p, env[p.name], path)
    return env


def _solve_and_render(spec: TemplateSpec, prepared: _Prepared, env: dict[str, Any],
                      keep: bool = False) -> tuple[list[_Computed], str]:
    """Check the constraints, compute every part and render the text for the numbers ``env`` (raises _Rejected)."""
    solver = _Solver()
    for i, expr in enumerate(spec.constraints):
        if not _value_of(spec, expr, env, f"constraints.{i}"):
            raise _Rejected(f"constraint '{expr}' (constraints.{i}) was false", f"constraints.{i}")
    computed = [_compute_part(spec, part, env, solver, k, keep)
                for part, k in zip(spec.parts, prepared.params_keys, strict=True)]
    try:
        text_html = render_markdown(spec.text, env)
    except EvaluationFailure as exc:  # in the text: a placeholder that cannot be computed for these numbers
        raise _Rejected(f"the text could not be rendered ({exc.message})", "text") from None
    except ExpressionError as exc:
        raise _err(spec, exc.message, "text") from None
    return computed, text_html


def _assemble(spec: TemplateSpec, prepared: _Prepared, seed: int, entropy: int, env: dict[str, Any],
              computed: list[_Computed], text_html: str) -> Variant:
    """The variant of the computed parts: choices ordered by the seed, the steps of every solution once."""
    answers = {part.key: c.correct for part, c in zip(spec.parts, computed, strict=True)}
    choice_rng = _LazyRng(entropy)
    parts = [_build_part(spec, part, c, env, answers, choice_rng) for part, c in zip(spec.parts, computed, strict=True)]
    steps: list[dict[str, Any]] = []
    seen: set[str] = set()
    for c in computed:
        for key, sol in c.steps:
            if key not in seen:
                seen.add(key)
                steps.extend(s.to_dict() for s in sol.steps)
    explanation_html = ""
    if spec.explanation:
        try:
            explanation_html = render_markdown(spec.explanation, {**env, "answers": answers})
        except ExpressionError as exc:
            raise _err(spec, exc.message, "explanation") from None
    return Variant(slug=spec.slug, title=spec.title, seed=int(seed), template_hash=prepared.hash, params=env,
                   text_html=text_html, parts=parts, steps=steps, explanation_html=explanation_html)
