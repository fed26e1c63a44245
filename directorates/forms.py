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

    def validate_unique(self):
        """Uniqueness is the service's to check, with its own message."""
