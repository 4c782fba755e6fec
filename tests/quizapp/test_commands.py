"""Management commands: demo data, template validation over the whole bank."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from quizapp.bank.models import TemplateVersion
from quizapp.courses.models import Membership
from quizapp.quizzes.models import Quiz
from tests.conftest import ROOT


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_new():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Membership.objects.count(), TemplateVersion.objects.count(), Quiz.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Membership.objects.count(), TemplateVersion.objects.count(), Quiz.objects.count()) == counts
    assert counts[0] == 5 and counts[2] >= 1
    assert TemplateVersion.objects.filter(status="published").count() == counts[1]


def test_validate_templates_passes_on_the_whole_bank_with_200_variants():
    out = io.StringIO()
    call_command("validate_templates", "--variants", "200", stdout=out)
    lines = out.getvalue().strip().splitlines()
    files = len(list((ROOT / "question_bank").rglob("*.yaml")))
    assert lines == [f"{files} templates, {files * 200} variants checked, 0 errors"], lines


def test_validate_templates_names_a_broken_template_and_exits_non_zero(tmp_path):
    (tmp_path / "bad.yaml").write_text("slug: bad\ntitle: Bad\ntext: x\nanswer: {type: integer, value: \"a\"}\n")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("validate_templates", str(tmp_path), "--variants", "5", stdout=out)
    assert exit_info.value.code == 1
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith(f"{tmp_path / 'bad.yaml'}: ") and "'a'" in lines[0]
    assert lines[-1] == "1 templates, 5 variants checked, 1 errors"
