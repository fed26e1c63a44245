"""Read an uploaded .xlsx or .csv into a tablib Dataset, refusing bad files with a clear message.

Every refusal is a ``FileRejected`` (a ValidationFailed): the user sees why, never a server error.
Checks, in order: size, format, for .xlsx the zip's declared uncompressed size and ratio (zip bombs)
before openpyxl parses anything, then openpyxl with defusedxml (XML entity attacks are refused),
the sheet, the header row and the required columns.
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
            rows = fast_sheet_rows(workbook[chosen])
        except FileRejected:
            raise
        except Exception:
            try:
                rows = list(workbook[chosen].iter_rows(values_only=True))
            except Exception:
                raise FileRejected(_("The sheet “%(name)s” could not be read.") % {"name": chosen}) from None
    finally:
        workbook.close()
    return rows


def _column_index(letters, cache={}):  # noqa: B006 - a deliberate per-process cache
    index = cache.get(letters)
    if index is None:
        index = 0
        for letter in letters:
            index = index * 26 + (ord(letter) - 64)
        cache[letters] = index
    return index


def fast_sheet_rows(worksheet):
    """The values of an openpyxl read-only worksheet, row by row, parsed with expat directly.

    Same results as ``worksheet.iter_rows(values_only=True)`` (a test compares them) for a third of the
    time: openpyxl builds an element tree per cell. Uses openpyxl's own shared strings, date styles and
    epoch (pinned openpyxl; any surprise falls back to ``iter_rows``). A DTD or an entity declaration
    is refused outright.
    """
    from xml.parsers import expat

    from openpyxl.utils.datetime import from_excel, from_ISO8601

    workbook = worksheet.parent
    shared = worksheet._shared_strings
    date_formats, timedelta_formats, epoch = workbook._date_formats, workbook._timedelta_formats, workbook.epoch
    rows = {}
    state = {"row": 0, "cells": None, "col": 0, "type": "n", "style": 0, "text": None, "in_t": False,
             "in_rph": False}

    def refuse(*args):
        raise FileRejected(_("The spreadsheet contains XML entities or a DTD: refused for safety."))

    def start(name, attrs):
        name = name.rpartition(":")[2]
        if name == "c":
            ref = attrs.get("r")
            if ref:
                state["col"] = _column_index(ref.rstrip("0123456789"))
            else:
                state["col"] += 1
            state["type"] = attrs.get("t", "n")
            state["style"] = int(attrs.get("s", 0) or 0)
            state["text"] = None
        elif name == "v":
            state["text"] = ""
            state["in_t"] = True
        elif name == "t" and state["type"] == "inlineStr" and not state["in_rph"]:
            if state["text"] is None:
                state["text"] = ""
            state["in_t"] = True
        elif name == "rPh":
            state["in_rph"] = True
        elif name == "row":
            ref = attrs.get("r")
            state["row"] = int(ref) if ref else state["row"] + 1
            state["cells"] = rows.setdefault(state["row"], {})
            state["col"] = 0

    def end(name):
        name = name.rpartition(":")[2]
        if name in ("v", "t"):
            state["in_t"] = False
        elif name == "rPh":
            state["in_rph"] = False
        elif name == "c":
            value, kind = state["text"], state["type"]
            if value is not None and (value or kind == "inlineStr"):
                if kind == "n":
                    value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                    if state["style"] in date_formats:
                        try:
                            value = from_excel(value, epoch, timedelta=state["style"] in timedelta_formats)
                        except (OverflowError, ValueError):
                            value = "#VALUE!"
                elif kind == "s":
                    value = shared[int(value)]
                elif kind == "b":
                    value = bool(int(value))
                elif kind == "d":
                    value = from_ISO8601(value)
                state["cells"][state["col"]] = value
            elif value == "" and kind not in ("n", "s", "b", "d"):
                state["cells"][state["col"]] = None

    def text(data):
        if state["in_t"]:
            state["text"] += data

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    with worksheet._get_source() as source:
        parser.ParseFile(source)
    if not rows:
        return []
    result = []
    for number in range(1, max(rows) + 1):
        cells = rows.get(number)
        if not cells:
            result.append(())
            continue
        width = max(cells)
        result.append(tuple(cells.get(col) for col in range(1, width + 1)))
    return result


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
    try:
        # Only the delimiter is guessed: the sniffer may also guess doublequote=False, which would
        # read Excel's doubled quotes ("=HYPERLINK(""http://x"")") wrongly.
        rows = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
        return [tuple(row) for row in rows]
    except csv.Error as error:
        raise FileRejected(_("The .csv file could not be read: %(error)s") % {"error": error}) from None


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
        ensure_ascii=False, separators=(",", ":"),
    ).encode("utf-8")


def dataset_from_json(data):
    payload = json.loads(data)
    dataset = tablib.Dataset(headers=payload["headers"])
    for row in payload["rows"]:
        dataset.append(row)
    return dataset
