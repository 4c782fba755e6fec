"""Reading students' free-entry answers and comparing values at a tolerance.

Parsing never raises anything but :class:`AnswerFormatError`, whose message is
shown next to the input ("Enter a number such as 1.703"); the answer is then
not graded. Fractions of whole numbers such as ``1/3`` are accepted as exact
values wherever a decimal number is.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["AnswerFormatError", "parse_answer", "values_match", "element_matches", "MAX_ANSWER_CHARS",
           "format_answer", "input_hint"]

MAX_ANSWER_CHARS = 4000
MAX_DIGITS = 40

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+)\s*/\s*([+-]?\d+)")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+(?:,\d+)+(?:\.\d+)?")
_NAN_INF = re.compile(r"[+-]?(nan|inf|infinity|∞)", re.IGNORECASE)
_UNICODE = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\uff0c": ","})


class AnswerFormatError(ValueError):
    """The answer cannot be read; the message tells the student what to type."""


def _clean(raw: Any) -> str:
    if isinstance(raw, bool):
        raise AnswerFormatError("Enter your answer as text.")
    if isinstance(raw, (int, float)):
        raw = repr(raw)
    if raw is None:
        raise AnswerFormatError("Enter an answer.")
    if not isinstance(raw, str):
        raise AnswerFormatError("Enter your answer as text.")
    if len(raw) > MAX_ANSWER_CHARS:  # before any other work: bounded time for any input
        raise AnswerFormatError(f"The answer is too long (more than {MAX_ANSWER_CHARS} characters).")
    text = raw.translate(_UNICODE).strip()
    if not text:
        raise AnswerFormatError("Enter an answer.")
    return text


def _number(token: str, example: str = "1.703") -> float:
    t = token.strip()
    if _NUMBER.fullmatch(t):
        if len(t) > MAX_DIGITS:
            raise AnswerFormatError(f"'{t[:20]}...' has too many digits.")
        value = float(t)
    elif (m := _FRACTION.fullmatch(t)) is not None:
        p, q = m.groups()
        if len(p) > 15 or len(q) > 15:
            raise AnswerFormatError(f"'{t[:20]}' has too many digits.")
        if int(q) == 0:
            raise AnswerFormatError(f"'{t}' divides by zero.")
        value = int(p) / int(q)
    elif _DECIMAL_COMMA.fullmatch(t):
        raise AnswerFormatError(
            f"'{t}' is ambiguous: a comma can be a decimal comma or a thousands separator. "
            f"Write decimals with a dot and no thousands separators, e.g. {t.replace(',', '.', 1)} or {t.replace(',', '')}.")
    elif _NAN_INF.fullmatch(t):
        raise AnswerFormatError(f"'{t}' is not a finite number. Enter a number such as {example}.")
    else:
        shown = t if len(t) <= 20 else t[:17] + "..."
        raise AnswerFormatError(f"'{shown}' is not a number. Enter a number such as {example} (or -0.5, 1e-3, 1/3).")
    if not math.isfinite(value):
        raise AnswerFormatError(f"'{t[:20]}' is too large. Enter a finite number.")
    return value


def _integer(token: str) -> int:
    t = token.strip()
    try:
        value = _number(t, example="42")
    except AnswerFormatError as exc:
        if "not a number" in str(exc):
            raise AnswerFormatError(f"'{t[:20]}' is not a whole number. Enter a whole number such as 42.") from None
        raise
    if not value.is_integer():
        raise AnswerFormatError(f"'{t[:20]}' is not a whole number. Enter a whole number such as 42.")
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    return int(value)


def _strip_brackets(text: str) -> str:
    text = text.strip()
    pairs = {"[": "]", "(": ")", "{": "}"}
    if text and text[0] in pairs and text.endswith(pairs[text[0]]):
        return text[1:-1].strip()
    return text


def _elements(text: str, separators: str) -> list[str]:
    inner = _strip_brackets(text)
    if any(c in inner for c in "[]()"):
        raise AnswerFormatError("Brackets may only surround the whole list.")
    return [t for t in re.split(separators, inner) if t]


def _count_error(found: int, expected: int, example: str) -> AnswerFormatError:
    word = "number" if expected == 1 else "numbers"
    return AnswerFormatError(f"Expected {expected} {word}, found {found}. Enter them like {example}.")


def _vector(text: str, expected: int | None) -> list[float]:
    tokens = _elements(text, r"[\s,;]+")
    example = "[" + ", ".join(["0.1", "0.2", "0.3", "0.4"][: expected or 2]) + (", ...]" if (expected or 2) > 4 else "]")
    if expected is not None and len(tokens) != expected:
        raise _count_error(len(tokens), expected, example)
    if not tokens:
        raise AnswerFormatError(f"Enter numbers like {example}.")
    return [_number(t) for t in tokens]


def _shape(text: str, expected: int | None) -> list[int]:
    tokens = _elements(text, r"\s*[x×X*,;]\s*|\s+")
    example = " x ".join(["16", "32", "32", "8"][: expected or 3])
    if expected is not None and len(tokens) != expected:
        raise _count_error(len(tokens), expected, example)
    if not tokens:
        raise AnswerFormatError(f"Enter a shape like {example}.")
    return [_integer(t) for t in tokens]


def _matrix(text: str, shape: tuple[int, int] | None) -> list[list[float]]:
    body = text.strip()
    if body.startswith("[[") or body.startswith("[ ["):
        body = _strip_brackets(body)
        rows_text = [r for r in re.split(r"\]\s*[,;]?\s*\[", body)]
        rows_text = [r.strip().lstrip("[").rstrip("]") for r in rows_text]
    else:
        body = _strip_brackets(body)
        rows_text = [r for r in re.split(r"\s*;\s*|\s*\n\s*", body) if r.strip()]
    example = "[[1, 2], [3, 4]] or 1 2; 3 4"
    if not rows_text:
        raise AnswerFormatError(f"Enter a matrix like {example}.")
    rows = []
    for r in rows_text:
        tokens = [t for t in re.split(r"[\s,]+", r.strip()) if t]
        if any(c in r for c in "[]()"):
            raise AnswerFormatError(f"Could not read the rows. Enter a matrix like {example}.")
        rows.append([_number(t) for t in tokens])
    widths = {len(r) for r in rows}
    if shape is not None and (len(rows) != shape[0] or widths != {shape[1]}):
        found = f"{len(rows)} rows of " + "/".join(str(w) for w in sorted(widths)) + " numbers"
        raise AnswerFormatError(
            f"Expected a {shape[0]} × {shape[1]} matrix ({shape[0]} rows of {shape[1]} numbers), found {found}.")
    if len(widths) != 1:
        raise AnswerFormatError("All rows must have the same number of entries.")
    return rows


_TRUE = {"true", "t", "yes", "y", "1", "wahr", "vrai"}
_FALSE = {"false", "f", "no", "n", "0"}


def parse_answer(ptype: str, raw: Any, *, expected: Any = None, choice_ids: list[str] | None = None) -> Any:
    """Read ``raw`` as an answer of type ``ptype``; ``expected`` (the correct value) fixes counts and shapes."""
    if ptype in ("single_choice", "multiple_choice"):
        return _choices(ptype, raw, choice_ids or [])
    if ptype == "true_false":
        if isinstance(raw, bool):
            return raw
        text = _clean(raw).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise AnswerFormatError("Answer true or false.")
    text = _clean(raw)
    if ptype == "integer":
        return _integer(text)
    if ptype == "numeric":
        return _number(text)
    if ptype == "vector":
        return _vector(text, len(expected) if isinstance(expected, list) else None)
    if ptype == "shape":
        return _shape(text, len(expected) if isinstance(expected, list) else None)
    if ptype == "matrix":
        shape = (len(expected), len(expected[0])) if isinstance(expected, list) and expected else None
        return _matrix(text, shape)
    raise AnswerFormatError(f"Unknown answer type {ptype}.")


def _choices(ptype: str, raw: Any, ids: list[str]) -> Any:
    if isinstance(raw, str):
        if len(raw) > MAX_ANSWER_CHARS:
            raise AnswerFormatError("The answer is too long.")
        picked = [t for t in re.split(r"[\s,]+", raw.strip()) if t]
    elif isinstance(raw, (list, tuple)) and len(raw) <= 100 and all(isinstance(x, str) for x in raw):
        picked = list(raw)
    elif raw is None:
        picked = []
    else:
        raise AnswerFormatError("Choose from the options.")
    unknown = [p for p in picked if p not in ids]
    if unknown:
        raise AnswerFormatError(f"'{unknown[0][:20]}' is not one of the options.")
    if ptype == "single_choice":
        if len(picked) != 1:
            raise AnswerFormatError("Choose exactly one option." if picked else "Choose an option.")
        return picked[0]
    if not picked:
        raise AnswerFormatError("Choose at least one option.")
    return sorted(set(picked), key=ids.index)


def element_matches(x: Any, c: Any, tolerance: dict[str, Any]) -> bool:
    """One number against the correct one. ``tolerance`` passes if any of its criteria passes."""
    if isinstance(x, bool) or isinstance(c, bool):
        return x == c
    if not isinstance(x, (int, float)) or not isinstance(c, (int, float)):
        return bool(x == c)
    x, c = float(x), float(c)
    if not (math.isfinite(x) and math.isfinite(c)):
        return False
    diff = abs(x - c)
    slack = 1e-12 + 1e-9 * abs(c)  # float noise in the solver and in decimal input
    if diff <= slack:
        return True
    if "abs" in tolerance and diff <= tolerance["abs"] + slack:
        return True
    if "rel" in tolerance and diff <= tolerance["rel"] * abs(c) + slack:
        return True
    if "decimals" in tolerance and diff <= 0.5 * 10.0 ** -tolerance["decimals"] + slack:
        return True
    if "sigfigs" in tolerance and c != 0:
        unit = 10.0 ** (math.floor(math.log10(abs(c))) - tolerance["sigfigs"] + 1)
        if diff <= 0.5 * unit + slack:
            return True
    return False


def _same_structure(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_structure(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_structure(a[k], b[k]) for k in a)
    return not isinstance(a, (list, dict)) and not isinstance(b, (list, dict))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k])]
    return [value]


def values_match(answer: Any, correct: Any, tolerance: dict[str, Any]) -> float:
    """Fraction (0..1) of the elements of ``answer`` that match ``correct``; 0 if the structures differ."""
    if not _same_structure(answer, correct):
        return 0.0
    a, c = _leaves(answer), _leaves(correct)
    if not c:
        return 1.0
    return sum(element_matches(x, y, tolerance) for x, y in zip(a, c, strict=False)) / len(c)


def all_match(answer: Any, correct: Any, tolerance: dict[str, Any]) -> bool:
    """``values_match(answer, correct, tolerance) == 1.0``, stopping at the first element that differs."""
    if isinstance(answer, list) and isinstance(correct, list):
        return len(answer) == len(correct) and all(
            all_match(x, y, tolerance) for x, y in zip(answer, correct, strict=True))
    if isinstance(answer, dict) or isinstance(correct, dict):
        return values_match(answer, correct, tolerance) == 1.0
    if isinstance(answer, list) or isinstance(correct, list):
        return False
    return element_matches(answer, correct, tolerance)


def _num_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if not v.is_integer() or abs(v) >= 1e15 else str(int(v))
    return str(v)


def format_answer(ptype: str, value: Any) -> Any:
    """How a student would type ``value`` (used to self-check templates)."""
    if ptype in ("single_choice", "multiple_choice"):
        return value
    if ptype == "true_false":
        return "true" if value else "false"
    if ptype == "shape":
        return " x ".join(_num_text(v) for v in value)
    if ptype == "vector":
        return "[" + ", ".join(_num_text(v) for v in value) + "]"
    if ptype == "matrix":
        return "[" + ", ".join("[" + ", ".join(_num_text(v) for v in row) + "]" for row in value) + "]"
    return _num_text(value)


def input_hint(ptype: str, correct: Any, tolerance: dict[str, Any]) -> dict[str, Any]:
    """What the input box may tell the student (counts, never values)."""
    if ptype == "shape":
        n = len(correct)
        return {"placeholder": " x ".join(["16", "32", "32", "8"][:n]) if n <= 4 else f"{n} whole numbers",
                "length": n}
    if ptype == "vector":
        return {"placeholder": f"{len(correct)} numbers, e.g. 0.1, 0.2", "length": len(correct)}
    if ptype == "matrix":
        r, c = len(correct), len(correct[0]) if correct else 0
        return {"placeholder": "rows separated by ; e.g. 1 2; 3 4", "shape": [r, c]}
    if ptype == "integer":
        return {"placeholder": "a whole number"}
    if ptype == "numeric":
        hint: dict[str, Any] = {"placeholder": "a number, e.g. 1.703"}
        if "decimals" in tolerance:
            hint["decimals"] = tolerance["decimals"]
        if "sigfigs" in tolerance:
            hint["sigfigs"] = tolerance["sigfigs"]
        return hint
    return {}

