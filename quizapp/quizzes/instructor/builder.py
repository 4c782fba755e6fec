"""Writes of the quiz builder: create or edit a quiz of a course, with its slots.

Slots (what students are asked) cannot change once somebody has started the quiz: every
attempt's variants point at them. The schedule and the published flag still can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from quizapp.bank.models import QuestionTemplate, TemplateVersion
from quizapp.core.exceptions import Conflict, ValidationFailed
from quizapp.courses.models import Course
from quizapp.quizzes.instructor.access import instructor_required
from quizapp.quizzes.models import Quiz, QuizSlot

QUIZ_FIELDS = ("title", "description", "opens_at", "closes_at", "time_limit_minutes", "max_attempts",
               "solutions_release", "published")


@dataclass(frozen=True)
class SlotSpec:
    """One question position: its points and the pool of templates one is drawn from per student."""

    position: int
    points: Decimal
    template_ids: tuple[int, ...]


def slot_specs_of(quiz: Quiz) -> list[SlotSpec]:
    return [SlotSpec(position=s.position, points=Decimal(s.points),
                     template_ids=tuple(sorted(s.pool.values_list("id", flat=True))))
            for s in quiz.slots.order_by("position")]


def _check_schedule(fields: dict[str, Any]) -> None:
    opens_at: datetime = fields["opens_at"]
    closes_at: datetime = fields["closes_at"]
    if closes_at <= opens_at:
        raise ValidationFailed("The quiz must close after it opens.", details={"field": "closes_at"})


def _check_slots(*, course: Course, slots: list[SlotSpec]) -> None:
    positions = [s.position for s in slots]
    if len(set(positions)) != len(positions):
        raise ValidationFailed("Two questions have the same position.", details={"field": "slots"})
    for slot in slots:
        if not slot.template_ids:
            raise ValidationFailed(f"Question {slot.position} has an empty pool: choose at least one template.")
        if slot.points <= 0:
            raise ValidationFailed(f"Question {slot.position} must be worth more than 0 points.")
        templates = QuestionTemplate.objects.filter(id__in=slot.template_ids, course=course)
        if templates.count() != len(set(slot.template_ids)):
            raise ValidationFailed(f"Question {slot.position} uses a template of another course.")
        unpublished = templates.exclude(versions__status=TemplateVersion.Status.PUBLISHED)
        if unpublished.exists():
            slugs = ", ".join(unpublished.values_list("slug", flat=True))
            raise ValidationFailed(f"Question {slot.position}: {slugs} has no published version yet.")


def _check_publishable(*, fields: dict[str, Any], slot_count: int) -> None:
    if fields["published"] and slot_count == 0:
        raise ValidationFailed("A quiz without questions cannot be published.", details={"field": "published"})


def _store_slots(*, quiz: Quiz, slots: list[SlotSpec]) -> None:
    quiz.slots.all().delete()
    for spec in sorted(slots, key=lambda s: s.position):
        slot = QuizSlot.objects.create(quiz=quiz, position=spec.position, points=spec.points)
        slot.pool.set(spec.template_ids)


@transaction.atomic
def quiz_create(*, course: Course, user: AbstractBaseUser, fields: dict[str, Any], slots: list[SlotSpec]) -> Quiz:
    instructor_required(user=user, course=course)
    _check_schedule(fields)
    _check_slots(course=course, slots=slots)
    _check_publishable(fields=fields, slot_count=len(slots))
    quiz = Quiz.objects.create(course=course, **{name: fields[name] for name in QUIZ_FIELDS})
    _store_slots(quiz=quiz, slots=slots)
    return quiz


@transaction.atomic
def quiz_update(*, quiz: Quiz, user: AbstractBaseUser, fields: dict[str, Any], slots: list[SlotSpec] | None) -> Quiz:
    """Change the quiz; ``slots=None`` keeps its slots. Changing slots after the first attempt is a Conflict."""
    instructor_required(user=user, course=quiz.course)
    quiz = Quiz.objects.select_for_update().get(id=quiz.id)
    _check_schedule(fields)
    if slots is not None and slots != slot_specs_of(quiz):
        if quiz.attempts.exists():
            raise Conflict("Students have started this quiz, so its questions can no longer change.")
        _check_slots(course=quiz.course, slots=slots)
        _store_slots(quiz=quiz, slots=slots)
    _check_publishable(fields=fields, slot_count=quiz.slots.count())
    for name in QUIZ_FIELDS:
        setattr(quiz, name, fields[name])
    quiz.save()
    return quiz
