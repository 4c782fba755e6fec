"""Regrading: one submission, a whole quiz, or the variants of a template a TA has since fixed.

Every grading adds a Grade row (reason "regrade"); the grader does the work through the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from grader.services import submission_regrade
from questions import TemplateError, regenerate_variant
from quizapp.bank.models import QuestionTemplate, TemplateVersion
from quizapp.bank.selectors import template_version_spec
from quizapp.core.exceptions import Conflict, NotFound, ValidationFailed
from quizapp.quizzes.instructor.access import instructor_required
from quizapp.quizzes.models import Quiz, Submission, Variant

BUSY = (Submission.Status.PENDING, Submission.Status.GRADING)


@dataclass(frozen=True)
class OutdatedTemplate:
    """A template some variants of the quiz use in an older version than the one now published."""

    template: QuestionTemplate
    published: TemplateVersion
    old_versions: list[int]
    variants: int
    submissions: int

    @property
    def slug(self) -> str:
        return self.template.slug

    @property
    def new_version(self) -> int:
        return self.published.number


@dataclass(frozen=True)
class VariantUpdateReport:
    variants: int  # variants regenerated from the newer version
    submissions: int  # submissions queued for regrading
    busy: int  # submissions being graded right now (regrade them once they finish)


def _outdated_variants(*, quiz: Quiz, template: QuestionTemplate, published: TemplateVersion):  # type: ignore[no-untyped-def]
    return Variant.objects.filter(attempt__quiz=quiz, template_version__template=template,
                                  template_version__number__lt=published.number)


def outdated_templates(*, quiz: Quiz) -> list[OutdatedTemplate]:
    """Templates with a newer published version than some of the quiz's variants were generated from."""
    used = QuestionTemplate.objects.filter(versions__variants__attempt__quiz=quiz).distinct().order_by("slug")
    found = []
    for template in used:
        published = template.published_version
        if published is None:
            continue
        variants = _outdated_variants(quiz=quiz, template=template, published=published)
        if not variants.exists():
            continue
        found.append(OutdatedTemplate(
            template=template, published=published,
            old_versions=sorted(set(variants.values_list("template_version__number", flat=True))),
            variants=variants.count(),
            submissions=Submission.objects.filter(attempt__variants__in=variants).distinct().count(),
        ))
    return found


@transaction.atomic
def submission_regrade_for_quiz(*, quiz: Quiz, submission_id: int, user: AbstractBaseUser) -> Submission:
    """Queue one submission of ``quiz`` for grading again."""
    instructor_required(user=user, course=quiz.course)
    submission = Submission.objects.filter(id=submission_id, attempt__quiz=quiz).first()
    if submission is None:
        raise NotFound("No such submission in this quiz.")
    if submission.status in BUSY:
        raise Conflict("This submission is already waiting for a grader or being graded.")
    submission_regrade(submission_id=submission.id)
    submission.refresh_from_db()
    return submission


@transaction.atomic
def quiz_regrade_all(*, quiz: Quiz, user: AbstractBaseUser) -> int:
    """Queue every graded or failed submission of ``quiz`` for grading again; returns how many."""
    instructor_required(user=user, course=quiz.course)
    ids = list(Submission.objects.filter(attempt__quiz=quiz).exclude(status__in=BUSY).values_list("id", flat=True))
    for submission_id in ids:
        submission_regrade(submission_id=submission_id)
    return len(ids)


@transaction.atomic
def variants_update_and_regrade(*, quiz: Quiz, user: AbstractBaseUser) -> VariantUpdateReport:
    """Move every outdated variant of ``quiz`` to its template's published version and regrade.

    Each variant is computed again by the new version for the numbers the student already has (its drawn
    parameters; see questions.regenerate_variant), so answers given to those numbers are graded fairly.
    All or nothing: if the new version cannot keep the numbers of one of the variants, nothing changes.
    """
    instructor_required(user=user, course=quiz.course)
    attempt_ids: set[int] = set()
    updated = 0
    for item in outdated_templates(quiz=quiz):
        spec = template_version_spec(version=item.published)
        for variant in _outdated_variants(quiz=quiz, template=item.template, published=item.published).select_for_update():
            try:
                data = regenerate_variant(spec, variant.seed, variant.data["params"]).to_dict()
            except TemplateError as exc:
                raise ValidationFailed(
                    f"{item.slug} v{item.new_version} cannot keep the numbers of every variant of this quiz, so nothing was "
                    f"changed: {exc}"
                ) from exc
            variant.data, variant.template_version = data, item.published
            variant.save(update_fields=["data", "template_version"])
            attempt_ids.add(variant.attempt_id)
            updated += 1
    submissions = Submission.objects.filter(attempt_id__in=attempt_ids)
    busy = submissions.filter(status=Submission.Status.GRADING).count()
    queued = list(submissions.exclude(status=Submission.Status.GRADING).values_list("id", flat=True))
    for submission_id in queued:
        submission_regrade(submission_id=submission_id)
    return VariantUpdateReport(variants=updated, submissions=len(queued), busy=busy)
