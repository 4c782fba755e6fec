"""Load the demo course: an instructor, a TA, three students, the question bank and one open quiz.

Safe to run again: nothing is duplicated.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from quizapp.bank.models import QuestionTemplate
from quizapp.bank.services import template_import
from quizapp.courses.models import Course, Membership
from quizapp.quizzes.models import Quiz, QuizSlot

DEMO_PASSWORD = "demo-pass-2026"
USERS = [
    ("instructor", "Ada", "Instructor", Membership.Role.INSTRUCTOR),
    ("ta", "Tom", "Assistant", Membership.Role.TA),
    ("student1", "Sam", "One", Membership.Role.STUDENT),
    ("student2", "Kim", "Two", Membership.Role.STUDENT),
    ("student3", "Lee", "Three", Membership.Role.STUDENT),
]
DEMO_QUIZ = "Demo quiz: CNNs, optimizers and backprop"
# Each slot draws one template from its pool per student.
DEMO_SLOTS = [
    ["conv-output-size"],
    ["rmsprop-step", "adam-step", "momentum-step"],
    ["mlp-sgd-step"],
    ["batchnorm-normalize", "dice-coefficient", "mixup"],
    ["dropout-activation-scaling", "l1-sparsity", "vanishing-gradient-sigmoid"],
]


class Command(BaseCommand):
    help = "Create the demo course, users, question bank and an open quiz (idempotent)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        course, _ = Course.objects.get_or_create(code="dl101", defaults={"title": "Deep Learning 101"})
        User = get_user_model()
        for username, first, last, role in USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(course=course, user=user, defaults={"role": role})
        instructor = User.objects.get(username="instructor")
        bank = Path(settings.BASE_DIR) / "question_bank"
        files = sorted(bank.rglob("*.yaml"))
        for path in files:
            template_import(course=course, source=path.read_text(), author=instructor, publish=True,
                            origin=str(path.relative_to(settings.BASE_DIR)))
        now = timezone.now()
        quiz, created = Quiz.objects.get_or_create(
            course=course, title=DEMO_QUIZ,
            defaults={"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=60), "published": True,
                      "description": "Each student gets their own numbers."},
        )
        if created:
            for position, slugs in enumerate(DEMO_SLOTS, start=1):
                slot = QuizSlot.objects.create(quiz=quiz, position=position, points=1)
                slot.pool.set(QuestionTemplate.objects.filter(course=course, slug__in=slugs))
        self.stdout.write(f"demo data ready: course {course.code}, {len(USERS)} users, {len(files)} templates, quiz '{quiz.title}'")
