"""Quiz builder: create and edit a quiz with its slots, clear errors, slots locked once attempts exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizapp.bank.services import template_import
from quizapp.core.exceptions import Conflict, NotAllowed, ValidationFailed
from quizapp.quizzes.instructor.builder import SlotSpec, quiz_create, quiz_update, slot_specs_of
from quizapp.quizzes.models import Quiz
from quizapp.quizzes.services import attempt_start
from tests.factories import PASSWORD
from tests.quizapp.instructor_helpers import FIXED_CONV

DRAFT_ONLY = FIXED_CONV.replace("slug: conv-output-size", "slug: conv-draft")


def login(client, name):
    assert client.login(username=name, password=PASSWORD)


def fields(**changes):
    now = timezone.now().replace(second=0, microsecond=0)
    base = {"title": "Week 3", "description": "", "opens_at": now, "closes_at": now + timedelta(days=7),
            "time_limit_minutes": 30, "max_attempts": 2, "solutions_release": "after_close", "published": False}
    return {**base, **changes}


def form_data(*, slots=(), **changes):
    """What the builder page posts: quiz fields and the slot formset."""
    f = fields(**changes)
    data = {k: v for k, v in f.items() if k not in ("opens_at", "closes_at", "published", "time_limit_minutes")}
    data.update({"opens_at": f["opens_at"].strftime("%Y-%m-%dT%H:%M"), "closes_at": f["closes_at"].strftime("%Y-%m-%dT%H:%M"),
                 "time_limit_minutes": f["time_limit_minutes"] or ""})
    if f["published"]:
        data["published"] = "on"
    data.update({"slots-TOTAL_FORMS": str(len(slots)), "slots-INITIAL_FORMS": "0", "slots-MIN_NUM_FORMS": "0",
                 "slots-MAX_NUM_FORMS": "1000"})
    for i, (position, points, pool) in enumerate(slots):
        data.update({f"slots-{i}-position": position, f"slots-{i}-points": points, f"slots-{i}-pool": list(pool)})
    return data


@pytest.fixture
def draft_template(cast):
    return template_import(course=cast["course"], source=DRAFT_ONLY).template


# ------------------------------------------------------------ services
def test_instructor_creates_a_quiz_with_slots(cast, conv_template):
    quiz = quiz_create(course=cast["course"], user=cast["instructor"], fields=fields(published=True),
                       slots=[SlotSpec(position=1, points=Decimal(2), template_ids=(conv_template.id,))])
    assert quiz.published and quiz.max_attempts == 2 and quiz.time_limit_minutes == 30
    assert slot_specs_of(quiz) == [SlotSpec(position=1, points=Decimal(2), template_ids=(conv_template.id,))]


@pytest.mark.parametrize("bad, message", [
    ({"closes_at": timezone.now() - timedelta(days=1)}, "close after it opens"),
    ({"published": True, "slots": []}, "without questions cannot be published"),
    ({"slots": [SlotSpec(position=1, points=Decimal(1), template_ids=())]}, "empty pool"),
    ({"slots": "draft"}, "no published version"),
    ({"slots": "twice"}, "same position"),
])
def test_the_service_refuses_what_the_form_would_refuse(cast, conv_template, draft_template, bad, message):
    slots = bad.pop("slots", [SlotSpec(position=1, points=Decimal(1), template_ids=(conv_template.id,))])
    if slots == "draft":
        slots = [SlotSpec(position=1, points=Decimal(1), template_ids=(conv_template.id, draft_template.id))]
    if slots == "twice":
        slots = [SlotSpec(position=1, points=Decimal(1), template_ids=(conv_template.id,))] * 2
    with pytest.raises(ValidationFailed, match=message):
        quiz_create(course=cast["course"], user=cast["instructor"], fields=fields(**bad), slots=slots)
    assert not Quiz.objects.exists()


def test_a_template_of_another_course_cannot_be_used(cast, conv_template):
    stranger = template_import(course=cast["other_course"], source=FIXED_CONV, publish=True).template
    with pytest.raises(ValidationFailed, match="another course"):
        quiz_create(course=cast["course"], user=cast["instructor"], fields=fields(),
                    slots=[SlotSpec(position=1, points=Decimal(1), template_ids=(stranger.id,))])


def test_a_ta_cannot_build_quizzes(cast, open_quiz):
    with pytest.raises(NotAllowed):
        quiz_create(course=cast["course"], user=cast["ta"], fields=fields(), slots=[])
    with pytest.raises(NotAllowed):
        quiz_update(quiz=open_quiz, user=cast["ta"], fields=fields(), slots=None)


def test_slots_are_locked_once_attempts_exist_but_schedule_and_publish_flag_are_not(cast, open_quiz, conv_template):
    attempt_start(quiz=open_quiz, student=cast["student1"])
    new_close = open_quiz.closes_at + timedelta(days=3)
    quiz_update(quiz=open_quiz, user=cast["instructor"], slots=None,
                fields=fields(title="Conv quiz", opens_at=open_quiz.opens_at, closes_at=new_close, published=False))
    open_quiz.refresh_from_db()
    assert open_quiz.closes_at == new_close and not open_quiz.published
    same = slot_specs_of(open_quiz)
    quiz_update(quiz=open_quiz, user=cast["instructor"], slots=same,
                fields=fields(opens_at=open_quiz.opens_at, closes_at=new_close))  # unchanged slots: fine
    with pytest.raises(Conflict):
        quiz_update(quiz=open_quiz, user=cast["instructor"], fields=fields(),
                    slots=[SlotSpec(position=1, points=Decimal(5), template_ids=(conv_template.id,))])
    assert slot_specs_of(open_quiz) == same


def test_slots_can_change_before_anybody_started(cast, open_quiz, conv_template):
    quiz_update(quiz=open_quiz, user=cast["instructor"], fields=fields(),
                slots=[SlotSpec(position=1, points=Decimal(3), template_ids=(conv_template.id,)),
                       SlotSpec(position=2, points=Decimal(1), template_ids=(conv_template.id,))])
    assert [(s.position, s.points) for s in slot_specs_of(open_quiz)] == [(1, 3), (2, 1)]


# ------------------------------------------------------------ pages
def test_instructor_builds_a_quiz_through_the_page(client, cast, conv_template):
    login(client, "instructor")
    url = reverse("teach-quiz-create", args=["dl101"])
    page = client.get(url).content.decode()
    assert "conv-output-size" in page and 'id="add-slot"' in page
    response = client.post(url, form_data(published=True, slots=[(1, "2", [conv_template.id])]))
    quiz = Quiz.objects.get()
    assert response.status_code == 302 and response.url == reverse("teach-quiz-edit", args=[quiz.id])
    assert quiz.published and quiz.slots.get().pool.get() == conv_template


@pytest.mark.parametrize("changes, field, message", [
    ({"closes_at": timezone.now() - timedelta(days=2)}, "closes_at", "The quiz must close after it opens."),
    ({"published": True, "slots": []}, "published", "A quiz without questions cannot be published"),
    ({"slots": [(1, "1", [])]}, None, "Choose at least one template for this question."),
    ({"slots": "draft"}, None, "conv-draft has no published version yet"),
    ({"slots": "twice"}, None, "Two questions have position 1"),
])
def test_the_page_shows_clear_errors_and_saves_nothing(client, cast, conv_template, draft_template, changes, field,
                                                      message):
    login(client, "instructor")
    slots = changes.pop("slots", [(1, "1", [conv_template.id])])
    if slots == "draft":
        slots = [(1, "1", [draft_template.id])]
    if slots == "twice":
        slots = [(1, "1", [conv_template.id]), (1, "2", [conv_template.id])]
    response = client.post(reverse("teach-quiz-create", args=["dl101"]), form_data(slots=slots, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if field:
        assert f'data-field="{field}"' in html
    assert not Quiz.objects.exists()


def test_the_edit_page_locks_slots_once_attempts_exist(client, cast, open_quiz, conv_template):
    attempt_start(quiz=open_quiz, student=cast["student1"])
    login(client, "instructor")
    url = reverse("teach-quiz-edit", args=[open_quiz.id])
    page = client.get(url).content.decode()
    assert 'id="slots-locked"' in page and "add-slot" not in page
    data = form_data(title="Conv quiz (extended)", opens_at=open_quiz.opens_at, published=True,
                     closes_at=open_quiz.closes_at + timedelta(days=1), slots=[(1, "9", [conv_template.id])])
    assert client.post(url, data).status_code == 302
    open_quiz.refresh_from_db()
    assert open_quiz.title == "Conv quiz (extended)" and open_quiz.slots.get().points == 2  # slots ignored


def test_editing_keeps_unchanged_slots_and_removes_deleted_ones(client, cast, open_quiz, conv_template):
    from quizapp.quizzes.models import QuizSlot

    QuizSlot.objects.create(quiz=open_quiz, position=2, points=1).pool.set([conv_template])
    login(client, "instructor")
    data = form_data(opens_at=open_quiz.opens_at, closes_at=open_quiz.closes_at, published=True,
                     slots=[(1, "2", [conv_template.id]), (2, "1", [conv_template.id])])
    data["slots-INITIAL_FORMS"] = "2"
    data["slots-1-DELETE"] = "on"
    assert client.post(reverse("teach-quiz-edit", args=[open_quiz.id]), data).status_code == 302
    assert [(s.position, s.points) for s in slot_specs_of(open_quiz)] == [(1, 2)]


@pytest.mark.parametrize("name, status", [("ta", 403), ("student1", 404), ("outsider", 404)])
def test_only_instructors_reach_the_builder(client, cast, open_quiz, name, status):
    login(client, name)
    assert client.get(reverse("teach-quiz-edit", args=[open_quiz.id])).status_code == status
    assert client.post(reverse("teach-quiz-edit", args=[open_quiz.id]), form_data()).status_code == status
    assert client.get(reverse("teach-quiz-create", args=["dl101"])).status_code == status
    assert client.post(reverse("teach-quiz-create", args=["dl101"]), form_data()).status_code == status
    assert Quiz.objects.count() == 1


def test_the_builder_needs_the_csrf_token(cast, conv_template):
    csrf_client = Client(enforce_csrf_checks=True)
    login(csrf_client, "instructor")
    response = csrf_client.post(reverse("teach-quiz-create", args=["dl101"]), form_data(slots=[(1, "1", [conv_template.id])]))
    assert response.status_code == 403 and not Quiz.objects.exists()
