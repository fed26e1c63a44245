"""Web forms of the annual report. They only parse input; reviews.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput
from reviews.models import Outcome, ReportConstraint


class ReportSummaryForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(label=_("Summary of the year"), required=False, widget=forms.Textarea(attrs={"rows": 5}))


class OutcomeForm(forms.Form):
    deliverable = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Outcome"), choices=Outcome.Status.choices, required=False)
    percent_done = forms.IntegerField(
        label=_("Percentage done"),
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"step": 1}),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(
        label=_("Attach a file (PDF, image, office document)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods"}
        ),
    )


class AchievementForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Achievement"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConstraintForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—")] + list(ReportConstraint.Category.choices), required=False
    )
    description = forms.CharField(
        label=_("Challenge or constraint"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    remedy = forms.CharField(label=_("What would lift it"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    needs_action = forms.BooleanField(label=_("Needs action next year"), required=False)


OutcomeFormSet = forms.formset_factory(OutcomeForm, extra=0)
AchievementFormSet = forms.formset_factory(AchievementForm, extra=1, can_delete=True)
ConstraintFormSet = forms.formset_factory(ConstraintForm, extra=1, can_delete=True)
# While a report is returned with flagged items no item can be added: no blank row.
FlaggedAchievementFormSet = forms.formset_factory(AchievementForm, extra=0, can_delete=True)
FlaggedConstraintFormSet = forms.formset_factory(ConstraintForm, extra=0, can_delete=True)


class ExtensionForm(forms.Form):
    until = forms.DateField(
        label=_("New deadline"),
        widget=IsoDateInput(attrs={"class": "form-control"}),
        input_formats=["%Y-%m-%d"],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ItemCommentForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), max_length=20000, widget=forms.Textarea(attrs={"rows": 2}))
    back = forms.CharField(required=False, widget=forms.HiddenInput)


class DashboardFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of unit"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, kinds, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + list(kinds)
        self.fields["region"].choices = [("", _("All regions"))] + [(r.code, r.name) for r in regions]
