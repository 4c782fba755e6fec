"""A TA writes a template in the browser (Ace editor), previews variants, validates and publishes it."""

from __future__ import annotations

import pytest

from quizapp.bank.models import TemplateVersion
from tests.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOURCE = """slug: pool-output-size
title: Output size of a max-pooling layer
topic: [cnn]
difficulty: easy
points: 1
params:
  h: {int: [8, 64], step: 2}
  c: {choice: [3, 16, 32]}
solver: conv2d_output_shape
solver_params: {in_channels: c, height: h, width: h, out_channels: c, kernel: 2, stride: 2}
text: |
  A ${{c}} \\times {{h}} \\times {{h}}$ feature map goes through 2 x 2 max pooling with stride 2.
  What is the output size $C \\times H \\times W$?
answer: {type: shape}
"""


def set_editor(page, text: str) -> None:
    # django-ace attaches the editor to its widget element once the page has loaded.
    page.wait_for_function("() => document.querySelector('.django-ace-widget')?.editor")
    page.evaluate("(text) => document.querySelector('.django-ace-widget').editor.getSession().setValue(text)", text)


def test_ta_authors_previews_validates_and_publishes_a_template(page, live_server, cast):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "ta")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Question bank")
    page.click("text=New template")

    set_editor(page, SOURCE.replace("h: {int: [8, 64], step: 2}", "h: {int: [8, 64], step: 2}\n  x: {derived: \"h.__class__\"}"))
    page.click("#save-template")
    page.locator(".validation-errors").wait_for()
    assert "line 8" in page.locator(".validation-errors").inner_text()
    page.locator(".ace_gutter-cell.ace_error").wait_for()  # the editor marks the line
    assert page.locator(".ace_gutter-cell.ace_error").inner_text().strip() == "8"
    screenshot(page, "ta-editor-error")

    set_editor(page, SOURCE)
    page.click("#save-template")
    page.wait_for_url("**/preview/")
    assert page.locator("article.variant").count() == 20
    page.wait_for_function("() => document.querySelectorAll('.question-text mjx-container').length > 0")
    page.click("#run-validation")
    page.locator("#validation-done").wait_for(timeout=60_000)
    assert page.locator("#validation-errors").inner_text() == "0"
    screenshot(page, "ta-preview")

    page.click("#publish")
    page.locator("#version-status").filter(has_text="Published").wait_for()
    assert TemplateVersion.objects.get(template__slug="pool-output-size").status == "published"
