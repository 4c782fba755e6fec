"""Writes of the student's path: start an attempt, save answers, submit, close at the deadline."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from questions import generate_variant
from quizapp.bank.selectors import template_version_spec
from quizapp.core.exceptions import Conflict, DeadlinePassed, NotAllowed, NotFound, QuizNotOpen, ValidationFailed
from quizapp.courses.models import Membership
from quizapp.quizzes.models import AnswerPart, Attempt, Quiz, Submission, Variant
from quizapp.quizzes.seeds import variant_seed

log = logging.getLogger(__name__)


def _grace() -> timedelta:
    return timedelta(seconds=settings.DEADLINE_GRACE_SECONDS)


def _deadline(*, quiz: Quiz, started_at: datetime) -> datetime:
    if quiz.time_limit_minutes:
        return min(quiz.closes_at, started_at + timedelta(minutes=quiz.time_limit_minutes))
    return quiz.closes_at


@transaction.atomic
def attempt_start(*, quiz: Quiz, student: AbstractBaseUser, now: datetime | None = None) -> Attempt:
    """Start (or resume) the student's attempt and draw their variant of every slot."""
    now = now or timezone.now()
    membership = (
        Membership.objects.select_for_update()
        .filter(course_id=quiz.course_id, user=student, role=Membership.Role.STUDENT)
        .first()
    )
    if membership is None:
        raise NotAllowed("You are not a student of this course.")
    if not quiz.is_open(now):
        raise QuizNotOpen("This quiz is not open.")
    attempts = Attempt.objects.filter(quiz=quiz, student=student)
    current = attempts.filter(status=Attempt.Status.IN_PROGRESS).first()
    if current is not None:
        return current
    done = attempts.count()
    if done >= quiz.max_attempts:
        raise Conflict(f"You have used all {quiz.max_attempts} attempt(s) of this quiz.")
    attempt = Attempt.objects.create(
        quiz=quiz, student=student, number=done + 1, started_at=now, deadline=_deadline(quiz=quiz, started_at=now)
    )
    for slot in quiz.slots.prefetch_related("pool").order_by("position"):
        seed = variant_seed(quiz_id=quiz.id, student_id=student.pk, attempt_number=attempt.number, slot_id=slot.id)
        pool = sorted((t for t in slot.pool.all() if t.published_version), key=lambda t: t.id)
        if not pool:
            raise Conflict(f"Question {slot.position} of this quiz has no published template yet.")
        version = pool[seed % len(pool)].published_version
        variant = generate_variant(template_version_spec(version=version), seed)
        Variant.objects.create(
            attempt=attempt, slot=slot, position=slot.position, template_version=version, seed=seed,
            data=variant.to_dict(),
        )
    return attempt


def _own_attempt(*, attempt_id: int, student: AbstractBaseUser, lock: bool = False) -> Attempt:
    qs = Attempt.objects.select_related("quiz")
    if lock:
        qs = qs.select_for_update()
    attempt = qs.filter(id=attempt_id, student=student).first()
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def answer_save(
    *, attempt_id: int, student: AbstractBaseUser, position: int, part_key: str, raw: str,
    now: datetime | None = None,
) -> AnswerPart:
    """Save what the student typed.

    After the deadline (plus a few seconds of grace for the network) nothing
    changes: the attempt is submitted with the answers saved before it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _own_attempt(attempt_id=attempt_id, student=student, lock=True)
        if attempt.status != Attempt.Status.IN_PROGRESS:
            raise Conflict("This attempt has been submitted; answers can no longer change.")
        late = now >= attempt.deadline + _grace()
        if not late:
            return _answer_store(attempt=attempt, position=position, part_key=part_key, raw=raw)
    attempt_submit(attempt_id=attempt_id, student=student, now=now)
    raise DeadlinePassed("The deadline has passed; the answers you saved before it have been submitted.")


def _answer_store(*, attempt: Attempt, position: int, part_key: str, raw: str) -> AnswerPart:
    if len(raw) > settings.ANSWER_MAX_CHARS:
        raise ValidationFailed(
            f"The answer is too long ({len(raw)} characters); the limit is {settings.ANSWER_MAX_CHARS}."
        )
    variant = attempt.variants.filter(position=position).first()
    if variant is None or part_key not in {p["key"] for p in variant.data["parts"]}:
        raise NotFound("No such question part in this attempt.")
    answer, _ = AnswerPart.objects.update_or_create(variant=variant, part_key=part_key, defaults={"raw": raw})
    return answer


@transaction.atomic
def attempt_submit(*, attempt_id: int, student: AbstractBaseUser, now: datetime | None = None) -> Submission:
    """Freeze the saved answers into a Submission and queue it for grading (idempotent)."""
    now = now or timezone.now()
    attempt = _own_attempt(attempt_id=attempt_id, student=student, lock=True)
    existing = Submission.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    answers: dict[str, dict[str, str]] = {}
    for part in AnswerPart.objects.filter(variant__attempt=attempt).select_related("variant"):
        answers.setdefault(str(part.variant.position), {})[part.part_key] = part.raw
    submission = Submission.objects.create(attempt=attempt, answers=answers, submitted_at=now)
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = now
    attempt.save(update_fields=["status", "submitted_at"])
    transaction.on_commit(lambda: grading_enqueue(submission_id=submission.id))
    return submission


def grading_enqueue(*, submission_id: int) -> bool:
    """Send the grading task; if the broker is down the stored submission waits for the requeue task."""
    from grader.tasks import submission_grade_task

    try:
        submission_grade_task.delay(submission_id)
    except Exception:  # broker unreachable: nothing is lost, submissions_requeue_stale retries
        log.warning("could not enqueue grading of submission %s; it will be requeued", submission_id, exc_info=True)
        return False
    return True


def attempts_close_expired(*, now: datetime | None = None) -> int:
    """Submit every in-progress attempt whose deadline (plus grace) has passed."""
    now = now or timezone.now()
    expired = Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lte=now - _grace())
    count = 0
    for attempt in expired.select_related("student"):
        attempt_submit(attempt_id=attempt.id, student=attempt.student, now=now)
        count += 1
    return count
