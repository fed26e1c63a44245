import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput
from directorates.models import Deliverable


class DeliverableForm(forms.ModelForm):
    """Parses a deliverable; directorates.services.deliverable_create/update decide."""

    class Meta:
        model = Deliverable
        fields = ["title", "description", "category", "target_quantity", "target_unit", "target_date", "due_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "target_date": IsoDateInput(),
            "due_date": IsoDateInput(),
        }
        help_texts = {"target_quantity": _("A quantity with its unit, or a target date.")}

    def __init__(self, *args, needs_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["reason"] = copy.deepcopy(ReasonForm.base_fields["reason"])

    def validate_unique(self):
        """Uniqueness is the service's to check, with its own message."""


class ReasonForm(forms.Form):
    """Why the DG's office changes by hand a deliverable handed over from the approved roadmap."""

    reason = forms.CharField(
        label=_("Why is this deliverable of the approved roadmap changed by hand?"),
        max_length=100,
        required=False,
        help_text=_("Kept in the deliverable's history."),
    )
