"""Web forms of the bilan: its query parameters, declared once, and its narrative. They only parse input."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from figures import services

EDITIONS = [("internal", _("Internal edition")), ("public", _("Public edition"))]


class BilanDocumentForm(forms.Form):
    """``?lang=`` (the document's language) and ``?edition=`` (internal or public)."""

    lang = forms.ChoiceField(choices=settings.LANGUAGES, required=False)
    edition = forms.ChoiceField(choices=EDITIONS, required=False)

    def chosen_language(self, default):
        return (self.cleaned_data.get("lang") if self.is_valid() else "") or default

    def chosen_edition(self):
        return (self.cleaned_data.get("edition") if self.is_valid() else "") or "internal"


class BilanTextForm(forms.Form):
    """The bilan's narrative: its text fields, one text per domain and language, and the version read."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = list(domains)
        for field in services.TEXT_FIELDS:
            self.fields[field] = forms.CharField(required=False)
        for field in services.PUBLIC_FIELDS:  # checkboxes: in the public edition or not
            self.fields[field] = forms.BooleanField(required=False)
        for domain in self.domains:
            for lang, _name in settings.LANGUAGES:
                self.fields[f"section-{domain}-{lang}"] = forms.CharField(required=False)
            self.fields[f"section-{domain}-public"] = forms.BooleanField(required=False)

    def texts(self):
        return {field: self.cleaned_data.get(field) for field in [*services.TEXT_FIELDS, *services.PUBLIC_FIELDS]}

    def sections(self):
        return {
            domain: {
                **{lang: self.cleaned_data.get(f"section-{domain}-{lang}", "") for lang, _name in settings.LANGUAGES},
                "public": self.cleaned_data.get(f"section-{domain}-public", False),
            }
            for domain in self.domains
        }
