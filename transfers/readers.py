"""Read an uploaded .xlsx or .csv into a tablib Dataset, refusing bad files with a clear message.

Every refusal is a ``FileRejected`` (a ValidationFailed): the user sees why, never a server error.
Checks, in order: size, format, for .xlsx the zip's declared uncompressed size and ratio (zip bombs)
before openpyxl parses anything, then openpyxl (read-only, with defusedxml: XML entity attacks are
refused), the sheet's declared size, then rows streamed with memory bounded by their real content
(rows and columns past the limits are refused as soon as they are met, whatever the file declares),
the header row and the required columns.
"""

import csv
import datetime
import decimal
import io
import json
import re
import zipfile

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

FORMATS = ("xlsx", "csv")


class FileRejected(ValidationFailed):
    pass


def max_upload_bytes():
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


def max_uncompressed_bytes():
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 50_000)


MAX_COMPRESSION_RATIO = 200
ROW_KEY = "_row"


def file_format(name):
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise FileRejected(_("Only .xlsx and .csv files can be imported."))
    return extension


def check_size(size):
    if size > max_upload_bytes():
        raise FileRejected(
            _("The file is too large (%(size)s MB; at most %(max)s MB).")
            % {"size": round(size / 1048576, 1), "max": round(max_upload_bytes() / 1048576, 1)}
        )
    if size == 0:
        raise FileRejected(_("The file is empty."))


def check_xlsx(handle):
    """The checks made before openpyxl parses an .xlsx: a zip, not a bomb, no DTD in any XML part."""
    _check_zip(handle)


def _check_zip(handle):
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(_("This is not an .xlsx spreadsheet (the file could not be opened).")) from None
    with archive:
        members = archive.infolist()
        declared = sum(info.file_size for info in members)
        compressed = sum(info.compress_size for info in members) or 1
        if declared > max_uncompressed_bytes() or declared / compressed > MAX_COMPRESSION_RATIO:
            raise FileRejected(
                _("The spreadsheet expands to %(size)s MB when opened: refused as a possible zip bomb.")
                % {"size": round(declared / 1048576, 1)}
            )
        if "[Content_Types].xml" not in archive.namelist():
            raise FileRejected(_("This is not an .xlsx spreadsheet (the file could not be opened)."))
        for info in members:
            if info.filename.endswith((".xml", ".rels")) and _declares_dtd(archive, info):
                raise FileRejected(_("The spreadsheet contains XML entities or a DTD: refused for safety."))


_PROLOG = re.compile(rb"<(!DOCTYPE|!ENTITY|[A-Za-z_])", re.IGNORECASE)
MAX_PROLOG_BYTES = 1024 * 1024


def _declares_dtd(archive, info):
    """Does this XML part declare a DTD (the door to entity attacks) before its root element?

    Belt and braces beside defusedxml: openpyxl reads worksheets with the standard library's parser.
    """
    with archive.open(info) as stream:
        read, tail = 0, b""
        while read < MAX_PROLOG_BYTES:
            chunk = stream.read(65536)
            if not chunk:
                return False
            read += len(chunk)
            match = _PROLOG.search(tail + chunk)
            if match:
                return match.group(1).startswith(b"!")
            tail = chunk[-16:]
    return True  # a megabyte of prolog is no spreadsheet


def _xlsx_rows(handle, sheet_names):
    import openpyxl

    _check_zip(handle)
    handle.seek(0)
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types; defusedxml's are among them
        name = type(error).__name__
        if "Entit" in name or "DTD" in name or "Forbidden" in name:
            raise FileRejected(_("The spreadsheet contains XML entities or a DTD: refused for safety.")) from None
        raise FileRejected(_("This is not an .xlsx spreadsheet (the file could not be opened).")) from None
    try:
        wanted = {name.casefold() for name in sheet_names}
        sheets = workbook.sheetnames
        chosen = next((s for s in sheets if s.strip().casefold() in wanted), None)
        if chosen is None:
            if len(sheets) != 1:
                raise FileRejected(
                    _("The workbook has no sheet named “%(name)s” (its sheets: %(sheets)s).")
                    % {"name": sheet_names[0], "sheets": ", ".join(sheets)}
                )
            chosen = sheets[0]
        try:
            rows = sheet_rows(workbook[chosen])
        except FileRejected:
            raise
        except Exception:
            raise FileRejected(_("The sheet “%(name)s” could not be read.") % {"name": chosen}) from None
    finally:
        workbook.close()
    return rows


def max_columns():
    return getattr(settings, "IMPORT_MAX_COLUMNS", 100)


def _too_many_rows():
    return FileRejected(_("Too many rows (at most %(max)s).") % {"max": max_rows()})


def _too_many_columns():
    return FileRejected(_("Too many columns (at most %(max)s).") % {"max": max_columns()})


