from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, year_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].required = year_required
        if year_required:
            self.fields["year"].help_text = _("Rows for another year will be refused.")
