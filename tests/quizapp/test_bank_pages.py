"""TA pages of the question bank: permissions, editing creates versions, preview, validation, publishing."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from quizapp.bank.models import QuestionTemplate, TemplateVersion
from tests.conftest import ROOT
from tests.factories import PASSWORD

CONV = (ROOT / "question_bank" / "cnn" / "conv-output-size.yaml").read_text()


def login(client, name):
    assert client.login(username=name, password=PASSWORD)


@pytest.mark.parametrize("name", ["student1", "outsider"])
def test_students_never_reach_the_bank_pages_or_api(client, conv_template, name):
    login(client, name)
    version = conv_template.latest_version
    for url in (reverse("bank-list"), reverse("bank-create"), reverse("bank-edit", args=[conv_template.id]),
                reverse("bank-version-preview", args=[version.id]), reverse("bank-version-validate", args=[version.id])):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(reverse("bank-version-publish", args=[version.id])).status_code in (403, 404)
    assert client.get("/api/bank/templates/").status_code == 403
    assert client.post("/api/bank/check/", {"source": CONV}, content_type="application/json").status_code == 403


def test_a_ta_of_another_course_cannot_see_the_template(client, conv_template, cast):
    from tests.factories import MembershipFactory, UserFactory

    stranger = UserFactory(username="other-ta")
    MembershipFactory(course=cast["other_course"], user=stranger, role="ta")
    login(client, "other-ta")
    assert client.get(reverse("bank-edit", args=[conv_template.id])).status_code == 404
    assert b"conv-output-size" not in client.get(reverse("bank-list")).content


def test_ta_lists_and_filters_templates(client, conv_template):
    login(client, "ta")
    page = client.get(reverse("bank-list"), {"topic": "cnn"}).content.decode()
    assert "conv-output-size" in page
    assert "conv-output-size" not in client.get(reverse("bank-list"), {"q": "adam"}).content.decode()


def test_editing_a_published_template_creates_a_new_draft_version(client, conv_template):
    login(client, "ta")
    title_line = next(line for line in CONV.splitlines() if line.startswith("title:"))
    edited = CONV.replace(title_line, "title: Conv layer output")
    response = client.post(reverse("bank-edit", args=[conv_template.id]), {"source": edited})
    assert response.status_code == 302
    versions = list(conv_template.versions.order_by("number").values_list("number", "status"))
    assert versions == [(1, "published"), (2, "draft")]


def test_a_broken_template_is_refused_with_its_line_and_nothing_is_saved(client, conv_template):
    login(client, "ta")
    broken = CONV.replace("k: {choice: [3, 5, 7]}", "k: {choice: [3, 5, 7]}\n  bad: {derived: \"__import__('os')\"}")
    response = client.post(reverse("bank-edit", args=[conv_template.id]), {"source": broken})
    assert response.status_code == 200
    text = response.content.decode()
    assert "line" in text.lower()
    assert conv_template.versions.count() == 1


def test_preview_shows_twenty_variants_with_answers_and_steps(client, conv_template):
    login(client, "ta")
    page = client.get(reverse("bank-version-preview", args=[conv_template.latest_version.id])).content.decode()
    assert page.count('class="card variant"') == 20
    assert "Worked steps" in page and "forgot_bias" in page


def test_validation_runs_in_chunks_until_done(client, conv_template):
    login(client, "ta")
    url = reverse("bank-version-validate", args=[conv_template.latest_version.id])
    first = client.get(url, {"n": 50, "done": 0}).content.decode()
    assert "25 / 50" in first and "validation-done" not in first
    last = client.get(url, {"n": 50, "done": 25}).content.decode()
    assert "50 / 50" in last and "All variants valid" in last


def test_publishing_retires_the_previous_version(client, conv_template):
    login(client, "instructor")
    client.post(reverse("bank-edit", args=[conv_template.id]), {"source": CONV + "\n# tweak\n"})
    draft = conv_template.versions.get(number=2)
    client.post(reverse("bank-version-publish", args=[draft.id]))
    statuses = dict(conv_template.versions.values_list("number", "status"))
    assert statuses == {1: "retired", 2: "published"}


def test_check_api_reports_the_line_of_an_error(client, conv_template):
    login(client, "ta")
    source = "slug: x\ntitle: t\ntext: hi\nanswer: {type: integer, value: 1}\nparams:\n  a:\n    nope: 1\n"
    body = client.post("/api/bank/check/", {"source": source}, content_type="application/json").json()
    assert body["ok"] is False
    assert body["errors"][0]["line"] == 6 and body["errors"][0]["field"] == "params.a"


def test_import_and_export_round_trip_losslessly(tmp_path, cast):
    src = tmp_path / "in"
    src.mkdir()
    (src / "conv.yaml").write_text(CONV)
    call_command("import_templates", str(src), "--course", "dl101", "--publish")
    assert TemplateVersion.objects.get().status == "published"
    call_command("import_templates", str(src), "--course", "dl101")  # unchanged: no new version
    assert TemplateVersion.objects.count() == 1
    call_command("export_templates", str(tmp_path / "out"))
    assert (tmp_path / "out" / "conv-output-size.yaml").read_text() == CONV


def test_import_with_one_broken_file_changes_nothing(tmp_path, cast, capsys):
    (tmp_path / "a.yaml").write_text(CONV)
    (tmp_path / "b.yaml").write_text("slug: b\ntitle: B\ntext: x\nconstraints: [\"9**9**9 > 1\"]\n")
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("import_templates", str(tmp_path), "--course", "dl101")
    assert not QuestionTemplate.objects.exists()
    assert "b.yaml" in capsys.readouterr().err


def test_attempts_keep_the_version_they_started_with(client, open_quiz, cast):
    from quizapp.quizzes.services import attempt_start

    template = QuestionTemplate.objects.get(slug="conv-output-size")
    before = attempt_start(quiz=open_quiz, student=cast["student1"])
    login(client, "ta")
    title_line = next(line for line in CONV.splitlines() if line.startswith("title:"))
    client.post(reverse("bank-edit", args=[template.id]), {"source": CONV.replace(title_line, "title: Conv layer (revised)")})
    client.post(reverse("bank-version-publish", args=[template.versions.get(number=2).id]))
    after = attempt_start(quiz=open_quiz, student=cast["student2"])
    assert before.variants.get().template_version.number == 1
    assert after.variants.get().template_version.number == 2
    before.refresh_from_db()
    assert before.variants.get().data["title"] == yaml.safe_load(CONV)["title"]
    assert after.variants.get().data["title"] == "Conv layer (revised)"
