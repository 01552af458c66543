"""From a request's JSON to document bytes: validate, apply the cross-field rules, render,
and for .odt or .pdf convert the rendered .docx with LibreOffice.

The one path used by the API, the CLI, the forms and the template tools. Everything stays in memory.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from marshmallow import ValidationError

from schemas.i18n import DEFAULT, LANGUAGES, Msg, gettext

from . import audit, formats
from .converter import ConversionFailed, ConverterPool, ConverterUnavailable
from .errors import ApiError, flatten
from .registry import DOCUMENT_TYPES, FAMILY, NETWORK, DocumentType
from .template_store import TemplateStore
from .templating import LoadedTemplate, RenderFailed, TemplateInvalid, render

DOCX_MIMETYPE = formats.MIMETYPES[formats.DOCX]


@dataclass
class Document:
    content: bytes
    file_name: str
    template: LoadedTemplate
    mimetype: str = DOCX_MIMETYPE


def attachment(content: bytes, file_name: str, template: LoadedTemplate | None = None,
               mimetype: str = DOCX_MIMETYPE):
    """A download response; file names carry only type names, versions and case_ref."""
    from flask import Response

    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    if template is not None:
        response.headers["Content-Language"] = template.language
        response.headers["X-Template-Version"] = f"{template.version} sha256:{template.sha256[:16]}"
    return response


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constants(name):
    raise ValueError(name)


def parse_json(raw: bytes) -> object:
    """Strict JSON: UTF-8, no duplicate keys (one would silently win), no NaN/Infinity."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, Msg("Pyynnön sisältö ei ole UTF-8-koodattua JSONia.")) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except DuplicateKey:
        raise ApiError(400, Msg("JSON-objektissa on sama kenttä kahdesti.")) from None
    except (ValueError, RecursionError):
        raise ApiError(400, Msg("Pyynnön sisältö ei ole kelvollista JSONia.")) from None


_schemas = threading.local()


def _schema(doc_type: DocumentType):
    """One schema instance per type and thread: building the nested schemas costs more than
    validating a case."""
    cache = _schemas.__dict__.setdefault("by_type", {})
    schema = cache.get(doc_type.id)
    if schema is None:
        schema = cache[doc_type.id] = doc_type.schema()
    return schema


def requested_language(language: str | None) -> str:
    """A template and example language asked for in a request (``?language=``): fi when absent,
    a 400 for anything but fi, sv or en."""
    if language is None:
        return DEFAULT
    if language not in LANGUAGES:
        raise ApiError(400, Msg("Tuntematon kieli (language). Asiakirjapohjien kielet ovat {allowed}.").format(
            allowed=", ".join(LANGUAGES)))
    return language


def get_type(type_id: str) -> DocumentType:
    try:
        return DOCUMENT_TYPES[type_id]
    except KeyError:
        raise ApiError(404, Msg("Tuntematon asiakirjatyyppi. Katso sallitut tyypit: /api/v1/document-types.")) from None


def validate(doc_type: DocumentType, payload: object, rendition: str = FAMILY) -> dict:
    if rendition not in doc_type.renditions:
        allowed = ", ".join(doc_type.renditions)
        raise ApiError(400, Msg("Tuntematon kappale (rendition). Sallitut arvot tälle asiakirjalle: {allowed}.")
                       .format(allowed=allowed))
    if not isinstance(payload, dict):
        raise ApiError(422, errors=[{"path": "", "label": "", "message": Msg("Odotettiin JSON-objektia.")}])
    try:
        data = _schema(doc_type).load(payload)
    except ValidationError as exc:
        raise ApiError(422, errors=flatten(exc.messages, doc_type.fields)) from None
    if rendition == NETWORK and not data["sharing"]["approved_for_network"]:
        raise ApiError(422, errors=[{
            "path": "sharing.approved_for_network",
            "label": gettext(doc_type.fields.children["sharing"].children["approved_for_network"].label),
            "message": Msg("Perhe ei ole hyväksynyt tietoja jaettavaksi läheisille, joten läheisille "
                           "annettavaa kappaletta ei voi tehdä."),
        }])
    return data


def check_all(store: TemplateStore) -> dict[str, list]:
    """Load the active template of every type in every language; return the problems per
    template, keyed "summary/sv" (empty = all good)."""
    report = {}
    for doc_type in DOCUMENT_TYPES.values():
        for language in LANGUAGES:
            key = f"{doc_type.id}/{language}"
            try:
                store.get(doc_type, language)
                report[key] = []
            except TemplateInvalid as exc:
                report[key] = exc.problems
    return report


