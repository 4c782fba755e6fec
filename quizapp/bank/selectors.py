"""Reading templates, with the parsed spec cached per version (versions never change)."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Q

from questions import TemplateError, TemplateSpec, generate_variant, load_template, validate_template
from quizapp.bank.models import QuestionTemplate, TemplateVersion
from quizapp.core.exceptions import NotFound
from quizapp.courses.selectors import STAFF_ROLES, is_course_staff


@lru_cache(maxsize=512)
def _spec_for(version_id: int, source: str) -> TemplateSpec:
    return load_template(source, source=f"template version {version_id}")


def template_version_spec(*, version: TemplateVersion) -> TemplateSpec:
    return _spec_for(version.id, version.source)


def templates_for_staff(*, user, topic: str | None = None, query: str | None = None, course_code: str | None = None):  # type: ignore[no-untyped-def]
    """Templates of every course where ``user`` is a TA or instructor, filtered."""
    qs = (
        QuestionTemplate.objects.filter(course__memberships__user=user, course__memberships__role__in=STAFF_ROLES)
        .select_related("course")
        .prefetch_related("versions")
        .order_by("course__code", "slug")
        .distinct()
    )
    if course_code:
        qs = qs.filter(course__code=course_code)
    if query:
        qs = qs.filter(Q(slug__icontains=query) | Q(title__icontains=query))
    templates = list(qs)
    if topic:
        templates = [t for t in templates if topic in (t.topics or [])]
    return templates


def template_for_staff(*, template_id: int, user) -> QuestionTemplate:  # type: ignore[no-untyped-def]
    template = QuestionTemplate.objects.select_related("course").filter(id=template_id).first()
    if template is None or not is_course_staff(user=user, course=template.course):
        raise NotFound("No such template.")
    return template


def version_for_staff(*, version_id: int, user) -> TemplateVersion:  # type: ignore[no-untyped-def]
    version = TemplateVersion.objects.select_related("template", "template__course").filter(id=version_id).first()
    if version is None or not is_course_staff(user=user, course=version.template.course):
        raise NotFound("No such template version.")
    return version


def topics_for_staff(*, user) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({t for template in templates_for_staff(user=user) for t in (template.topics or [])})


def template_preview_variants(*, version: TemplateVersion, start: int, count: int) -> list[dict]:  # type: ignore[type-arg]
    """Variants for seeds start .. start+count-1, each with its answers, steps and mistakes (staff only)."""
    spec = template_version_spec(version=version)
    out = []
    for seed in range(start, start + count):
        try:
            out.append({"seed": seed, "variant": generate_variant(spec, seed), "error": None})
        except TemplateError as exc:
            out.append({"seed": seed, "variant": None, "error": str(exc)})
    return out


def template_validate_chunk(*, version: TemplateVersion, start: int, count: int) -> list[str]:
    """Problems found in the variants for seeds start .. start+count-1."""
    spec = template_version_spec(version=version)
    return validate_template(spec, n_variants=count, start=start)
