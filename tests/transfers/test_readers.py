"""The streaming .xlsx reader gives the same values as openpyxl's own iteration, in memory bounded by the
real content whatever the file declares."""

import datetime
import io
import tracemalloc
import zipfile

import openpyxl
import pytest

from transfers import kinds, readers
from transfers.readers import FileRejected, sheet_rows

from . import hostile


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
    got = _trim(sheet_rows(sheet))
    workbook.close()
    return expected, got


@pytest.mark.parametrize("write_only", [False, True])
def test_reader_matches_openpyxl(write_only):
    workbook = openpyxl.Workbook(write_only=write_only)
    sheet = workbook.create_sheet("S") if write_only else workbook.active
    sheet.append(["text", "int", "float", "date", "datetime", "bool", "formula", "négatif", "vide"])
    sheet.append(
        [
            "Livrable é ش",
            3,
            2.5,
            datetime.date(2022, 12, 31),
            datetime.datetime(2022, 1, 2, 3, 4),
            True,
            "=1+1",
            -4,
            None,
        ]
    )
    sheet.append([None, None, None])
    sheet.append(["  spaces  ", 10**12, 1e-7, None, None, False, None, "", "last"])
    if not write_only:
        sheet["C9"] = "gap below"
        sheet["AB9"] = "far column"
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected, got = _both(buffer.getvalue())
    assert got == expected


def test_reader_reads_inline_and_rich_strings():
    workbook = openpyxl.Workbook()
    workbook.active.append(["placeholder"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    sheet_xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>plain</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>'
        b'<c r="C1" t="str"><v>formula text</v></c><c r="D1"><v>7</v></c></row>'
        b'<row r="3"><c r="B3" t="b"><v>1</v></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = sheet_xml
            archive.writestr(info, data)
    expected, got = _both(out.getvalue())
    assert got == expected == [("plain", "rich", "formula text", 7), (), (None, True)]


def _read(content, **limits):
    return readers.read_dataset(io.BytesIO(content), fmt="xlsx", kind=kinds.get("deliverables"))


def _peak_mb(function, *args):
    tracemalloc.start()
    try:
        function(*args)
    except FileRejected as error:
        outcome = error.message
    else:
        outcome = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, peak / 1048576


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.IMPORT_MAX_ROWS = 50_000
    settings.IMPORT_MAX_COLUMNS = 100


def test_a_declared_size_past_the_limits_is_refused_before_reading():
    with pytest.raises(FileRejected, match="declares 1048576 rows"):
        _read(hostile.declared_dimension())


def test_a_row_numbered_past_the_limit_is_refused_without_filling_the_gap():
    # Row 3,000,000: the hand-written reader allocated a list entry for each row before it (24 MB here,
    # 2.3 GB for row 300,000,000); openpyxl's own iter_rows would yield each of them too.
    message, peak = _peak_mb(_read, hostile.far_row(3_000_000))
    assert "Too many rows" in message
    assert peak < 8


def test_a_cell_at_a_far_column_is_refused_without_allocating_the_columns_before_it():
    message, peak = _peak_mb(_read, hostile.far_column("XFD"))
    assert "Too many columns" in message
    assert peak < 8
    message, peak = _peak_mb(_read, hostile.far_column("AAAAAA"))  # past Excel's own last column
    assert "could not be read" in message
    assert peak < 8


def test_empty_formatted_rows_below_the_data_are_not_refused_nor_read():
    message, peak = _peak_mb(_read, hostile.formatted_rows_below(60_000))
    assert message is None
    assert len(_read(hostile.formatted_rows_below(60_000))) == 1
    assert peak < 8


def test_a_csv_with_content_past_the_limits_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    kind = kinds.get("deliverables")
    header = ",".join(hostile.HEADERS)
    line = ",".join(str(v) for v in hostile.ROW)
    with pytest.raises(FileRejected, match="Too many rows"):
        readers.read_dataset(io.BytesIO("\n".join([header] + [line] * 4).encode()), fmt="csv", kind=kind)
    # Trailing empty lines and separators are not data.
    text = "\n".join([header] + [line] * 3 + [",,,"] * 10) + "," * 500
    assert len(readers.read_dataset(io.BytesIO(text.encode()), fmt="csv", kind=kind)) == 3
    with pytest.raises(FileRejected, match="Too many columns"):
        readers.read_dataset(io.BytesIO((header + "," * 200 + "x\n" + line).encode()), fmt="csv", kind=kind)
