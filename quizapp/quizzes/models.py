"""Quizzes, attempts, per-student variants, saved answers, submissions and grades."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from quizapp.bank.models import QuestionTemplate, TemplateVersion
from quizapp.courses.models import Course


class Quiz(models.Model):
    class SolutionsRelease(models.TextChoices):
        AFTER_GRADING = "after_grading", "As soon as the attempt is graded"
        AFTER_CLOSE = "after_close", "After the quiz closes"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_attempts = models.PositiveIntegerField(default=1)
    published = models.BooleanField(default=False)
    solutions_release = models.CharField(
        max_length=20, choices=SolutionsRelease.choices, default=SolutionsRelease.AFTER_GRADING
    )

    class Meta:
        ordering = ["opens_at", "title"]
        constraints = [models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="quiz_closes_after_it_opens")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.published and self.opens_at <= now < self.closes_at


class QuizSlot(models.Model):
    """One question position of a quiz: a pool of templates, one drawn per student."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveIntegerField()
    points = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    pool = models.ManyToManyField(QuestionTemplate, related_name="slots")

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "position"], name="slot_position_unique")]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.position}"


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["quiz", "student", "number"], name="attempt_number_unique")]

    def __str__(self) -> str:
        return f"{self.student} #{self.number} on {self.quiz}"

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.deadline


class Variant(models.Model):
    """The question one student got in one slot: template version + seed, and what they determine."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="variants")
    slot = models.ForeignKey(QuizSlot, on_delete=models.PROTECT, related_name="variants")
    position = models.PositiveIntegerField()
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="variants")
    seed = models.BigIntegerField()
    data = models.JSONField(help_text="questions.Variant.to_dict(): params, text, parts, answers, steps.")

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="variant_position_unique")]

    def __str__(self) -> str:
        return f"{self.template_version} for {self.attempt}"


class AnswerPart(models.Model):
    """The latest text a student typed into one answer part (saved as they type)."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="answers")
    part_key = models.CharField(max_length=64)
    raw = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["variant", "part_key"], name="one_answer_per_part")]

    def __str__(self) -> str:
        return f"{self.part_key}: {self.raw[:40]}"


class Submission(models.Model):
    """A submitted attempt: the answers frozen at submission time, graded by a worker."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a grader"
        GRADING = "grading", "Being graded"
        GRADED = "graded", "Graded"
        FAILED = "failed", "Grading failed"

    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="submission")
    answers = models.JSONField(help_text="{position: {part_key: raw text}} at submission time.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"submission of {self.attempt} ({self.status})"

    @property
    def current_grade(self) -> Grade | None:
        return self.grades.order_by("-created_at", "-id").first()


class Grade(models.Model):
    """One grading of a submission. Regrading adds a row; the newest is current."""

    class Reason(models.TextChoices):
        INITIAL = "initial", "Initial grading"
        REGRADE = "regrade", "Regrade"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="grades")
    score = models.DecimalField(max_digits=8, decimal_places=3)
    max_score = models.DecimalField(max_digits=8, decimal_places=3)
    details = models.JSONField(help_text="Per variant position: the questions.grade_variant() result.")
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.INITIAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.score} / {self.max_score} ({self.reason})"
