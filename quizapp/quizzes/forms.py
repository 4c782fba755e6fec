from django import forms
from django.conf import settings


class AnswerForm(forms.Form):
    position = forms.IntegerField(min_value=0)
    part_key = forms.CharField(max_length=64)
    # The service checks the length and says so clearly; this only bounds what we read.
    raw = forms.CharField(required=False, strip=False, max_length=settings.ANSWER_MAX_CHARS * 50)
