from django import forms
from django_ace import AceWidget

from questions import TemplateError, load_template
from quizapp.courses.models import Course

MAX_SOURCE_CHARS = 64_000


class TemplateSourceForm(forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.none(), required=False)
    source = forms.CharField(
        max_length=MAX_SOURCE_CHARS, strip=False,
        widget=AceWidget(mode="yaml", theme="chrome", width="100%", height="480px", tabsize=2, showprintmargin=False),
    )

    def __init__(self, *args, courses=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if courses is None:
            del self.fields["course"]
        else:
            self.fields["course"].queryset = courses
            self.fields["course"].required = True
            self.fields["course"].empty_label = None

    error_line: int | None = None

    def clean_source(self) -> str:
        source = self.cleaned_data["source"]
        try:
            self.spec = load_template(source, source="editor")
        except TemplateError as exc:
            self.error_line = exc.line  # the editor marks this line
            raise forms.ValidationError(str(exc)) from exc
        return source
