"""Question templates and their immutable versions.

Editing a published template creates a new version; attempts keep a foreign
key to the version they started with, so later edits never change them.
"""

from django.conf import settings
from django.db import models

from quizapp.courses.models import Course


class QuestionTemplate(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="templates")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    topics = models.JSONField(default=list, blank=True)
    difficulty = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="template_slug_unique_in_course")]
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def published_version(self) -> "TemplateVersion | None":
        return self.versions.filter(status=TemplateVersion.Status.PUBLISHED).order_by("-number").first()

    @property
    def latest_version(self) -> "TemplateVersion | None":
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    template = models.ForeignKey(QuestionTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.TextField(help_text="The YAML document as the TA wrote it.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="version_number_unique")]
        ordering = ["template", "-number"]

    def __str__(self) -> str:
        return f"{self.template.slug} v{self.number}"
