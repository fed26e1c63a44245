from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "class": "form-control",
                "dir": "ltr",
            }
        ),
    )


class TokenRevokeForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{16}$", max_length=16)
