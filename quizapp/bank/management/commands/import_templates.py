"""Load template YAML files or folders into a course's bank (new templates or new versions)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from questions import TemplateError, load_template
from quizapp.bank.files import template_files
from quizapp.bank.services import template_import
from quizapp.courses.models import Course


class Command(BaseCommand):
    help = "Import question templates from YAML files or folders. A run with any error changes nothing."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--course", default=None, help="course code (default: the only course)")
        parser.add_argument("--publish", action="store_true", help="publish the imported versions")

    def handle(self, *args, paths, course, publish, **options):  # type: ignore[no-untyped-def]
        course_obj = self._course(course)
        try:
            files = template_files(paths)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        errors = []
        sources = []
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                load_template(text, source=str(path))
            except TemplateError as exc:
                errors.append(f"{path}: {exc}")
            else:
                sources.append((path, text))
        if errors:
            for line in errors:
                self.stderr.write(line)
            raise CommandError(f"{len(errors)} of {len(files)} files have errors; nothing was imported.")
        with transaction.atomic():
            for path, text in sources:
                version = template_import(course=course_obj, source=text, publish=publish, origin=str(path))
                self.stdout.write(f"{path}: {version.template.slug} v{version.number} ({version.status})")
        self.stdout.write(f"{len(sources)} templates imported into {course_obj.code}")

    @staticmethod
    def _course(code: str | None) -> Course:
        if code:
            course = Course.objects.filter(code=code).first()
            if course is None:
                raise CommandError(f"No course with code '{code}'.")
            return course
        courses = list(Course.objects.all()[:2])
        if len(courses) != 1:
            raise CommandError("Name the course with --course CODE.")
        return courses[0]
