"""Generate N variants of every template file and check them; non-zero exit on any error."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions import TemplateError, load_template, validate_template
from quizapp.bank.files import template_files


class Command(BaseCommand):
    help = "Validate template files (default: question_bank/) with N variants each."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("paths", nargs="*")
        parser.add_argument("--variants", type=int, default=50)

    def handle(self, *args, paths, variants, **options):  # type: ignore[no-untyped-def]
        try:
            files = template_files(paths or [str(Path(settings.BASE_DIR) / "question_bank")])
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        error_count = 0
        for path in files:
            try:
                spec = load_template(path.read_text(encoding="utf-8", errors="replace"), source=str(path))
                problems = validate_template(spec, n_variants=variants)
            except TemplateError as exc:
                problems = [str(exc)]
            if problems:
                error_count += len(problems)
                self.stdout.write(f"{path}: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""))
        self.stdout.write(f"{len(files)} templates, {len(files) * variants} variants checked, {error_count} errors")
        if error_count:
            raise SystemExit(1)
