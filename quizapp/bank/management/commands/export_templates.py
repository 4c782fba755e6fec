"""Write every template's latest version back to DIR/<slug>.yaml, byte for byte."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from quizapp.bank.models import QuestionTemplate


class Command(BaseCommand):
    help = "Export the latest version of every template (optionally of one course) as YAML files."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("directory")
        parser.add_argument("--course", default=None)

    def handle(self, *args, directory, course, **options):  # type: ignore[no-untyped-def]
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        templates = QuestionTemplate.objects.select_related("course").order_by("slug")
        if course:
            templates = templates.filter(course__code=course)
        count = 0
        for template in templates:
            version = template.latest_version
            if version is None:
                continue
            (out / f"{template.slug}.yaml").write_text(version.source, encoding="utf-8")
            count += 1
        self.stdout.write(f"{count} templates written to {out}")
