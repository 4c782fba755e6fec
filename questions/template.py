"""Template documents: schema check, static checks and the :class:`TemplateSpec`."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

import dlcore
from questions.errors import TemplateError
from questions.expressions import FUNCTIONS, names_in
from questions.render import check_placeholders
from questions.yamlio import LineMap, dump_yaml, load_yaml

__all__ = ["TemplateSpec", "PartSpec", "MistakeSpec", "ParamSpec", "load_template", "template_from_dict",
           "schema", "FREE_TYPES", "CHOICE_TYPES", "PART_TYPES"]

FREE_TYPES = ("integer", "numeric", "vector", "matrix", "shape")
CHOICE_TYPES = ("single_choice", "multiple_choice")
PART_TYPES = FREE_TYPES + CHOICE_TYPES + ("true_false",)
PARAM_KINDS = ("int", "float", "choice", "vector", "matrix", "derived", "value")
NUMERIC_TYPES = ("integer", "numeric", "vector", "matrix")
DEFAULT_PARTIAL = {"vector": "none", "matrix": "none", "shape": "none", "multiple_choice": "none"}
ALLOWED_PARTIAL = {"vector": {"none", "per_element"}, "matrix": {"none", "per_element"},
                   "shape": {"none", "per_axis"}, "multiple_choice": {"none", "per_option"}}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The published JSON Schema (``questions/template.schema.json``)."""
    text = resources.files("questions").joinpath("template.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema())
    return cls(schema())


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class MistakeSpec:
    name: str
    feedback: str
    solver_params: dict[str, Any] | None = None
    value: str | None = None
    path: str = ""


@dataclass
class PartSpec:
    key: str
    label: str
    type: str
    points: float
    index: int
    path: str
    solver: str | None = None
    solver_params: dict[str, Any] = field(default_factory=dict)
    select: str | None = None
    value: Any = None
    tolerance: dict[str, Any] = field(default_factory=dict)
    partial: str = "none"
    format: str | None = None
    options: list[dict[str, str]] = field(default_factory=list)
    correct: Any = None
    shuffle: bool = True
    distractors_from_mistakes: bool = False
    distractors: list[str] = field(default_factory=list)
    max_options: int = 5
    explanation: str = ""
    mistakes: list[MistakeSpec] = field(default_factory=list)

    @property
    def computed_choices(self) -> bool:
        """A choice part whose options are values (correct + mistakes + distractors)."""
        return self.type == "single_choice" and not self.options


@dataclass
class TemplateSpec:
    """A checked template. ``raw`` is the document as loaded; ``to_yaml`` gives it back."""

    slug: str
    title: str
    topic: list[str]
    difficulty: str
    points: float
    text: str
    explanation: str
    params: list[ParamSpec]
    constraints: list[str]
    parts: list[PartSpec]
    raw: dict[str, Any]
    lines: LineMap = field(default_factory=dict, repr=False)
    source: str = "<template>"
    source_text: str | None = field(default=None, repr=False)

    def to_yaml(self) -> str:
        """The document as YAML: the original text when loaded from YAML (comments kept), else a dump."""
        return self.source_text if self.source_text is not None else dump_yaml(self.raw)

    @property
    def hash(self) -> str:
        """Short content hash; changes whenever the document changes (stored with each variant)."""
        canonical = json.dumps(self.raw, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def line_of(self, path: str) -> int | None:
        return _line(self.lines, path)


def _line(lines: LineMap, path: str) -> int | None:
    if not path:
        return None
    keys: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    while keys:
        if tuple(keys) in lines:
            return lines[tuple(keys)]
        keys.pop()
    return None


class _Checker:
    """Collects the context needed to raise errors naming the field and the line."""

    def __init__(self, lines: LineMap, source: str) -> None:
        self.lines = lines
        self.source = source

    def error(self, message: str, path: str) -> TemplateError:
        return TemplateError(message, path=path or None, line=_line(self.lines, path))

    def expr(self, source: Any, path: str, known: set[str]) -> None:
        if not isinstance(source, str):
            return
        try:
            names = names_in(source)
        except TemplateError as exc:
            raise self.error(exc.message, path) from None
        unknown = sorted(n for n in names if n not in known and n not in FUNCTIONS)
        if unknown:
            shown = ", ".join(sorted(known)) or "none yet"
            raise self.error(f"unknown name '{unknown[0]}' in {source!r} (parameters defined so far: {shown})", path)


def _schema_errors(doc: Any, chk: _Checker) -> None:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    err = jsonschema.exceptions.best_match(errors) or errors[0]
    path = ".".join(str(p) for p in err.absolute_path)
    message = err.message
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        message = f"{message}; allowed fields: {', '.join(allowed)}"
    if len(message) > 300:
        message = message[:297] + "..."
    raise chk.error(message, path)


def _solver_info(name: str, path: str, chk: _Checker) -> dlcore.registry.SolverInfo:
    try:
        return dlcore.get_solver(name)
    except dlcore.SolverError as exc:
        raise chk.error(str(exc), path) from None


def _check_solver_values(value: Any, path: str, chk: _Checker, known: set[str]) -> None:
    if isinstance(value, str):
        chk.expr(value, path, known)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_solver_values(v, f"{path}.{i}", chk, known)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_solver_values(v, f"{path}.{k}", chk, known)


def _params(doc: dict[str, Any], chk: _Checker) -> list[ParamSpec]:
    out: list[ParamSpec] = []
    known: set[str] = set()
    for name, data in (doc.get("params") or {}).items():
        path = f"params.{name}"
        kinds = [k for k in PARAM_KINDS if k in data]
        if len(kinds) != 1:
            raise chk.error(f"give exactly one of {', '.join(PARAM_KINDS)} (found {', '.join(kinds) or 'none'})", path)
        kind = kinds[0]
        if "step" in data and kind != "int":
            raise chk.error("'step' only applies to int parameters", f"{path}.step")
        if "decimals" in data and kind != "float":
            raise chk.error("'decimals' only applies to float parameters (vectors and matrices take it inside)",
                            f"{path}.decimals")
        if name in FUNCTIONS or name in ("pi", "e", "true", "false", "answers"):
            raise chk.error(f"'{name}' is a reserved name", path)
        if kind in ("int", "float"):
            for i, b in enumerate(data[kind]):
                chk.expr(b, f"{path}.{kind}.{i}", known)
            chk.expr(data.get("step"), f"{path}.step", known)
        elif kind in ("vector", "matrix"):
            el = data[kind]
            ranges = [k for k in ("int", "float") if k in el]
            if len(ranges) != 1:
                raise chk.error("give exactly one of int: [lo, hi] or float: [lo, hi]", f"{path}.{kind}")
            if kind == "vector" and "length" not in el:
                raise chk.error("a vector needs a length", f"{path}.vector")
            if kind == "matrix" and "shape" not in el:
                raise chk.error("a matrix needs a shape: [rows, columns]", f"{path}.matrix")
            if "decimals" in el and ranges[0] == "int":
                raise chk.error("'decimals' only applies to float elements", f"{path}.{kind}.decimals")
            for b in [*el[ranges[0]], el.get("length"), *el.get("shape", [])]:
                chk.expr(b, f"{path}.{kind}", known)
        elif kind == "derived":
            chk.expr(data["derived"], f"{path}.derived", known)
        known.add(name)
        out.append(ParamSpec(name=name, kind=kind, data=dict(data)))
    return out


def _mistakes(mapping: dict[str, Any], path: str, chk: _Checker, known: set[str]) -> list[tuple[MistakeSpec, str | None]]:
    out = []
    for name, m in (mapping or {}).items():
        mpath = f"{path}.{name}"
        if "solver_params" in m and "value" in m:
            raise chk.error("give either solver_params or value, not both", mpath)
        if "solver_params" in m:
            _check_solver_values(m["solver_params"], f"{mpath}.solver_params", chk, known)
        chk.expr(m.get("value"), f"{mpath}.value", known)
        spec = MistakeSpec(name=name, feedback=str(m.get("feedback", "")), solver_params=m.get("solver_params"),
                           value=m.get("value"), path=mpath)
        out.append((spec, m.get("part")))
    return out


def _split_points(doc: dict[str, Any], raw_parts: list[dict[str, Any]], chk: _Checker, key: str) -> tuple[float, list[float]]:
    given = [p.get("points") for p in raw_parts]
    total = doc.get("points")
    if all(g is None for g in given):
        total = float(total) if total is not None else float(len(raw_parts))
        return total, [total / len(raw_parts)] * len(raw_parts)
    if any(g is None for g in given):
        missing = next(i for i, g in enumerate(given) if g is None)
        raise chk.error("give points to every part or to none of them", f"{key}.{missing}" if key == "parts" else key)
    parts_total = float(sum(given))  # type: ignore[arg-type]
    if total is not None and abs(float(total) - parts_total) > 1e-9:
        raise chk.error(f"points ({total}) differ from the sum of the parts' points ({parts_total:g})", "points")
    return parts_total, [float(g) for g in given]  # type: ignore[arg-type]


def _part(raw: dict[str, Any], index: int, path: str, points: float, doc: dict[str, Any], chk: _Checker,
          known: set[str]) -> PartSpec:
    ptype = raw["type"]
    key = raw.get("key") or ("answer" if path == "answer" else f"part{index + 1}")
    if "{{" in raw.get("label", ""):
        raise chk.error("a label is fixed text (with $math$); {{placeholders}} are filled in the text only",
                        f"{path}.label")
    part = PartSpec(key=key, label=raw.get("label", "Answer" if path == "answer" else f"Part {index + 1}"),
                    type=ptype, points=points, index=index, path=path)
    part.select = raw.get("select")
    part.format = raw.get("format")
    part.explanation = raw.get("explanation", "")
    part.shuffle = raw.get("shuffle", True)
    part.distractors_from_mistakes = raw.get("distractors_from_mistakes", False)
    part.distractors = list(raw.get("distractors", []))
    part.max_options = raw.get("max_options", 5)
    part.options = [dict(o) for o in raw.get("options", [])]
    part.correct = raw.get("correct")
    part.value = raw.get("value")

    # Solver: the part's own, or the template's (a part naming the same solver extends its params).
    top_solver, top_params = doc.get("solver"), doc.get("solver_params") or {}
    own_solver, own_params = raw.get("solver"), raw.get("solver_params") or {}
    if own_solver and own_solver != top_solver:
        part.solver, part.solver_params = own_solver, dict(own_params)
    elif top_solver:
        part.solver, part.solver_params = top_solver, {**top_params, **own_params}
    elif own_params:
        raise chk.error("solver_params without a solver", f"{path}.solver_params")
    uses_value = part.value is not None
    if uses_value and own_solver:
        raise chk.error("give either value or solver, not both", f"{path}.value")
    if not uses_value and not (ptype in CHOICE_TYPES and part.options) and not (
            ptype == "true_false" and part.correct is not None):
        if part.solver is None:
            raise chk.error("this part needs a solver (here or at the top) or a value expression", path)
    if uses_value or (ptype in CHOICE_TYPES and part.options) or (ptype == "true_false" and part.correct is not None):
        if not own_solver:
            part.solver, part.solver_params = None, {}
    if part.solver:
        info = _solver_info(part.solver, f"{path}.solver" if own_solver else "solver", chk)
        unknown = sorted(set(part.solver_params) - set(info.params))
        if unknown:
            raise chk.error(f"'{part.solver}' has no parameter '{unknown[0]}'; it takes: {', '.join(info.params)}",
                            f"{path}.solver_params" if unknown[0] in own_params else "solver_params")
        missing = [n for n, p in info.params.items() if p.required and n not in part.solver_params]
        if missing:
            raise chk.error(f"'{part.solver}' needs parameter '{missing[0]}'",
                            f"{path}.solver_params" if own_params else "solver_params")
        _check_solver_values(part.solver_params, f"{path}.solver_params", chk, known)
    if isinstance(part.value, str):
        chk.expr(part.value, f"{path}.value", known)

    # Tolerance and partial credit.
    tol = dict(raw.get("tolerance") or {})
    if tol and ptype not in NUMERIC_TYPES and not part.computed_choices:
        raise chk.error(f"tolerance does not apply to {ptype} parts", f"{path}.tolerance")
    if not tol and ptype in ("numeric", "vector", "matrix"):
        tol = {"rel": 0.01}
    part.tolerance = tol
    partial = raw.get("partial", DEFAULT_PARTIAL.get(ptype, "none"))
    if partial not in ALLOWED_PARTIAL.get(ptype, {"none"}):
        allowed = ", ".join(sorted(ALLOWED_PARTIAL.get(ptype, {"none"})))
        raise chk.error(f"partial: {partial} does not apply to {ptype} parts (use {allowed})", f"{path}.partial")
    part.partial = partial

    # Choices.
    if ptype in CHOICE_TYPES:
        if part.options:
            ids = [o["id"] for o in part.options]
            if len(set(ids)) != len(ids):
                raise chk.error("option ids must be distinct", f"{path}.options")
            texts = [o["text"].strip() for o in part.options]
            if len(set(texts)) != len(texts):
                raise chk.error("two options have the same text", f"{path}.options")
            for i, o in enumerate(part.options):
                _placeholders(o["text"], f"{path}.options.{i}.text", chk, known)
            correct = part.correct
            if correct is None:
                raise chk.error("a choice part with options needs 'correct' (an option id, or a list of ids)", path)
            wanted = [correct] if isinstance(correct, str) else correct
            if not isinstance(wanted, list) or not all(isinstance(c, str) for c in wanted):
                raise chk.error("correct must be an option id or a list of option ids", f"{path}.correct")
            for c in wanted:
                if c not in ids:
                    raise chk.error(f"correct names '{c}', which is not an option id ({', '.join(ids)})", f"{path}.correct")
            if ptype == "single_choice" and len(wanted) != 1:
                raise chk.error("a single_choice part has exactly one correct option", f"{path}.correct")
            if ptype == "multiple_choice" and not wanted:
                raise chk.error("a multiple_choice part needs at least one correct option", f"{path}.correct")
            if part.distractors_from_mistakes or part.distractors:
                raise chk.error("give either fixed options or computed distractors, not both", path)
        elif ptype == "multiple_choice":
            raise chk.error("a multiple_choice part needs options", path)
        elif not (part.distractors_from_mistakes or part.distractors):
            raise chk.error("a single_choice part needs options, or distractors_from_mistakes: true / distractors", path)
        for i, d in enumerate(part.distractors):
            chk.expr(d, f"{path}.distractors.{i}", known)
    elif part.options or part.distractors or part.distractors_from_mistakes:
        raise chk.error(f"options and distractors only apply to choice parts, not {ptype}", path)
    elif ptype == "true_false" and part.correct is not None and not isinstance(part.correct, bool):
        raise chk.error("correct must be true or false", f"{path}.correct")
    elif ptype != "true_false" and part.correct is not None:
        raise chk.error("'correct' is for choice parts; use value: or a solver for computed answers", f"{path}.correct")
    if part.explanation:
        _placeholders(part.explanation, f"{path}.explanation", chk, known | {"answers"})
    return part


def _placeholders(text: str, path: str, chk: _Checker, known: set[str]) -> None:
    try:
        check_placeholders(text)
    except TemplateError as exc:
        raise chk.error(f"in a {{{{...}}}} placeholder: {exc.message}", path) from None
    from questions.render import placeholders_in  # local: keeps the import list short

    for inner in placeholders_in(text):
        expr = inner.strip().split("|")[0]
        for fn in ("matrix(", "bmatrix(", "table(", "column("):
            if expr.startswith(fn) and expr.endswith(")"):
                expr = expr[len(fn):-1]
        chk.expr(expr, path, known)


def template_from_dict(doc: Any, source: str = "<template>", *, lines: LineMap | None = None,
                       source_text: str | None = None) -> TemplateSpec:
    """Check a template document (already parsed) and build its :class:`TemplateSpec`."""
    chk = _Checker(lines or {}, source)
    if not isinstance(doc, dict):
        raise TemplateError(f"{source}: a template is a mapping of fields (slug, title, text, ...)")
    if "answer" in doc and "parts" in doc:
        raise chk.error("give either answer (one part) or parts (a list), not both", "parts")
    if "answer" not in doc and "parts" not in doc:
        raise chk.error("a template needs answer: {...} or parts: [...]", "")
    _schema_errors(doc, chk)
    doc = copy.deepcopy(doc)
    params = _params(doc, chk)
    known = {p.name for p in params}
    constraints = list(doc.get("constraints") or [])
    for i, c in enumerate(constraints):
        chk.expr(c, f"constraints.{i}", known)
    _placeholders(doc["text"], "text", chk, known)
    if doc.get("explanation"):
        _placeholders(doc["explanation"], "explanation", chk, known | {"answers"})
    if doc.get("solver"):
        _solver_info(doc["solver"], "solver", chk)
    if "answer" in doc:
        raw_parts, key = [doc["answer"]], "answer"
    else:
        raw_parts, key = list(doc["parts"]), "parts"
    total, points = _split_points(doc, raw_parts, chk, key)
    parts = [
        _part(rp, i, "answer" if key == "answer" else f"parts.{i}", points[i], doc, chk, known)
        for i, rp in enumerate(raw_parts)
    ]
    keys = [p.key for p in parts]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise chk.error(f"two parts have the key '{dup}'", key)

    # Mistakes: part-level ones, then template-level ones (assigned to a part).
    for part, rp in zip(parts, raw_parts, strict=True):
        for m, target in _mistakes(rp.get("mistakes") or {}, f"{part.path}.mistakes", chk, known):
            if target is not None and target != part.key:
                raise chk.error("a mistake listed inside a part cannot name another part", f"{m.path}.part")
            _attach(part, m, chk)
    for m, target in _mistakes(doc.get("mistakes") or {}, "mistakes", chk, known):
        if target is not None:
            matches = [p for p in parts if p.key == target]
            if not matches:
                raise chk.error(f"no part has the key '{target}' (parts: {', '.join(keys)})", f"{m.path}.part")
        elif len(parts) == 1:
            matches = parts
        else:
            matches = [p for p in parts if _applies(p, m)]
            if not matches:
                raise chk.error("this mistake applies to no part; name one with part: <key>", m.path)
        for p in matches:
            _attach(p, m, chk)
    for part in parts:
        if part.distractors_from_mistakes and not part.mistakes:
            raise chk.error("distractors_from_mistakes needs mistakes for this part", part.path)

    topic = doc.get("topic") or []
    return TemplateSpec(
        slug=doc["slug"], title=doc["title"], topic=[topic] if isinstance(topic, str) else list(topic),
        difficulty=doc.get("difficulty", "medium"), points=total, text=doc["text"],
        explanation=doc.get("explanation", ""), params=params, constraints=constraints, parts=parts,
        raw=doc, lines=dict(lines or {}), source=source, source_text=source_text,
    )


def _applies(part: PartSpec, m: MistakeSpec) -> bool:
    if m.value is not None:
        return part.solver is None
    if part.solver is None:
        return False
    info = dlcore.get_solver(part.solver)
    if m.solver_params is not None:
        return set(m.solver_params) <= set(info.params)
    return m.name in info.mistakes


def _attach(part: PartSpec, m: MistakeSpec, chk: _Checker) -> None:
    if part.type in CHOICE_TYPES and part.options:
        raise chk.error("fixed-option parts give feedback per option (options: - feedback: ...), not mistakes", m.path)
    if m.value is None:
        if part.solver is None:
            raise chk.error(f"part '{part.key}' has no solver; give this mistake a value expression", m.path)
        info = dlcore.get_solver(part.solver)
        if m.solver_params is not None:
            unknown = sorted(set(m.solver_params) - set(info.params))
            if unknown:
                raise chk.error(f"'{part.solver}' has no parameter '{unknown[0]}'", f"{m.path}.solver_params")
        elif m.name not in info.mistakes:
            known = ", ".join(info.mistakes) or "none"
            raise chk.error(
                f"'{m.name}' is not a mistake of solver '{part.solver}' (its mistakes: {known}); "
                "or give solver_params overrides or a value expression", m.path)
    if any(x.name == m.name for x in part.mistakes):
        raise chk.error(f"mistake '{m.name}' is listed twice for part '{part.key}'", m.path)
    part.mistakes.append(m)


def load_template(yaml_text: str, source: str = "<template>") -> TemplateSpec:
    """Parse YAML text safely and check it; raise :class:`TemplateError` naming the field and line."""
    doc, lines = load_yaml(yaml_text, source)
    return template_from_dict(doc, source, lines=lines, source_text=yaml_text)
