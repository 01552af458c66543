"""``lnp``: the command line.

    lnp serve [--bind 127.0.0.1:8000] [--workers 2]
    lnp render <type> <case.json | -> [-o file] [--format docx|odt|pdf] [--rendition network]
    lnp check-templates
    lnp convert-template <in.odt> <out.docx> --type <type>
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import formats
from .converter import ConversionFailed, ConverterPool, ConverterUnavailable
from .documents import TemplateStore, get_type, parse_json, produce
from .errors import ApiError
from .registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, FAMILY
from .templating import TemplateInvalid, load_template


def _serve(args) -> int:
    os.environ["LNP_BIND"] = args.bind
    os.environ["LNP_WORKERS"] = str(args.workers)
    conf = Path(__file__).with_name("gunicorn_conf.py")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.chdir(Path(__file__).resolve().parent.parent)
    print(f"lnp-docs: http://{args.bind}/  (Ctrl+C lopettaa)", file=sys.stderr)
    os.execv(str(gunicorn), [str(gunicorn), "--config", str(conf), "wsgi:app"])
    return 0  # not reached


def _output_format(args) -> str:
    """--format, or the extension of -o (``-o yhteenveto.pdf`` makes a PDF), or docx."""
    suffix = Path(args.output).suffix.lstrip(".").lower() if args.output else ""
    if args.format and suffix in formats.MIMETYPES and suffix != args.format:
        raise ApiError(400, f"Tiedostomuoto --format {args.format} ei vastaa tulostiedoston päätettä .{suffix}.")
    return args.format or (suffix if suffix in formats.MIMETYPES else formats.DOCX)


def _render(args) -> int:
    converter = None
    try:
        doc_type = get_type(args.type)
        output_format = _output_format(args)
        raw = sys.stdin.buffer.read() if args.case == "-" else Path(args.case).read_bytes()
        if output_format != formats.DOCX:
            converter = ConverterPool(size=1)
        document = produce(TemplateStore(), doc_type, parse_json(raw), args.rendition, output_format, converter)
    except ApiError as exc:
        print(f"virhe: {exc.message}", file=sys.stderr)
        for error in exc.errors:
            label = f" ({error['label']})" if error.get("label") else ""
            print(f"  {error['path']}{label}: {error['message']}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"virhe: tiedostoa ei voi lukea: {exc.strerror}", file=sys.stderr)
        return 2
    finally:
        if converter is not None:
            converter.shutdown()
    target = Path(args.output or document.file_name)
    target.write_bytes(document.content)
    print(f"{target} ({len(document.content)} tavua)", file=sys.stderr)
    return 0


def _report_template(doc_type, store: TemplateStore, name: str, problems: list) -> bool:
    """Print a template's check: errors, or a dry run with the example and unused fields.
    True when the template is usable."""
    if problems:
        print(f"{doc_type.id}: {name}: {len(problems)} virhettä")
        for problem in problems:
            print(f"  {problem}")
        return False
    template = store.get(doc_type)
    unused = sorted({p for p, _ in doc_type.fields.walk()} - template.used_paths)
    try:
        produce(store, doc_type, doc_type.example())
        ok, dry = True, "esimerkkitapaus täyttyy"
    except ApiError as exc:
        ok, dry = False, f"esimerkkitapaus EI täyty: {exc.message} {exc.errors}"
    print(f"{doc_type.id}: {name}: kunnossa; {dry}")
    for path in unused:
        print(f"  varoitus: kenttää {path} ei käytetä asiakirjapohjassa")
    return ok


def _check_templates(args) -> int:
    store = TemplateStore()
    report = store.load_all()
    failed = False
    for type_id, problems in report.items():
        doc_type = DOCUMENT_TYPES[type_id]
        if not _report_template(doc_type, store, doc_type.template, problems):
            failed = True
    return 1 if failed else 0


class _OneTemplate(TemplateStore):
    """A store holding one converted template, so the check is the same as for the built-in ones."""

    def __init__(self, doc_type, name: str, data: bytes):
        super().__init__()
        self._loaded[doc_type.id] = load_template(name, data, doc_type.fields, CONTEXT_EXTRAS)


def _convert_template(args) -> int:
    """An .odt template (saved in LibreOffice) to .docx through the converter, then the same
    check as check-templates; the .docx is written only when the check passes."""
    doc_type = DOCUMENT_TYPES[args.type]
    source, target = Path(args.source), Path(args.target)
    try:
        data = source.read_bytes()
    except OSError as exc:
        print(f"virhe: tiedostoa ei voi lukea: {exc.strerror}", file=sys.stderr)
        return 2
    converter = ConverterPool(size=1)
    try:
        docx = converter.convert(data, formats.ODT, formats.DOCX)
    except ConversionFailed:
        print(f"virhe: {source.name} ei ole luettava OpenDocument-tekstiasiakirja (.odt).", file=sys.stderr)
        return 2
    except ConverterUnavailable:
        print("virhe: LibreOffice ei ole käytettävissä, joten .odt-pohjaa ei voi muuntaa. Asenna "
              "LibreOffice (katso README: LibreOffice) tai tallenna pohja Wordissa .docx-muodossa.", file=sys.stderr)
        return 2
    finally:
        converter.shutdown()
    try:
        store = _OneTemplate(doc_type, target.name, docx)
        problems = []
    except TemplateInvalid as exc:
        store, problems = None, exc.problems
    if not _report_template(doc_type, store, f"{source.name} → {target.name}", problems):
        print(f"{target} jätettiin kirjoittamatta: korjaa pohja LibreOfficessa ja muunna uudelleen.", file=sys.stderr)
        return 1
    target.write_bytes(docx)
    print(f"{target} ({len(docx)} tavua)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lnp", description="Läheisneuvonpidon asiakirjat (lnp-docs)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="käynnistä palvelu")
    serve.add_argument("--bind", default=os.environ.get("LNP_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("LNP_WORKERS", "2")))
    serve.set_defaults(func=_serve)

    render = sub.add_parser("render", help="tee asiakirja JSON-tiedostosta")
    render.add_argument("type", choices=sorted(DOCUMENT_TYPES))
    render.add_argument("case", help="tapauksen JSON-tiedosto tai - (vakiosyöte)")
    render.add_argument("-o", "--output", help="tulostiedosto (.docx, .odt tai .pdf)")
    render.add_argument("--format", choices=list(formats.MIMETYPES),
                        help="docx (oletus), odt tai pdf; odt ja pdf tarvitsevat LibreOfficen")
    render.add_argument("--rendition", default=FAMILY, help="family (oletus) tai network")
    render.set_defaults(func=_render)

    check = sub.add_parser("check-templates", help="tarkista kaikki asiakirjapohjat")
    check.set_defaults(func=_check_templates)

    convert = sub.add_parser("convert-template", help="muunna .odt-pohja .docx-pohjaksi ja tarkista se")
    convert.add_argument("source", help="LibreOfficella tallennettu pohja (.odt)")
    convert.add_argument("target", help="tulostiedosto (.docx)")
    convert.add_argument("--type", required=True, choices=sorted(DOCUMENT_TYPES), help="asiakirjatyyppi")
    convert.set_defaults(func=_convert_template)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
