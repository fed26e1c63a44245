"""Query parameters of the bilan's pages and documents, declared once."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

EDITIONS = [("internal", _("Internal edition")), ("public", _("Public edition"))]


class BilanDocumentForm(forms.Form):
    """``?lang=`` (the document's language) and ``?edition=`` (internal or public)."""

    lang = forms.ChoiceField(choices=settings.LANGUAGES, required=False)
    edition = forms.ChoiceField(choices=EDITIONS, required=False)

    def chosen_language(self, default):
        return (self.cleaned_data.get("lang") if self.is_valid() else "") or default

    def chosen_edition(self):
        return (self.cleaned_data.get("edition") if self.is_valid() else "") or "internal"
