from django import forms


class AnswerForm(forms.Form):
    position = forms.IntegerField(min_value=0)
    part_key = forms.CharField(max_length=64)
    # No max_length here: answer_save refuses long answers with a sentence that gives the limit
    # (Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds what is read at all).
    raw = forms.CharField(required=False, strip=False)
