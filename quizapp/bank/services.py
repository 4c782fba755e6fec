"""Writes of the question bank: import a template document, publish a version."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from questions import TemplateError, load_template
from quizapp.bank.models import QuestionTemplate, TemplateVersion
from quizapp.core.exceptions import ValidationFailed
from quizapp.courses.models import Course

NEW_TEMPLATE = """slug: my-new-question
title: A new question
topic: [cnn]
difficulty: easy
points: 1
params:
  h: {int: [8, 64]}
  k: {choice: [3, 5]}
constraints:
  - "h >= k"
solver: conv2d_output_shape
solver_params: {in_channels: 1, height: h, width: h, out_channels: 4, kernel: k}
text: |
  A ${{h}} \\times {{h}}$ single-channel input goes through 4 filters of size ${{k}} \\times {{k}}$
  (stride 1, no padding). What is the output size $C \\times H \\times W$?
answer: {type: shape}
"""


@transaction.atomic
def template_import(
    *, course: Course, source: str, author: AbstractBaseUser | None = None, publish: bool = False,
    origin: str = "<template>", expected_slug: str | None = None,
) -> TemplateVersion:
    """Store ``source`` as a new version of its template (by slug); unchanged text adds nothing.

    Raises ValidationFailed (with the template error's line and field) for a broken document.
    """
    try:
        spec = load_template(source, source=origin)
    except TemplateError as exc:
        raise ValidationFailed(str(exc), details={"origin": origin}) from exc
    if expected_slug is not None and spec.slug != expected_slug:
        raise ValidationFailed(
            f"The slug must stay '{expected_slug}' when editing; create a new template for '{spec.slug}'."
        )
    template, created = QuestionTemplate.objects.get_or_create(
        course=course, slug=spec.slug,
        defaults={"title": spec.title, "topics": list(spec.topic), "difficulty": spec.difficulty or ""},
    )
    if not created:
        template.title, template.topics, template.difficulty = spec.title, list(spec.topic), spec.difficulty or ""
        template.save(update_fields=["title", "topics", "difficulty"])
    latest = template.versions.select_for_update().order_by("-number").first()
    if latest is not None and latest.source == source:
        version = latest
    else:
        version = TemplateVersion.objects.create(
            template=template, number=(latest.number + 1) if latest else 1, source=source, created_by=author
        )
    if publish and version.status != TemplateVersion.Status.PUBLISHED:
        template_version_publish(version=version)
    return version


@transaction.atomic
def template_version_publish(*, version: TemplateVersion) -> TemplateVersion:
    """Publish ``version``; earlier published versions retire (attempts keep theirs)."""
    TemplateVersion.objects.filter(template=version.template, status=TemplateVersion.Status.PUBLISHED).exclude(
        id=version.id
    ).update(status=TemplateVersion.Status.RETIRED)
    version.status = TemplateVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version
