"""From a request's JSON to document bytes: validate, apply the cross-field rules, render,
and for .odt or .pdf convert the rendered .docx with LibreOffice.

The one path used by the API, the CLI, the forms and the template tools. Everything stays in memory.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from schemas.i18n import DEFAULT, LANGUAGES, Msg, gettext
from service import formats
from service.access.audit import Auditor
from service.conversion.pool import ConversionFailed, ConverterPool, ConverterUnavailable
from service.formats import DOCX_MIMETYPE
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY, DocumentType
from service.rendering.docx_template import LoadedTemplate, RenderFailed, TemplateInvalid, render
from service.rendering.merge import merge
from service.validation import validate
from service.wordtemplates.store import StoreError, TemplateStore

# How the letters of a mail merge (the invitation letters) come: one file (one .docx with a page
# break between letters, or one .pdf / .odt made from it), or a zip with a file per letter.
SINGLE = "single"
ZIP = "zip"
BUNDLES = (SINGLE, ZIP)
ZIP_MIMETYPE = "application/zip"


@dataclass
class Document:
    content: bytes
    file_name: str
    template: LoadedTemplate
    mimetype: str = DOCX_MIMETYPE


def check_all(store: TemplateStore) -> dict[str, list]:
    """Load the active template of every type in every language; return the problems per
    template, keyed "summary/sv" (empty = all good)."""
    report: dict[str, list] = {}
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
            rendition: str = FAMILY, language: str = DEFAULT, *, audit: Auditor) -> Document:
    """Render a stored version of the ``language`` template that is not necessarily active (only
    one whose check passed). The payload must be in the same language (else a 422 on ``language``)."""
    if not store.version(doc_type.id, version, language).ok:
        raise StoreError(Msg("Versiossa on tarkistusvirheitä, joten sitä ei voi esikatsella."), 409)
    document = produce(store, doc_type, payload, rendition, template=store.load(doc_type, version, language),
                       audit=audit)
    document.file_name = gettext("esikatselu_v{version}_{file_name}", language).format(
        version=version, file_name=document.file_name)
    return document


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
            template: LoadedTemplate | None = None, *, audit: Auditor, bundle: str | None = None) -> Document:
    """Validate and render with the active template of the payload's ``language``. ``output_format``
    docx, odt or pdf; odt and pdf need ``converter`` (docx never uses it). ``template`` overrides
    the active one (previews) and must be of the payload's language. Every outcome is
    written through ``audit`` (whoever is acting: a request's identity or the ``lnp`` command's
    user) before it returns. A mail merge (the invitation letters) makes a letter per recipient,
    each with the template of its own language, as one file or a zip (``bundle``)."""
    formats.check(output_format)
    check_bundle(doc_type, bundle)
    case_ref = payload.get("case_ref") if isinstance(payload, dict) else None
    try:
        data = validate(doc_type, payload, rendition)
        if doc_type.letters is not None:
            return _letters(store, doc_type, data, output_format, converter, template, bundle or SINGLE, audit)
        if template is None:
            template = store.get(doc_type, data["language"])  # the template of the document's language
        else:
            _same_language(doc_type, data, template)
        try:
            content = render(template, doc_type.context(data, rendition))
        except RenderFailed as failed:
            raise render_failed(failed) from None
        if output_format != formats.DOCX:
            content = convert(converter, content, output_format)
    except ApiError as exc:
        audit.document(doc_type.id, rendition, "refused" if exc.status < 500 else "failed", exc.status,
                       case_ref, template, output_format)
        raise
    audit.document(doc_type.id, rendition, "ok", 200, case_ref, template, output_format)
    return Document(content, doc_type.file_name(data["case_ref"], rendition, output_format, language=data["language"],
                                                version=data.get("version")),
                    template, formats.MIMETYPES[output_format])


def render_failed(failed: RenderFailed) -> ApiError:
    """A template that went over the render budget with this case (sandbox.py: too much output,
    too long a paragraph, too many iterations or too long) is refused as a template fault of the
    4xx class, before anything reaches LibreOffice; any other failure is the service's 500."""
    if failed.over_budget:
        return ApiError(422, Msg("Asiakirjasta tulisi tällä asiakirjapohjalla liian suuri. Asiakirjapohja "
                                 "tuottaa näillä tiedoilla enemmän tekstiä tai toistoa kuin yhteen asiakirjaan "
                                 "mahtuu; ota yhteys koollekutsujaan tai ylläpitoon."))
    return ApiError(500, Msg("Asiakirjapohjaa ei voitu täyttää. Asiakirjapohjassa on virhe; ota yhteys "
                             "koollekutsujaan tai ylläpitoon."))


def check_bundle(doc_type: DocumentType, bundle: str | None) -> None:
    if bundle is None:
        return
    if doc_type.letters is None:
        raise ApiError(400, Msg("Kokoelma (bundle) koskee vain kirjeitä, joita tehdään yksi jokaiselle "
                                "vastaanottajalle."))
    if bundle not in BUNDLES:
        raise ApiError(400, Msg("Tuntematon kokoelma (bundle). Sallitut arvot: {allowed}.").format(
            allowed=", ".join(BUNDLES)))


def _letters(store: TemplateStore, doc_type: DocumentType, data: dict, output_format: str,
             converter: ConverterPool | None, template: LoadedTemplate | None, bundle: str,
             audit: Auditor) -> Document:
    """One letter per recipient, each filled from its own data only (the other recipients are not
    in its context) with the template of its language; then one file or a zip. Every letter is
    audited with the template that made it."""
    assert doc_type.letters is not None  # produce() sends only letter types here
    letters = doc_type.letters(data)
    rendered: list[tuple[dict, LoadedTemplate, bytes]] = []
    for letter in letters:
        chosen = template if template is not None else store.get(doc_type, letter["language"])
        try:
            rendered.append((letter, chosen, render(chosen, doc_type.context(letter))))
        except RenderFailed as failed:
            raise render_failed(failed) from None
    first = rendered[0][1]
    if bundle == SINGLE:
        content = merge([content for _letter, _template, content in rendered])
        if output_format != formats.DOCX:
            content = convert(converter, content, output_format)
        name, mimetype = doc_type.file_name(data["case_ref"], FAMILY, output_format, data["language"]), \
            formats.MIMETYPES[output_format]
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for letter, _template, content in rendered:
                if output_format != formats.DOCX:
                    content = convert(converter, content, output_format)
                archive.writestr(doc_type.letter_file_name(data["case_ref"], letter["letter_number"], output_format,
                                                           letter["language"]), content)
        content = buffer.getvalue()
        name, mimetype = doc_type.file_name(data["case_ref"], FAMILY, "zip", data["language"]), ZIP_MIMETYPE
    audit.documents(doc_type.id, FAMILY, "ok", 200, data["case_ref"], [used for _letter, used, _content in rendered],
                    output_format)
    return Document(content, name, first, mimetype)


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
