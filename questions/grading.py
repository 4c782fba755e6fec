"""Grading one part or a whole variant. Bad student input never raises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from questions.answers import AnswerFormatError, parse_answer, values_match
from questions.variants import Variant, VariantPart

__all__ = ["PartResult", "grade_part", "grade_variant"]


@dataclass(frozen=True)
class PartResult:
    """Outcome of one answer box.

    ``format_error`` set means the answer could not be read: it is not graded
    (score 0) and the message says what to type. ``feedback`` is sanitised HTML.
    """

    score: float
    correct: bool
    format_error: str | None = None
    feedback: str | None = None
    parsed: Any = None
    mistake: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _score_free(part: VariantPart, parsed: Any) -> float:
    fraction = values_match(parsed, part.correct, part.tolerance)
    if fraction == 1.0:
        return 1.0
    if part.partial in ("per_element", "per_axis"):
        return fraction
    return 0.0


def _score_multiple(part: VariantPart, picked: list[str]) -> float:
    wanted = set(part.correct)
    chosen = set(picked)
    if chosen == wanted:
        return 1.0
    if part.partial != "per_option":
        return 0.0
    right, wrong = len(chosen & wanted), len(chosen - wanted)
    return max(0.0, (right - wrong) / len(wanted))


def grade_part(part: VariantPart, raw_answer: Any) -> PartResult:
    """Grade one answer. Unreadable input gives a ``format_error``, never an exception."""
    try:
        ids = [c["id"] for c in part.choices]
        parsed = parse_answer(part.type, raw_answer, expected=part.correct, choice_ids=ids)
    except AnswerFormatError as exc:
        return PartResult(score=0.0, correct=False, format_error=str(exc))
    except Exception:  # noqa: BLE001 - a student must never crash grading
        return PartResult(score=0.0, correct=False, format_error="This answer could not be read.")

    if part.type == "multiple_choice":
        score = _score_multiple(part, parsed)
    elif part.type == "single_choice":
        score = 1.0 if parsed == part.correct else 0.0
    elif part.type == "true_false":
        score = 1.0 if parsed == part.correct else 0.0
    else:
        score = _score_free(part, parsed)

    feedback = mistake = None
    if score < 1.0:
        if part.type in ("single_choice", "multiple_choice", "true_false"):
            picked = parsed if isinstance(parsed, list) else [parsed]
            for name, m in part.mistakes.items():
                if m.get("choice") in picked:
                    mistake = name
                    break
            notes = [part.option_feedback[p] for p in picked if isinstance(p, str) and p in part.option_feedback]
            feedback = " ".join(notes) or None
        else:
            matched = [(name, m.get("feedback") or "") for name, m in part.mistakes.items()
                       if values_match(parsed, m["value"], part.tolerance) == 1.0]
            if matched:  # several mistakes can lead to the same number: show every explanation
                mistake = matched[0][0]
                feedback = " ".join(dict.fromkeys(f for _, f in matched if f)) or None
    return PartResult(score=score, correct=score >= 1.0, feedback=feedback, parsed=parsed, mistake=mistake)


def grade_variant(variant: Variant, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Grade every part; unreadable answers are listed under ``format_errors``, apart from the scores."""
    if not isinstance(answers, Mapping):
        answers = {}
    total = 0.0
    parts: dict[str, Any] = {}
    format_errors: dict[str, str] = {}
    for part in variant.parts:
        result = grade_part(part, answers.get(part.key))
        parts[part.key] = result.to_dict()
        if result.format_error:
            format_errors[part.key] = result.format_error
        total += result.score * part.points
    return {"score": total, "max_score": variant.max_score, "parts": parts, "format_errors": format_errors}


def check_format(part: VariantPart, raw_answer: Any) -> str | None:
    """The format error of a (possibly unfinished) answer, or None; says nothing about correctness.

    Used while the student types, so that "1,703" is flagged before submission.
    An empty answer is not an error here.
    """
    if raw_answer is None or (isinstance(raw_answer, str) and not raw_answer.strip()):
        return None
    try:
        ids = [c["id"] for c in part.choices]
        parse_answer(part.type, raw_answer, expected=part.correct, choice_ids=ids)
    except AnswerFormatError as exc:
        return str(exc)
    except Exception:  # noqa: BLE001 - a student must never crash the save
        return "This answer could not be read."
    return None
