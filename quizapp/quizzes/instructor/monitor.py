"""The grading monitor: where every attempt of a quiz is, from answering to graded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch

from quizapp.quizzes.models import Attempt, Grade, Quiz, Submission


@dataclass(frozen=True)
class MonitorRow:
    attempt_id: int
    username: str
    full_name: str
    attempt_number: int
    attempt_status: str
    submission_id: int | None
    submission_status: str | None
    score: Decimal | None
    max_score: Decimal | None
    grades: int
    submitted_at: datetime | None
    error: str


@dataclass(frozen=True)
class GradingMonitor:
    quiz: Quiz
    attempts: dict[str, int]  # in_progress, submitted
    submissions: dict[str, int]  # pending, grading, graded, failed
    rows: list[MonitorRow] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        """Some submission is still waiting for or in grading: the page keeps refreshing."""
        return bool(self.submissions[Submission.Status.PENDING] or self.submissions[Submission.Status.GRADING])


def _counts(queryset, choices) -> dict[str, int]:  # type: ignore[no-untyped-def]
    found = dict(queryset.values_list("status").annotate(n=Count("id")).order_by())
    return {value: found.get(value, 0) for value, _ in choices}


def grading_monitor(*, quiz: Quiz) -> GradingMonitor:
    attempts = Attempt.objects.filter(quiz=quiz)
    submissions = Submission.objects.filter(attempt__quiz=quiz)
    newest_first = Grade.objects.order_by("-created_at", "-id")
    rows = []
    for attempt in (attempts.select_related("student", "submission")
                    .prefetch_related(Prefetch("submission__grades", queryset=newest_first))
                    .order_by("student__username", "number")):
        submission = getattr(attempt, "submission", None)
        grades = list(submission.grades.all()) if submission else []
        current = grades[0] if grades else None
        rows.append(MonitorRow(
            attempt_id=attempt.id, username=attempt.student.username, full_name=attempt.student.get_full_name(),
            attempt_number=attempt.number, attempt_status=attempt.status,
            submission_id=submission.id if submission else None,
            submission_status=submission.status if submission else None,
            score=current.score if current else None, max_score=current.max_score if current else None,
            grades=len(grades), submitted_at=attempt.submitted_at, error=submission.error if submission else "",
        ))
    return GradingMonitor(
        quiz=quiz, attempts=_counts(attempts, Attempt.Status.choices),
        submissions=_counts(submissions, Submission.Status.choices), rows=rows,
    )
