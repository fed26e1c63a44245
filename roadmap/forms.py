"""Web forms of the meeting, priorities and roadmap. They only parse input; roadmap.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput
from directorates.models import Deliverable, Directorate
from roadmap.models import ObjectiveStatus, Priority, SourceKind


class BootstrapForm(forms.Form):
    """Give every widget Bootstrap's class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.HiddenInput)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class ObjectiveForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    owner = UnitChoiceField(label=_("Owner unit"), queryset=Directorate.objects.filter(is_active=True))
    priority: "forms.ModelChoiceField[Priority]" = forms.ModelChoiceField(
        label=_("Priority"), queryset=None, required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=Deliverable.Category.choices)
    target = forms.CharField(label=_("Measurable target"), max_length=300, required=False)
    target_quantity = forms.DecimalField(label=_("Target quantity"), required=False, min_value=0)
    target_unit = forms.CharField(label=_("Target unit"), max_length=50, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    achieved_so_far = forms.CharField(
        label=_("Achieved so far"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, priorities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        self.fields["priority"].label_from_instance = lambda p: f"{p.code} — {p.title}"


class MilestoneForm(BootstrapForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Milestone"), max_length=300, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "T1"), (2, "T2"), (3, "T3"), (4, "T4")],
    )
    due_date = forms.DateField(label=_("or due date"), required=False, widget=IsoDateInput())
    target_value = forms.DecimalField(label=_("Target"), required=False, min_value=0)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, can_delete=True)


class DropForm(BootstrapForm):
    reason = forms.CharField(label=_("Why is it dropped?"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(BootstrapForm):
    refs = forms.CharField(label=_("References of the objectives to merge into this one (comma-separated)"))


class SplitForm(BootstrapForm):
    titles = forms.CharField(
        label=_("One title per line (the first stays on this objective)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProgressForm(BootstrapForm):
    value = forms.DecimalField(label=_("Value reached"), min_value=0)
    recorded_on = forms.DateField(label=_("Date"), required=False, widget=IsoDateInput())
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RoadmapFilterForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    owner = forms.ChoiceField(label=_("Unit"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(ObjectiveStatus.choices)
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All"))] + list(SourceKind.choices))
    as_of = forms.DateField(
        label=_("Status as of"), required=False, widget=IsoDateInput(attrs={"class": "form-control form-control-sm"})
    )

    def __init__(self, *args, priorities=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", _("All"))] + [(p.code, f"{p.code} — {p.title}") for p in priorities]
        self.fields["owner"].choices = [("", _("All"))] + [(u.code, f"{u.code} — {u.name}") for u in units]


class PriorityForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=300)
    title_ar = forms.CharField(label=_("Title (Arabic)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    text_fr = forms.CharField(label=_("Text (French)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text_ar = forms.CharField(label=_("Text (Arabic)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owners = UnitMultipleChoiceField(
        label=_("Units that carry it out"),
        required=False,
        queryset=Directorate.objects.filter(is_active=True),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class InviteForm(BootstrapForm):
    units = UnitMultipleChoiceField(
        label=_("Invite other units (their head)"),
        queryset=Directorate.objects.filter(is_active=True).order_by("path"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class MeetingForm(BootstrapForm):
    date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class IdField(forms.IntegerField):
    """A row id: a positive integer that fits the database's id column."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


class IdListField(forms.MultipleChoiceField):
    """Several row ids (checkboxes): each a positive integer."""

    def valid_value(self, value):
        return str(value).isdigit() and 0 < int(value) < 2**63

    def clean(self, value):
        return [int(v) for v in super().clean(value)]


class AgendaMoveForm(forms.Form):
    item = IdField()
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class AttendanceForm(forms.Form):
    present = IdListField(required=False)


class PriorityPickForm(forms.Form):
    """Which priority the page edits: ``?edit=<id>`` or the posted ``id``."""

    edit = IdField(required=False)
    id = IdField(required=False)
