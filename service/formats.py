"""The formats a document is delivered in, and choosing one for a request.

.docx is what the service renders; .odt and .pdf are made from it by LibreOffice
(service/converter.py).
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from schemas.i18n import Msg

from .errors import ApiError

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


def check(name: str) -> str:
    if name not in MIMETYPES:
        raise ApiError(400, Msg("Tuntematon tiedostomuoto (format). Sallitut arvot: {names}.").format(names=NAMES))
    return name


def choose(format_param: str | None, accept_header: str | None) -> str:
    """``?format=`` wins; otherwise the Accept header; docx when neither says anything.

    An Accept header that rules out all three formats is answered 406 rather than with a
    document the client said it cannot use.
    """
    if format_param is not None:
        return check(format_param)
    if not accept_header:
        return DOCX
    accept = parse_accept_header(accept_header, MIMEAccept)
    best = accept.best_match(list(MIMETYPES.values()))
    if best is None:
        raise ApiError(406, Msg("Pyydettyä vastausmuotoa ei voida tuottaa. Asiakirja on saatavana muodoissa "
                                "{names} (?format= tai Accept: {mimetypes}).")
                       .format(names=NAMES, mimetypes=", ".join(MIMETYPES.values())))
    return next(name for name, mimetype in MIMETYPES.items() if mimetype == best)
