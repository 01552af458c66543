"""Download responses for documents and template files, and the format a request asks for."""

from __future__ import annotations

from flask import Response
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from schemas.i18n import Msg
from service.formats import DOCX, DOCX_MIMETYPE, MIMETYPES, NAMES, check
from service.problems import ApiError
from service.rendering.docx_template import LoadedTemplate


def attachment(content: bytes, file_name: str, template: LoadedTemplate | None = None,
               mimetype: str = DOCX_MIMETYPE):
    """A download response; file names carry only type names, versions and case_ref."""
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    if template is not None:
        response.headers["Content-Language"] = template.language
        response.headers["X-Template-Version"] = f"{template.version} sha256:{template.sha256[:16]}"
    return response


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