def preview(store: TemplateStore, doc_type: DocumentType, version: int, payload: object,
            rendition: str = FAMILY, language: str = DEFAULT) -> Document:
    """Render a stored version of the ``language`` template that is not necessarily active (only
    one whose check passed). The payload must be in the same language (else a 422 on ``language``)."""
    from .template_store import StoreError

    if not store.version(doc_type.id, version, language).ok:
        raise StoreError(Msg("Versiossa on tarkistusvirheitä, joten sitä ei voi esikatsella."), 409)
    document = produce(store, doc_type, payload, rendition, template=store.load(doc_type, version, language))
    document.file_name = gettext("esikatselu_v{version}_{file_name}", language).format(
        version=version, file_name=document.file_name)
    return document


def export_file_name(doc_type: DocumentType, version: int, language: str = DEFAULT) -> str:
    """A template version's download name, in the template's language: pohja_yhteenveto_v3.docx."""
    return gettext("pohja_{stem}_v{version}.docx", language).format(stem=gettext(doc_type.file_stem, language),
                                                                   version=version)


def _same_language(doc_type: DocumentType, data: dict, template: LoadedTemplate) -> None:
    """A template chosen by the caller (a preview) fills only a case of its own language."""
    if template.language != data["language"]:
        raise ApiError(422, errors=[{
            "path": "language",
            "label": gettext(doc_type.fields.children["language"].label),
            "message": Msg("Tiedot ovat eri kielellä ({language}) kuin esikatseltava asiakirjapohja "
                           "({template_language}). Käytä samankielisiä tietoja tai valitse saman kielen "
                           "pohja.").format(language=data["language"], template_language=template.language),
        }])


def produce(store: TemplateStore, doc_type: DocumentType, payload: object, rendition: str = FAMILY,
            output_format: str = formats.DOCX, converter: ConverterPool | None = None,
            template: LoadedTemplate | None = None) -> Document:
    """Validate and render with the active template of the payload's ``language``. ``output_format``
    docx, odt or pdf; odt and pdf need ``converter`` (docx never uses it). ``template`` overrides
    the active one (previews) and must be of the payload's language. Every outcome is
    written to the audit log of whoever is acting (audit.current: the request's identity, or the
    ``lnp`` command's user) before it returns."""
    formats.check(output_format)
    case_ref = payload.get("case_ref") if isinstance(payload, dict) else None
    try:
        data = validate(doc_type, payload, rendition)
        if template is None:
            template = store.get(doc_type, data["language"])  # the template of the document's language
        else:
            _same_language(doc_type, data, template)
        try:
            content = render(template, doc_type.context(data, rendition))
        except RenderFailed:
            raise ApiError(500, Msg("Asiakirjapohjaa ei voitu täyttää. Asiakirjapohjassa on virhe; ota yhteys "
                                "koollekutsujaan tai ylläpitoon.")) from None
        if output_format != formats.DOCX:
            content = convert(converter, content, output_format)
    except ApiError as exc:
        audit.document(doc_type.id, rendition, "refused" if exc.status < 500 else "failed", exc.status,
                       case_ref, template, output_format)
        raise
    audit.document(doc_type.id, rendition, "ok", 200, case_ref, template, output_format)
    return Document(content, doc_type.file_name(data["case_ref"], rendition, output_format, language=data["language"]),
                    template, formats.MIMETYPES[output_format])


def convert(converter: ConverterPool | None, docx: bytes, output_format: str) -> bytes:
    """A rendered .docx as .odt or .pdf; LibreOffice missing, down or stuck is a 503."""
    try:
        if converter is None:
            raise ConverterUnavailable("no converter")
        return converter.convert(docx, formats.DOCX, output_format)
    except ConverterUnavailable:
        retry_after = converter.retry_after if converter is not None else 60
        raise ApiError(503, Msg("PDF- ja ODT-muunnos ei ole juuri nyt käytettävissä. Yritä hetken kuluttua "
                            "uudelleen tai valitse Word-muoto (docx)."),
                       headers={"Retry-After": str(retry_after)}) from None
    except ConversionFailed:
        # Our own rendered .docx not loading in LibreOffice is a fault here, not the client's.
        raise ApiError(500) from None
