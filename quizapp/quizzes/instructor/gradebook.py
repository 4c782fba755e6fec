"""The quiz's grades as a CSV file an LMS gradebook imports: one row per student who attempted.

Each student's score is their best current grade over their attempts. Cells that a spreadsheet
would read as a formula (starting with = + - @, a tab or a carriage return) are prefixed with
an apostrophe, so that a username like ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.text import slugify

from quizapp.courses.models import Membership
from quizapp.quizzes.models import Attempt, Grade, Quiz, Submission

COLUMNS = ["username", "email", "first_name", "last_name", "score", "max_score", "percent", "attempts", "submitted_at"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class GradebookRow:
    username: str
    email: str
    first_name: str
    last_name: str
    score: Decimal | None
    max_score: Decimal
    attempts: int
    submitted_at: datetime | None

    @property
    def percent(self) -> Decimal | None:
        if self.score is None or not self.max_score:
            return None
        return (self.score * 100 / self.max_score).quantize(Decimal("0.01"))


def _best(attempts: list[Attempt]) -> tuple[Grade | None, Attempt | None]:
    """The highest current grade over the attempts (the earlier attempt on a tie)."""
    best: tuple[Grade | None, Attempt | None] = (None, None)
    for attempt in sorted(attempts, key=lambda a: a.number):
        submission = getattr(attempt, "submission", None)
        if submission is None or submission.status != Submission.Status.GRADED:
            continue
        grades = list(submission.grades.all())
        if grades and (best[0] is None or grades[0].score > best[0].score):
            best = (grades[0], attempt)
    return best


def gradebook_rows(*, quiz: Quiz) -> list[GradebookRow]:
    quiz_max = sum((slot.points for slot in quiz.slots.all()), Decimal(0))
    students = Membership.objects.filter(course_id=quiz.course_id, role=Membership.Role.STUDENT).values("user_id")
    attempts = (
        Attempt.objects.filter(quiz=quiz, student_id__in=students)
        .select_related("student", "submission")
        .prefetch_related(Prefetch("submission__grades", queryset=Grade.objects.order_by("-created_at", "-id")))
    )
    by_student: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_student.setdefault(attempt.student_id, []).append(attempt)
    rows = []
    for student_attempts in by_student.values():
        student = student_attempts[0].student
        grade, attempt = _best(student_attempts)
        submitted = [a.submitted_at for a in student_attempts if a.submitted_at]
        rows.append(GradebookRow(
            username=student.get_username(), email=student.email, first_name=student.first_name,
            last_name=student.last_name, score=grade.score if grade else None,
            max_score=grade.max_score if grade else quiz_max, attempts=len(student_attempts),
            submitted_at=attempt.submitted_at if attempt else max(submitted, default=None),
        ))
    return sorted(rows, key=lambda r: r.username)


def safe_cell(value: object) -> str:
    """The cell's text, with an apostrophe in front when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gradebook_csv(*, quiz: Quiz) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in gradebook_rows(quiz=quiz):
        writer.writerow([safe_cell(v) for v in (
            row.username, row.email, row.first_name, row.last_name, _number(row.score), _number(row.max_score),
            _number(row.percent), row.attempts, _utc(row.submitted_at),
        )])
    return out.getvalue()


def gradebook_filename(*, quiz: Quiz) -> str:
    """ASCII letters, digits and dashes only: safe in a Content-Disposition header on every browser."""
    return f"{slugify(quiz.course.code) or 'course'}-{slugify(quiz.title)[:60] or 'quiz'}-grades.csv"
