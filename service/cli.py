"""``lnp``: the command line.

    lnp serve [--bind 127.0.0.1:8000] [--workers 2]
    lnp render <type> <case.json | -> [-o file.docx] [--rendition network]
    lnp check-templates
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .documents import TemplateStore, get_type, parse_json, produce
from .errors import ApiError
from .registry import DOCUMENT_TYPES, FAMILY


def _serve(args) -> int:
    os.environ["LNP_BIND"] = args.bind
    os.environ["LNP_WORKERS"] = str(args.workers)
    conf = Path(__file__).with_name("gunicorn_conf.py")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.chdir(Path(__file__).resolve().parent.parent)
    print(f"lnp-docs: http://{args.bind}/  (Ctrl+C lopettaa)", file=sys.stderr)
    os.execv(str(gunicorn), [str(gunicorn), "--config", str(conf), "wsgi:app"])
    return 0  # not reached


def _render(args) -> int:
    try:
        doc_type = get_type(args.type)
        raw = sys.stdin.buffer.read() if args.case == "-" else Path(args.case).read_bytes()
        document = produce(TemplateStore(), doc_type, parse_json(raw), args.rendition)
    except ApiError as exc:
        print(f"virhe: {exc.message}", file=sys.stderr)
        for error in exc.errors:
            label = f" ({error['label']})" if error.get("label") else ""
            print(f"  {error['path']}{label}: {error['message']}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"virhe: tiedostoa ei voi lukea: {exc.strerror}", file=sys.stderr)
        return 2
    target = Path(args.output or document.file_name)
    target.write_bytes(document.content)
    print(f"{target} ({len(document.content)} tavua)", file=sys.stderr)
    return 0


def _check_templates(args) -> int:
    store = TemplateStore()
    report = store.load_all()
    failed = False
    for type_id, problems in report.items():
        doc_type = DOCUMENT_TYPES[type_id]
        if not problems:
            template = store.get(doc_type)
            unused = sorted({p for p, _ in doc_type.fields.walk()} - template.used_paths)
            try:
                produce(store, doc_type, doc_type.example())
                dry = "esimerkkitapaus täyttyy"
            except ApiError as exc:
                failed = True
                dry = f"esimerkkitapaus EI täyty: {exc.message} {exc.errors}"
            print(f"{type_id}: {doc_type.template}: kunnossa; {dry}")
            for path in unused:
                print(f"  varoitus: kenttää {path} ei käytetä asiakirjapohjassa")
        else:
            failed = True
            print(f"{type_id}: {doc_type.template}: {len(problems)} virhettä")
            for problem in problems:
                print(f"  {problem}")
    return 1 if failed else 0


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
    render.add_argument("-o", "--output", help="tulostiedosto (.docx)")
    render.add_argument("--rendition", default=FAMILY, help="family (oletus) tai network")
    render.set_defaults(func=_render)

    check = sub.add_parser("check-templates", help="tarkista kaikki asiakirjapohjat")
    check.set_defaults(func=_check_templates)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
