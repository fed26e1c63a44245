"""Web forms of the bilan. They only parse input; figures.services decides."""

from django import forms
from django.conf import settings

from figures import services


class BilanTextForm(forms.Form):
    """The bilan's narrative: its text fields, one text per domain and language, and the version read."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = list(domains)
        for field in services.TEXT_FIELDS:
            self.fields[field] = forms.CharField(required=False)
        for domain in self.domains:
            for lang, _name in settings.LANGUAGES:
                self.fields[f"section-{domain}-{lang}"] = forms.CharField(required=False)

    def texts(self):
        return {field: self.cleaned_data.get(field, "") for field in services.TEXT_FIELDS}

    def sections(self):
        return {domain: {lang: self.cleaned_data.get(f"section-{domain}-{lang}", "") for lang, _name in settings.LANGUAGES}
                for domain in self.domains}