def sheet_rows(worksheet):
    """The values of an openpyxl read-only worksheet, row by row, in memory bounded by the real content.

    A sheet may declare any size (``<dimension ref="A1:XFD1048576">``), jump to any row
    (``<row r="300000000">``) or put a cell at any column: nothing is allocated for what is declared.
    A declared size past the row or column limit is refused before any cell is read; then rows stream
    from openpyxl's own worksheet parser (the one its read-only mode uses, with defusedxml), and the
    first value past a limit refuses the file. Empty (formatted) rows and cells past the limits are
    ignored: they hold no data. Gaps between rows become empty rows only up to the row limit.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    row_limit, column_limit = max_rows() + 1, max_columns()  # the header row is not counted in max_rows
    if (worksheet.max_row or 0) > row_limit:
        raise FileRejected(
            _("The sheet declares %(rows)s rows (at most %(max)s): remove the empty rows below the data.")
            % {"rows": worksheet.max_row, "max": max_rows()}
        )
    if (worksheet.max_column or 0) > column_limit:
        raise FileRejected(
            _("The sheet declares %(columns)s columns (at most %(max)s): remove the empty columns.")
            % {"columns": worksheet.max_column, "max": max_columns()}
        )
    workbook = worksheet.parent
    rows = []
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            cells = [cell for cell in cells if cell["value"] is not None]
            if not cells:
                continue  # formatting only: allocate nothing for it, wherever it sits
            if number > row_limit:
                raise _too_many_rows()
            width = cells[-1]["column"]
            if width > column_limit or any(cell["column"] > column_limit for cell in cells):
                raise _too_many_columns()
            rows.extend(() for _gap in range(len(rows) + 1, number))
            values = [None] * width
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            if len(rows) >= number:  # a row repeated with the same number: openpyxl keeps the last one
                rows[number - 1] = tuple(values)
            else:
                rows.append(tuple(values))
    return rows


def _csv_rows(handle):
    raw = handle.read()
    if b"\x00" in raw[:4096]:
        raise FileRejected(_("This is not a text (.csv) file."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    row_limit, column_limit = max_rows() + 1, max_columns()
    result = []
    try:
        # Only the delimiter is guessed: the sniffer may also guess doublequote=False, which would
        # read Excel's doubled quotes ("=HYPERLINK(""http://x"")") wrongly.
        for row in csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter):
            if len(row) > column_limit:
                if any(value.strip() for value in row[column_limit:]):
                    raise _too_many_columns()
                row = row[:column_limit]  # trailing separators: empty columns, not data
            if len(result) >= row_limit and any(value.strip() for value in row):
                raise _too_many_rows()
            if len(result) < row_limit:
                result.append(tuple(row))
    except csv.Error as error:
        raise FileRejected(_("The .csv file could not be read: %(error)s") % {"error": error}) from None
    return result


def _normalise(text):
    return " ".join(str(text or "").split()).casefold()


def read_dataset(handle, *, fmt, kind):
    """Return a tablib Dataset whose headers are the kind's column keys, in the file's row order.

    Header cells may be written in any of the site's languages (templates are downloaded translated)
    or as the column keys themselves. Unknown columns are ignored; missing required ones refuse the file.
    """
    rows = _xlsx_rows(handle, kind.sheet_names()) if fmt == "xlsx" else _csv_rows(handle)
    # Blank trailing rows (spreadsheets keep formatted empty rows) are not data.
    while rows and all(cell in (None, "") for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise FileRejected(_("The file has no header row."))
    header_map = header_map_for(kind.columns)
    positions = {}
    for index, cell in enumerate(rows[0]):
        key = header_map.get(_normalise(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [column for column in kind.columns if column.required and column.key not in positions]
    if missing:
        raise FileRejected(
            _("Missing columns: %(columns)s. Download the template to see the expected columns.")
            % {"columns": ", ".join(str(column.label) for column in missing)}
        )
    if len(rows) - 1 > max_rows():
        raise FileRejected(_("Too many rows (at most %(max)s).") % {"max": max_rows()})
    keys = list(positions)
    indexes = [positions[key] for key in keys]
    # ROW_KEY carries the row's number in the file (the header is row 1) so errors name the right row.
    dataset = tablib.Dataset(headers=[*keys, ROW_KEY])
    for number, row in enumerate(rows[1:], start=2):
        width = len(row)
        values = tuple(row[i] if i < width else None for i in indexes)
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue  # a blank line is not data
        dataset.append((*values, number))
    return dataset


def header_map_for(columns):
    """Normalised header text → column key, for the key itself and its label in every site language."""
    from django.utils import translation

    mapping = {}
    for column in columns:
        mapping[_normalise(column.key)] = column.key
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                mapping[_normalise(str(column.label))] = column.key
    return mapping


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def dataset_to_json(dataset):
    """The read rows as compact JSON (dates as ISO text, which the widgets read back unchanged)."""
    return json.dumps(
        {"headers": dataset.headers, "rows": [[_plain(v) for v in row] for row in dataset]},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def dataset_from_json(data):
    payload = json.loads(data)
    dataset = tablib.Dataset(headers=payload["headers"])
    for row in payload["rows"]:
        dataset.append(row)
    return dataset
