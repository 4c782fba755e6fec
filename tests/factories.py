from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from quizapp.courses.models import Course, Membership

PASSWORD = "pw-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"course{n}")
    title = factory.LazyAttribute(lambda o: f"Course {o.code}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.STUDENT


def open_quiz_of(course, template, title: str = "Conv quiz"):  # type: ignore[no-untyped-def]
    """A published quiz of ``course``, open from an hour ago for a day: one 2-point slot drawing ``template``."""
    from datetime import timedelta

    from django.utils import timezone

    from quizapp.quizzes.models import Quiz, QuizSlot

    now = timezone.now()
    quiz = Quiz.objects.create(course=course, title=title, opens_at=now - timedelta(hours=1),
                               closes_at=now + timedelta(days=1), published=True)
    slot = QuizSlot.objects.create(quiz=quiz, position=1, points=2)
    slot.pool.set([template])
    return quiz
