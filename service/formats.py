"""The formats a document is delivered in, and choosing one for a request.

.docx is what the service renders; .odt and .pdf are made from it by LibreOffice
(service/conversion).
"""

from __future__ import annotations

from schemas.i18n import Msg
from service.problems import ApiError

DOCX = "docx"
ODT = "odt"
PDF = "pdf"

# The order is the preference when a client accepts several equally (``*/*``): docx first.
MIMETYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ODT: "application/vnd.oasis.opendocument.text",
    PDF: "application/pdf",
}
NAMES = ", ".join(MIMETYPES)
DOCX_MIMETYPE = MIMETYPES[DOCX]


def check(name: str) -> str:
    if name not in MIMETYPES:
        raise ApiError(400, Msg("Tuntematon tiedostomuoto (format). Sallitut arvot: {names}.").format(names=NAMES))
    return name
