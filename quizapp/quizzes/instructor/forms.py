"""Forms of the quiz builder: the quiz's settings and its slots, checked together for clear errors.

The builder service checks the same rules again (a request that skips the form gets a domain error).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef

from quizapp.bank.models import QuestionTemplate, TemplateVersion
from quizapp.courses.models import Course
from quizapp.quizzes.instructor.builder import QUIZ_FIELDS, SlotSpec, slot_specs_of
from quizapp.quizzes.models import Quiz

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QuizForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = list(QUIZ_FIELDS)
        widgets = {"opens_at": DATETIME, "closes_at": DATETIME, "description": forms.Textarea(attrs={"rows": 3})}
        labels = {"time_limit_minutes": "Time limit (minutes, empty: none)", "solutions_release": "Solutions shown"}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", "The quiz must close after it opens.")
        return data


class PoolField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: QuestionTemplate) -> str:
        suffix = "" if obj.has_published else " (no published version)"
        return f"{obj.slug}: {obj.title}{suffix}"


class SlotForm(forms.Form):
    position = forms.IntegerField(min_value=1)
    points = forms.DecimalField(min_value=Decimal("0.01"), max_digits=6, decimal_places=2, initial=1)
    pool = PoolField(queryset=QuestionTemplate.objects.none(), widget=forms.CheckboxSelectMultiple,
                     error_messages={"required": "Choose at least one template for this question."})

    def __init__(self, *args: Any, templates=None, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = templates if templates is not None else QuestionTemplate.objects.none()

    def clean_pool(self):  # type: ignore[no-untyped-def]
        pool = self.cleaned_data["pool"]
        unpublished = [t.slug for t in pool if not t.has_published]
        if unpublished:
            raise forms.ValidationError(
                f"{', '.join(unpublished)} has no published version yet: publish it in the question bank first."
            )
        return pool


class BaseSlotFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        positions = [f.cleaned_data["position"] for f in self.kept_forms()]
        duplicates = sorted({p for p in positions if positions.count(p) > 1})
        if duplicates:
            raise forms.ValidationError(f"Two questions have position {duplicates[0]}: positions must differ.")

    def kept_forms(self) -> list[SlotForm]:
        """Existing slots unless deleted, and the blank extra forms that were filled in."""
        return [f for i, f in enumerate(self.forms)
                if (i < self.initial_form_count() or f.has_changed()) and not self._should_delete_form(f)]


SlotFormSet = forms.formset_factory(SlotForm, formset=BaseSlotFormSet, extra=1, can_delete=True)


def course_templates(course: Course):  # type: ignore[no-untyped-def]
    published = TemplateVersion.objects.filter(template=OuterRef("pk"), status=TemplateVersion.Status.PUBLISHED)
    return QuestionTemplate.objects.filter(course=course).annotate(has_published=Exists(published)).order_by("slug")


class QuizBuilder:
    """The quiz form and its slot formset. Once attempts exist the slots are shown but not editable."""

    def __init__(self, data=None, *, course: Course, quiz: Quiz | None = None) -> None:  # type: ignore[no-untyped-def]
        self.course, self.quiz = course, quiz
        self.slots_locked = quiz is not None and quiz.attempts.exists()
        # A copy: validating a ModelForm writes the typed values into its instance (the page shows the saved quiz).
        self.form = QuizForm(data, instance=copy.copy(quiz))
        initial = [{"position": s.position, "points": s.points, "pool": list(s.template_ids)}
                   for s in (slot_specs_of(quiz) if quiz else [])]
        self.slots = SlotFormSet(None if self.slots_locked else data, initial=initial, prefix="slots",
                                 form_kwargs={"templates": course_templates(course)})
        if self.slots_locked:
            for form in self.slots.forms:
                for field in form.fields.values():
                    field.disabled = True

    def is_valid(self) -> bool:
        """Every error at once: the settings, the slots, and publishing a quiz without questions."""
        quiz_ok = self.form.is_valid()
        slots_ok = self.slots_locked or self.slots.is_valid()
        if slots_ok and self.form.cleaned_data.get("published") and self._slot_count() == 0:
            self.form.add_error("published", "A quiz without questions cannot be published: add a question first.")
            quiz_ok = False
        return quiz_ok and slots_ok

    def _slot_count(self) -> int:
        return self.quiz.slots.count() if self.slots_locked and self.quiz else len(self.slots.kept_forms())

    def quiz_fields(self) -> dict[str, Any]:
        return {name: self.form.cleaned_data[name] for name in QUIZ_FIELDS}

    def slot_specs(self) -> list[SlotSpec] | None:
        """The slots as typed, or None when they are locked (the service keeps them)."""
        if self.slots_locked:
            return None
        return [SlotSpec(position=f.cleaned_data["position"], points=f.cleaned_data["points"],
                         template_ids=tuple(sorted(t.id for t in f.cleaned_data["pool"])))
                for f in self.slots.kept_forms()]
