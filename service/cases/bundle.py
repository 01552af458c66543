"""Documents of one case: one of them, several as a zip, or all of them as one PDF. Every document
goes through produce() (validated, rendered, audited) with the payload derived from the case, and
a document blocked by a cross-document error is refused with the rule that blocks it. In memory."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from pypdf import PdfWriter

from schemas.i18n import Msg, gettext
from service import formats
from service.access.audit import Auditor
from service.cases.compose import check_shape, document_payload
from service.cases.rules import READY, CaseReport, assess
from service.conversion.pool import ConverterPool
from service.pipeline import produce
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY, NETWORK
from service.wordtemplates.store import TemplateStore

ZIP = "zip"
SINGLE = "single"
BUNDLES = (ZIP, SINGLE)
ZIP_MIMETYPE = "application/zip"


@dataclass
class Output:
    content: bytes
    file_name: str
    mimetype: str
    language: str


def parse_types(value: str | None, report: CaseReport) -> list[tuple[str, str]]:
    """``?types=summary,questions,summary:network`` as (type id, rendition); absent: every ready
    document (and the relatives' copy of each that may have one)."""
    if not value:
        chosen = []
        for type_id, doc_type in DOCUMENT_TYPES.items():
            if report.status(type_id) != READY:
                continue
            chosen.append((type_id, FAMILY))
            data = report.documents[type_id].data or {}
            if NETWORK in doc_type.renditions and (data.get("sharing") or {}).get("approved_for_network") \
                    and not report.blocked(type_id, NETWORK):
                chosen.append((type_id, NETWORK))
        if not chosen:
            raise ApiError(422, Msg("Tapauksessa ei ole yhtään valmista asiakirjaa."))
        return chosen
    out = []
    for item in value.split(","):
        type_id, _, rendition = item.strip().partition(":")
        if type_id not in DOCUMENT_TYPES:
            raise ApiError(400, Msg("Tuntematon asiakirjatyyppi {type} (types). Sallitut: {allowed}.").format(
                type=type_id[:40], allowed=", ".join(DOCUMENT_TYPES)))
        rendition = rendition or FAMILY
        if rendition not in DOCUMENT_TYPES[type_id].renditions:
            raise ApiError(400, Msg("Asiakirjasta {type} ei ole kappaletta {rendition}.").format(
                type=type_id, rendition=rendition[:20]))
        if (type_id, rendition) not in out:
            out.append((type_id, rendition))
    return out


def _refuse_blocked(report: CaseReport, wanted: list[tuple[str, str]]) -> None:
    errors = []
    for type_id, rendition in wanted:
        for finding in report.blocked(type_id, rendition):
            errors.append({"path": finding.path, "label": gettext(DOCUMENT_TYPES[type_id].label),
                           "message": finding.message})
    if errors:
        raise ApiError(422, Msg("Asiakirjojen väliset säännöt estävät asiakirjan tekemisen."), errors=errors)


def produce_case(store: TemplateStore, case: object, types: str | None, output_format: str, bundle: str | None,
                 converter: ConverterPool | None, *, audit: Auditor) -> Output:
    formats.check(output_format)
    if bundle is not None and bundle not in BUNDLES:
        raise ApiError(400, Msg("Tuntematon kokoelma (bundle). Sallitut arvot: {allowed}.").format(
            allowed=", ".join(BUNDLES)))
    case = check_shape(case)
    report = assess(case)
    wanted = parse_types(types, report)
    _refuse_blocked(report, wanted)
    if len(wanted) > 1 and bundle is None:
        bundle = ZIP
    if bundle == SINGLE and output_format != formats.PDF:
        raise ApiError(400, Msg("Yhdeksi tiedostoksi kootaan PDF: valitse format=pdf, tai bundle=zip."))
    produce_format = formats.PDF if bundle == SINGLE else output_format
    documents = []
    for type_id, rendition in wanted:
        doc_type = DOCUMENT_TYPES[type_id]
        try:
            documents.append(produce(store, doc_type, document_payload(case, doc_type), rendition, produce_format,
                                     converter, audit=audit))
        except ApiError as exc:
            if exc.status != 422:
                raise
            for error in exc.errors:
                error["path"] = f"documents.{type_id}.{error['path']}" if error.get("path") else f"documents.{type_id}"
            raise
    language = documents[0].template.language
    case_ref = case.get("case_ref", "")
    if bundle is None:
        only = documents[0]
        return Output(only.content, only.file_name, only.mimetype, language)
    stem = gettext("asiakirjat_{case_ref}", language).format(case_ref=case_ref)
    if bundle == ZIP:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for document in documents:
                archive.writestr(document.file_name, document.content)
        return Output(buffer.getvalue(), f"{stem}.zip", ZIP_MIMETYPE, language)
    return Output(merge_pdfs([d.content for d in documents]), f"{stem}.pdf", formats.MIMETYPES[formats.PDF], language)


def merge_pdfs(pdfs: list[bytes]) -> bytes:
    """PDFs one after another in one file, each starting on a new page (pypdf, in memory)."""
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
