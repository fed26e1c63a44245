"""Small spreadsheets that declare far more than they hold (used by the tests and by `make bench`).

Each is a valid .xlsx of a few kilobytes whose sheet XML is written by hand: a header row of the
deliverables kind, one data row, and something hostile — a huge declared dimension, a row numbered
300,000,000, a cell at column AAAAAA or XFD.
"""

import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl

from transfers import kinds

HEADERS = [column.key for column in kinds.get("deliverables").columns]  # the import's own columns
ROW = ["SP-A", 2022, "Livrable", "", "operations", 3, "équipes", "", "2022-12-31"]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _letters(index):
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref, value):
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _row(number, values, *, columns=None):
    columns = columns or range(1, len(values) + 1)
    cells = "".join(_cell(f"{_letters(col)}{number}", value) for col, value in zip(columns, values, strict=False))
    return f'<row r="{number}">{cells}</row>'


def sheet_xlsx(sheet_xml):
    """A workbook made by openpyxl (styles, shared strings, rels) whose only sheet is ``sheet_xml``."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Deliverables"
    workbook.active.append(["placeholder"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            archive.writestr(info.filename, data)
    return out.getvalue()


def _sheet(rows, dimension=None):
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{NS}">{dim}<sheetData>{"".join(rows)}</sheetData></worksheet>'


def declared_dimension():
    """Declares A1:XFD1048576 (a full Excel sheet) and holds two rows."""
    return sheet_xlsx(_sheet([_row(1, HEADERS), _row(2, ROW)], dimension="A1:XFD1048576"))


def far_row(number=300_000_000):
    """Two real rows, then one numbered ``number``: the old reader filled every row in between."""
    return sheet_xlsx(_sheet([_row(1, HEADERS), _row(2, ROW), _row(number, ["SP-A"])]))


def far_column(letters="XFD"):
    """A data row with one more cell at column ``letters`` (AAAAAA is past Excel's own XFD)."""
    row = ROW + ["far"]
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    columns = [*range(1, len(ROW) + 1), index]
    return sheet_xlsx(_sheet([_row(1, HEADERS), _row(2, row, columns=columns)]))


def formatted_rows_below(count=60_000):
    """Real data, then empty formatted rows to ``count``: nothing to read, nothing refused."""
    empty = [f'<row r="{n}" s="1" customFormat="1"/>' for n in range(3, count + 1, 997)]
    return sheet_xlsx(_sheet([_row(1, HEADERS), _row(2, ROW), *empty]))


HOSTILE = {
    "declared A1:XFD1048576": declared_dimension,
    "row 300,000,000": far_row,
    "cell at column XFD": far_column,
    "cell at column AAAAAA": lambda: far_column("AAAAAA"),
    "formatted rows to 60,000": formatted_rows_below,
}
