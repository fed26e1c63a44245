"""The fast .xlsx reader gives the same values as openpyxl's own iteration."""

import datetime
import io
import zipfile

import openpyxl
import pytest

from transfers.readers import FileRejected, fast_sheet_rows


def _trim(rows):
    trimmed = [tuple(row) for row in rows]
    trimmed = [row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in trimmed]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _both(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.active
    expected = _trim(sheet.iter_rows(values_only=True))
    got = _trim(fast_sheet_rows(sheet))
    workbook.close()
    return expected, got


@pytest.mark.parametrize("write_only", [False, True])
def test_fast_reader_matches_openpyxl(write_only):
    workbook = openpyxl.Workbook(write_only=write_only)
    sheet = workbook.create_sheet("S") if write_only else workbook.active
    sheet.append(["text", "int", "float", "date", "datetime", "bool", "formula", "négatif", "vide"])
    sheet.append(["Livrable é ش", 3, 2.5, datetime.date(2022, 12, 31), datetime.datetime(2022, 1, 2, 3, 4), True,
                  "=1+1", -4, None])
    sheet.append([None, None, None])
    sheet.append(["  spaces  ", 10**12, 1e-7, None, None, False, None, "", "last"])
    if not write_only:
        sheet["C9"] = "gap below"
        sheet["AB9"] = "far column"
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected, got = _both(buffer.getvalue())
    assert got == expected


def test_fast_reader_reads_inline_and_rich_strings():
    workbook = openpyxl.Workbook()
    workbook.active.append(["placeholder"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    sheet_xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 b'<row r="1"><c r="A1" t="inlineStr"><is><t>plain</t></is></c>'
                 b'<c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>'
                 b'<c r="C1" t="str"><v>formula text</v></c><c r="D1"><v>7</v></c></row>'
                 b'<row r="3"><c r="B3" t="b"><v>1</v></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = sheet_xml
            archive.writestr(info, data)
    expected, got = _both(out.getvalue())
    assert got == expected == [("plain", "rich", "formula text", 7), (), (None, True)]


class _FakeSheet:
    """Just what fast_sheet_rows reads of an openpyxl read-only worksheet."""

    def __init__(self, xml):
        self.xml = xml
        self._shared_strings = []
        self.parent = type("Book", (), {"_date_formats": set(), "_timedelta_formats": set(), "epoch": None})()

    def _get_source(self):
        return io.BytesIO(self.xml)


def test_fast_reader_refuses_a_dtd_and_skips_phonetic_runs():
    with pytest.raises(FileRejected):
        fast_sheet_rows(_FakeSheet(b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet><sheetData/></worksheet>'))
    sheet = _FakeSheet(b'<worksheet><sheetData><row><c t="inlineStr"><is><r><t>a</t></r><rPh><t>x</t></rPh>'
                       b'</is></c><c><v>1.5</v></c></row></sheetData></worksheet>')
    assert fast_sheet_rows(sheet) == [("a", 1.5)]
