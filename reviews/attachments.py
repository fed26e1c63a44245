"""Checks on uploaded evidence files: size, and a type read from the content, not the name."""

import os
import uuid

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

# Extension → the types the file's own bytes may reveal.
ALLOWED_TYPES = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "gif": {"gif"},
    "webp": {"webp"},
    "doc": {"doc", "xls", "ppt"},  # OLE containers look alike
    "xls": {"doc", "xls", "ppt"},
    "ppt": {"doc", "xls", "ppt"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "pptx": {"pptx", "zip"},
    "odt": {"odt", "zip"},
    "ods": {"ods", "zip"},
}


def check_upload(uploaded):
    """Return (safe original name, stored name, content type) or raise ValidationFailed."""
    name = os.path.basename(uploaded.name or "").strip() or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationFailed(
            _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            errors={"file": [_("File too large.")]},
        )
    if uploaded.size == 0:
        raise ValidationFailed(_("“%(name)s” is empty.") % {"name": name}, errors={"file": [_("Empty file.")]})
    if extension not in ALLOWED_TYPES:
        raise ValidationFailed(
            _("“%(name)s”: only PDF, images and office documents are accepted.") % {"name": name},
            errors={"file": [_("File type not accepted.")]},
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED_TYPES[extension]:
        raise ValidationFailed(
            _("“%(name)s” does not contain what its name says (.%(ext)s).") % {"name": name, "ext": extension},
            errors={"file": [_("The file's content does not match its type.")]},
        )
    stored = f"{uuid.uuid4().hex}.{extension}"
    content_type = kind.mime if kind.extension != "zip" else "application/octet-stream"
    return name[:255], stored, content_type
