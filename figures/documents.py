"""The bilan as a publication: PDF (WeasyPrint) and Excel workbook (openpyxl), in fr, ar or en.

Both take the ``BilanData`` of ``figures.bilan`` — the same computation as the page and the JSON.
"""

import io
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.cells import formula_safe
from core.i18n import active_language
from figures import formatting

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per layout step


def wording(year):
    """The publication's fixed wording, in the active language (the callers override it).

    The bilan is published in each language as a whole: its wording is in the catalogues like the
    interface's, under the "bilan publication" context where the same English means something else.
    """
    return {
        "org": pgettext("bilan publication", "General Directorate of National Security"),
        "title": _("Annual report %(year)s") % {"year": year},
        "published": _("Published edition: the figures are frozen."),
        "draft": _("Working draft: figures may still change."),
        "restricted": _("Restricted — internal document"),
        "public_edition": _("Public edition"),
        "introduction": pgettext("bilan publication", "Introduction"),
        "highlights": _("Highlights"),
        "indicator": _("Indicator"),
        "unit": _("Unit"),
        "domain": _("Domain"),
        "code": _("Code"),
        "change": pgettext("bilan publication", "Change"),
        "change_pct": _("Change (%)"),
        "note": _("Note"),
        "versus": _("vs %(year)s:") % {"year": year - 1},
        "outlook": _("Outlook for %(year)s") % {"year": year + 1},
        "objective": _("Objective"),
        "sources": _("Sources and notes"),
        "legend": _("▲ rise, ▼ fall; green is an improvement, red a deterioration."),
        "method": _(
            "Rates are computed from the figures, never typed. “n/a”: no previous figure to compare "
            "with; “new”: the previous figure was zero."
        ),
        "figures": _("Figures"),
        "narrative": pgettext("bilan publication", "Narrative"),
    }


def _language(language):
    return active_language(language)


def _notes(data):
    """Numbered source notes: {code: number} and the list, for footnotes."""
    numbers, notes, by_text = {}, [], {}
    for group in data.reported_groups:
        for line in group.lines:
            if line.note:
                if line.note not in by_text:  # one footnote per distinct note
                    notes.append(line.note)
                    by_text[line.note] = len(notes)
                numbers[line.code] = by_text[line.note]
    return numbers, notes


def render_pdf(data, language):
    """The bilan as PDF bytes, laid out like the printed annual report."""
    from weasyprint import HTML  # imported lazily: only the PDF needs pango

    language = _language(language)
    with translation.override(language):
        words = wording(data.year)
        numbers, notes = _notes(data)
        html = render_to_string(
            "figures/bilan_pdf.html",
            {
                "data": data,
                "language": language,
                "rtl": language == "ar",
                "w": words,
                "doc_title": data.title_text or words["title"],
                "versus": words["versus"],
                "outlook_title": words["outlook"],
                "note_numbers": numbers,
                "notes": notes,
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# ---------------------------------------------------------------- Excel

NUMBER_FORMATS = {
    "count": "#,##0",
    "l": "#,##0",
    "mad": "#,##0",
    "hours": "#,##0",
    "kg": "#,##0.000",
    "t": "#,##0.000",
    "percent": "0.0",
}


def safe_text(text):
    """User text for a cell, never a formula (core.cells.formula_safe)."""
    return formula_safe("" if text is None else str(text))


def render_xlsx(data, language):
    """The bilan as an .xlsx workbook: one sheet of figures, one of highlights, one of text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    language = _language(language)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE3EA")
    with translation.override(language):
        w = wording(data.year)
        book = Workbook()
        sheet = book.active
        sheet.title = w["figures"][:31]
        sheet.sheet_view.rightToLeft = language == "ar"
        sheet.append([safe_text(data.title_text or w["title"])])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([w["public_edition"] if data.is_public_edition else w["restricted"]])
        sheet["A2"].font = Font(bold=True, color="842029" if not data.is_public_edition else "17663A")
        headers = [
            w["domain"],
            w["code"],
            w["indicator"],
            w["unit"],
            str(data.previous_year),
            str(data.year),
            w["change"],
            w["change_pct"],
            w["note"],
        ]
        sheet.append(headers)
        for cell in sheet[3]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for group in data.reported_groups:
            for line in group.lines:
                number_format = NUMBER_FORMATS.get(line.unit, "#,##0.####")
                pct = line.change_pct / 100 if line.change_pct is not None else formatting.format_change_pct(line)
                sheet.append(
                    [
                        str(group.label),
                        line.code,
                        safe_text(line.name),
                        line.unit_label,
                        line.previous,
                        line.value,
                        line.change if line.change is not None else _("n/a"),
                        pct,
                        safe_text(line.note),
                    ]
                )
                row = sheet.max_row
                for column in (5, 6, 7):
                    sheet.cell(row=row, column=column).number_format = number_format
                sheet.cell(row=row, column=8).number_format = "+0.0%;-0.0%;0.0%"
        for column, width in zip(range(1, 10), (24, 26, 52, 12, 14, 14, 14, 12, 60), strict=True):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A4"

        highlights = book.create_sheet(w["highlights"][:31])
        highlights.sheet_view.rightToLeft = language == "ar"
        highlights.append([w["indicator"], str(data.previous_year), str(data.year), w["change_pct"]])
        for cell in highlights[1]:
            cell.font, cell.fill = bold, head_fill
        for line in data.highlights:
            highlights.append([safe_text(line.name), line.previous, line.value, line.change_pct / 100])
            highlights.cell(row=highlights.max_row, column=4).number_format = "+0.0%;-0.0%;0.0%"
        highlights.column_dimensions["A"].width = 52

        text = book.create_sheet(w["narrative"][:31])
        text.sheet_view.rightToLeft = language == "ar"
        text.column_dimensions["A"].width = 28
        text.column_dimensions["B"].width = 110
        text.append([w["introduction"], safe_text(data.introduction_text)])
        for group in data.reported_groups:
            if group.body:
                text.append([str(group.label), safe_text(group.body)])
        text.append([w["outlook"], safe_text(data.outlook_text)])
        for objective in data.objectives:
            text.append([w["objective"], safe_text(objective.get("title", "")), safe_text(objective.get("unit", ""))])
        for row in text.iter_rows():
            row[0].font = bold
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if not data.is_public_edition:
            for each in book.worksheets:  # printed, every page says it is internal
                each.oddHeader.center.text = w["restricted"]
                each.evenHeader.center.text = w["restricted"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
