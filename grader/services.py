"""Grading a submission: claim it, grade every variant, store a new Grade row."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from questions import Variant as QuestionVariant
from questions import grade_variant
from quizapp.quizzes.models import Grade, Submission
from quizapp.quizzes.services import grading_enqueue

log = logging.getLogger(__name__)


def _claimable(now):  # type: ignore[no-untyped-def]
    stale = now - timedelta(seconds=settings.GRADING_STALE_AFTER_SECONDS)
    return Q(status=Submission.Status.PENDING) | Q(status=Submission.Status.GRADING, claimed_at__lt=stale)


def submission_grade(*, submission_id: int) -> Grade | None:
    """Grade a submission once; return None when another worker has it (or had it).

    The claim is a conditional UPDATE: only one worker moves the row from
    PENDING to GRADING. A claim left by a worker that died mid-grade goes
    stale and may be taken again.
    """
    now = timezone.now()
    claimed = (
        Submission.objects.filter(_claimable(now), id=submission_id)
        .update(status=Submission.Status.GRADING, claimed_at=now, tries=F("tries") + 1)
    )
    if not claimed:
        return None
    submission = Submission.objects.select_related("attempt").get(id=submission_id)
    try:
        details, score, max_score = _grade_answers(submission)
    except Exception as exc:  # a broken template must not lose the submission
        log.exception("grading submission %s failed", submission_id)
        Submission.objects.filter(id=submission_id).update(status=Submission.Status.FAILED, error=str(exc)[:2000])
        return None
    with transaction.atomic():
        reason = Grade.Reason.REGRADE if submission.grades.exists() else Grade.Reason.INITIAL
        grade = Grade.objects.create(
            submission=submission, score=score, max_score=max_score, details=details, reason=reason
        )
        Submission.objects.filter(id=submission_id, status=Submission.Status.GRADING).update(
            status=Submission.Status.GRADED, error=""
        )
    return grade


def _grade_answers(submission: Submission) -> tuple[dict, Decimal, Decimal]:  # type: ignore[type-arg]
    details: dict[str, dict] = {}  # type: ignore[type-arg]
    score = Decimal(0)
    max_score = Decimal(0)
    for variant in submission.attempt.variants.select_related("slot").order_by("position"):
        answers = submission.answers.get(str(variant.position), {})
        result = grade_variant(QuestionVariant.from_dict(variant.data), answers)
        slot_points = Decimal(variant.slot.points)
        fraction = Decimal(str(result["score"])) / Decimal(str(result["max_score"])) if result["max_score"] else Decimal(0)
        earned = (slot_points * fraction).quantize(Decimal("0.001"))
        details[str(variant.position)] = {**result, "points": float(slot_points), "earned": float(earned)}
        score += earned
        max_score += slot_points
    return details, score, max_score


def submission_regrade(*, submission_id: int) -> None:
    """Queue a graded (or failed) submission for grading again; a new Grade row results."""
    with transaction.atomic():
        Submission.objects.filter(id=submission_id).exclude(status=Submission.Status.GRADING).update(
            status=Submission.Status.PENDING, claimed_at=None
        )
        transaction.on_commit(lambda: grading_enqueue(submission_id=submission_id))


def submissions_requeue_stale() -> int:
    """Re-enqueue submissions left PENDING or stuck in GRADING (lost message, killed worker)."""
    now = timezone.now()
    old = now - timedelta(seconds=settings.GRADING_STALE_AFTER_SECONDS)
    ids = list(
        Submission.objects.filter(_claimable(now), Q(claimed_at__lt=old) | Q(claimed_at=None, submitted_at__lt=old))
        .values_list("id", flat=True)[:500]
    )
    for submission_id in ids:
        grading_enqueue(submission_id=submission_id)
    return len(ids)
