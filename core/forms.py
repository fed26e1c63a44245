"""Form pieces shared by every app."""

from django import forms


class IsoDateInput(forms.DateInput):
    """``<input type="date">`` with its value always in ISO ``yyyy-mm-dd``.

    Browsers only read ISO in a date input and show it in the user's locale; a value rendered in the
    page's locale (``30/09/2023`` in French) shows an empty field and the next save loses the date.
    Every date field of the project uses this widget (a test walks the forms to keep it so).
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
