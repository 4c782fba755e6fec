"""Reads of the student's path. Correct answers leave the server only through attempt_result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from questions import Variant as QuestionVariant
from questions import check_format
from quizapp.core.exceptions import NotFound
from quizapp.courses.models import Membership
from quizapp.quizzes.models import AnswerPart, Attempt, Quiz, Submission


@dataclass(frozen=True)
class QuizCard:
    quiz: Quiz
    attempt: Attempt | None
    is_open: bool

    @property
    def in_progress(self) -> bool:
        return self.attempt is not None and self.attempt.status == Attempt.Status.IN_PROGRESS

    @property
    def can_start_new(self) -> bool:
        return self.is_open and not self.in_progress and self.attempts_used < self.quiz.max_attempts

    @property
    def attempts_used(self) -> int:
        return self.attempt.number if self.attempt else 0


def quiz_list_for_student(*, user: AbstractBaseUser) -> list[QuizCard]:
    course_ids = Membership.objects.filter(user=user, role=Membership.Role.STUDENT).values("course_id")
    quizzes = Quiz.objects.filter(course_id__in=course_ids, published=True).select_related("course")
    latest: dict[int, Attempt] = {}
    for attempt in Attempt.objects.filter(student=user, quiz__in=quizzes).order_by("number"):
        latest[attempt.quiz_id] = attempt
    now = timezone.now()
    return [QuizCard(quiz=q, attempt=latest.get(q.id), is_open=q.is_open(now)) for q in quizzes]


def attempt_for_student(*, attempt_id: int, user: AbstractBaseUser) -> Attempt:
    """The student's own attempt; anybody else's is 'not found' (no hint that it exists)."""
    attempt = Attempt.objects.select_related("quiz", "quiz__course").filter(id=attempt_id, student=user).first()
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def attempt_questions(*, attempt: Attempt) -> list[dict[str, Any]]:
    """What the student sees while answering: text, parts, saved answers. No answers, no steps."""
    saved: dict[tuple[int, str], str] = {}
    variants = list(attempt.variants.prefetch_related("answers").order_by("position"))
    for variant in variants:
        for answer in variant.answers.all():
            saved[(variant.position, answer.part_key)] = answer.raw
    questions = []
    for variant in variants:
        public = QuestionVariant.from_dict(variant.data).public_dict()
        for part in public["parts"]:
            part["saved"] = saved.get((variant.position, part["key"]), "")
            part["saved_ids"] = [x for x in part["saved"].split(",") if x]
        questions.append({"position": variant.position, "points": float(variant.slot.points), **public})
    return questions


def choices_html(value: Any, choices: list[dict[str, Any]]) -> str:
    """The sanitised HTML of the chosen option(s) (ids in ``value``), joined; may hold math."""
    ids = value if isinstance(value, list) else [x for x in str(value).split(",") if x]
    by_id = {c["id"]: c["html"] for c in choices}
    return "; ".join(by_id[i] for i in ids if i in by_id)


def answer_display(value: Any, part_type: str) -> str:
    """A free-entry answer as a student reads it: 16 × 32 × 32, 1.70255, [0.1, 0.2]."""
    if part_type == "shape" and isinstance(value, list):
        return " × ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(answer_display(v, "numeric") for v in value) + "]"
    return str(value)


def answer_format_error(*, answer: AnswerPart) -> str | None:
    """Whether what the student typed can be read (never whether it is right)."""
    variant = QuestionVariant.from_dict(answer.variant.data)
    return check_format(variant.part(answer.part_key), answer.raw)


def solutions_released(*, attempt: Attempt, submission: Submission | None) -> bool:
    if submission is None or submission.status != Submission.Status.GRADED:
        return False
    if attempt.quiz.solutions_release == Quiz.SolutionsRelease.AFTER_CLOSE:
        return timezone.now() >= attempt.quiz.closes_at
    return True


def attempt_result(*, attempt: Attempt) -> dict[str, Any]:
    """Status of the attempt's grading and, once released, score, answers and worked steps."""
    submission = Submission.objects.filter(attempt=attempt).first()
    result: dict[str, Any] = {
        "status": submission.status if submission else "not_submitted",
        "released": solutions_released(attempt=attempt, submission=submission),
        "score": None,
        "max_score": None,
        "questions": [],
    }
    if not result["released"]:
        return result
    grade = submission.current_grade
    result["score"], result["max_score"] = float(grade.score), float(grade.max_score)
    for variant in attempt.variants.order_by("position"):
        qv = QuestionVariant.from_dict(variant.data)
        graded = grade.details.get(str(variant.position), {})
        answers = submission.answers.get(str(variant.position), {})
        parts = []
        for part in qv.parts:
            part_result = graded.get("parts", {}).get(part.key, {})
            raw = answers.get(part.key, "")
            parts.append({
                "key": part.key, "label": part.label, "type": part.type,
                "your_answer": raw,
                "your_answer_html": choices_html(raw, part.choices) if part.choices else "",
                "correct": part.correct,
                "correct_display": "" if part.choices else answer_display(part.correct, part.type),
                "correct_html": choices_html(part.correct, part.choices) if part.choices else "",
                "score": part_result.get("score", 0.0),
                "feedback": part_result.get("feedback"),
                "format_error": graded.get("format_errors", {}).get(part.key),
                "explanation_html": getattr(part, "explanation_html", "") or "",
            })
        result["questions"].append({
            "position": variant.position, "text_html": qv.text_html, "parts": parts, "steps": qv.steps,
            "earned": graded.get("earned", 0.0), "points": graded.get("points", float(variant.slot.points)),
        })
    return result
