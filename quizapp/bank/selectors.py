"""Reading templates, with the parsed spec cached per version (versions never change)."""

from __future__ import annotations

from functools import lru_cache

from questions import TemplateSpec, load_template
from quizapp.bank.models import TemplateVersion


@lru_cache(maxsize=512)
def _spec_for(version_id: int, source: str) -> TemplateSpec:
    return load_template(source, source=f"template version {version_id}")


def template_version_spec(*, version: TemplateVersion) -> TemplateSpec:
    return _spec_for(version.id, version.source)
