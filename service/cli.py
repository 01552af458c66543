"""``lnp``: the command line.

    lnp init                                   secrets file and first admin (make run does this)
    lnp serve [--bind 127.0.0.1:8000] [--workers 2]
    lnp render <type> <case.json | -> [-o file] [--format docx|odt|pdf] [--rendition network]
               [--bundle single|zip]  (letters: one file, or a zip with a file per letter)
    lnp check-templates                        every type in every language
    lnp check-template <file.docx> --type <type> [--language fi|sv|en] [--fixed fixed.docx]
    lnp templates list|upload|activate|rollback|export … [--language fi|sv|en]
    lnp fields <type> [-o kenttaopas.docx]
    lnp convert-template <in.odt> <out.docx> --type <type> [--language fi|sv|en]
    lnp tokens create --name NAME --role ROLE [--days 90] | list | revoke ID
    lnp users add NAME --role ROLE | list | reset-password NAME | remove NAME
    lnp audit [--actor A] [--since DATE] [--until DATE] [--case CASE_REF] [--action A]
    lnp audit verify                           the hash chain, from the first entry to the last
    lnp db upgrade                             bring the database's schema up to date
    lnp db migrate-instance [FOLDER]           move an instance folder from before the database into it

Everything but serve and check-templates works on the instance's database (LNP_DATABASE_URL, or
SQLite in the instance folder LNP_INSTANCE_PATH, or ./instance) and writes what it changes or
renders to its audit trail, as ``cli:<os user>``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import date
from pathlib import Path

from schemas.i18n import DEFAULT, LANGUAGES, Msg, Plural, gettext, translate
from schemas.i18n import language as messages_in
from service import formats
from service.access.accounts import DEFAULT_TOKEN_DAYS, ROLES, AccountError, AccountStore
from service.access.audit import AuditLog, Auditor
from service.conversion.pool import ConversionFailed, ConverterPool, ConverterUnavailable
from service.database import instance_folder
from service.database.connection import Database, DatabaseUnavailable, SchemaOutdated, database_url
from service.instance import (
    MissingSecrets,
    check_secrets,
    ensure_secrets,
    instance_path,
    load_secrets,
)
from service.pipeline import check_all, produce
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY
from service.rendering.docx_template import RenderFailed, render
from service.validation import get_type, parse_json, validate
from service.wordtemplates import field_guide
from service.wordtemplates.checker import check
from service.wordtemplates.store import StoreError, TemplateStore
from service.wordtemplates.upload_safety import UnsafeTemplate, check_odt_upload

FIRST_ADMIN = "admin"
LANGUAGE_HELP = "pohjan kieli: fi (oletus), sv tai en"


def _database(upgrade: bool | None = None) -> Database:
    """The instance's database; SQLite's schema is brought up to date (as by the service)."""
    database = Database(database_url(instance_path()))
    if upgrade is None:  # as the service decides (DATABASE_AUTO_UPGRADE)
        upgrade = database.sqlite or os.environ.get("LNP_DATABASE_AUTO_UPGRADE", "").lower() in ("1", "true")
    database.ensure_schema(upgrade=upgrade)
    return database


def _store() -> TemplateStore:
    return TemplateStore(_database())


def _secrets(folder: Path, create: bool) -> dict:
    if create and ensure_secrets(folder):
        print(f"Uudet salaisuudet kirjoitettiin tiedostoon {folder / 'secrets.json'} (oikeudet 0600).", file=sys.stderr)
    config: dict = {}
    load_secrets(config, folder)
    check_secrets(config, folder)
    return config


def _open_instance(create: bool = True, upgrade: bool | None = None) -> tuple[Path, AccountStore, Auditor]:
    """The instance's account store, and its audit trail with this command's user as the actor."""
    folder = instance_path()
    config = _secrets(folder, create)
    database = _database(upgrade)
    auditor = Auditor.command(AuditLog(database, config["AUDIT_KEY"]))
    return folder, AccountStore(database), auditor


def _init(args) -> int:
    folder, store, audit = _open_instance(upgrade=True)
    database = store.database
    if instance_folder.has_legacy_state(folder):
        with database.read() as connection:
            empty = instance_folder.is_empty(connection)
        if empty:  # an instance from before the database: its users, templates and audit trail move in
            moved = _migrate(folder, database, _secrets(folder, create=False)["AUDIT_KEY"])
            if moved:
                return moved
    if store.users():
        print(Msg("lnp-docs: instanssi {folder} on valmis; käyttäjät: lnp users list").format(folder=folder), file=sys.stderr)
        return 0
    password = store.add_user(FIRST_ADMIN, "admin")
    audit.change("user.add", "ok", target=FIRST_ADMIN, target_role="admin")
    print(FIRST_ADMIN_CREATED.format(port=os.environ.get("LNP_BIND", "127.0.0.1:8000").rsplit(":", 1)[-1],
                                     name=FIRST_ADMIN, password=password))
    return 0


FIRST_ADMIN_CREATED = Msg("""
Ensimmäinen ylläpitäjä luotiin. Kirjaudu sisään, kun palvelu on käynnissä:

    osoite:                   http://localhost:{port}/auth/sign-in
    käyttäjätunnus:           {name}
    kertakäyttöinen salasana: {password}

Salasana näytetään vain nyt, eikä sitä tallenneta (vain tiiviste). Palvelu pyytää vaihtamaan sen
ensimmäisellä kirjautumisella. API-tunniste: .venv/bin/lnp tokens create --name NIMI --role worker
""")


def _serve(args) -> int:
    try:
        config: dict = {}
        load_secrets(config, instance_path())
        check_secrets(config, instance_path())
    except MissingSecrets as exc:
        print(Msg("virhe: {reasons}").format(reasons=exc), file=sys.stderr)
        return 2
    _database()  # SQLite is brought up to date here; a shared database behind the code stops here, clearly
    os.environ["LNP_BIND"] = args.bind
    os.environ["LNP_WORKERS"] = str(args.workers)
    conf = Path(__file__).with_name("gunicorn_conf.py")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.chdir(Path(__file__).resolve().parent.parent)
    print(f"lnp-docs: http://{args.bind}/  (Ctrl+C lopettaa)", file=sys.stderr)
    os.execv(str(gunicorn), [str(gunicorn), "--config", str(conf), "wsgi:app"])
    return 0  # not reached


# A command waits for its one LibreOffice worker to start (no request is held up meanwhile; the
# service's own pool answers 503 after CONVERTER_WAIT_TIMEOUT instead).
CLI_CONVERTER_WAIT = 90

CANNOT_READ = Msg("virhe: tiedostoa ei voi lukea: {reason}")
ERRORS = Plural("{count} virhe", "{count} virhettä")
WARNINGS = Plural("{count} varoitus", "{count} varoitusta")


def _output_format(args) -> str:
    """--format, or the extension of -o (``-o yhteenveto.pdf`` makes a PDF), or docx."""
    suffix = Path(args.output).suffix.lstrip(".").lower() if args.output else ""
    if args.format and suffix in formats.MIMETYPES and suffix != args.format:
        raise ApiError(400, Msg("Tiedostomuoto --format {format} ei vastaa tulostiedoston päätettä .{suffix}.").format(
            format=args.format, suffix=suffix))
    return args.format or (suffix if suffix in formats.MIMETYPES else formats.DOCX)


def _bundle(args) -> str | None:
    """--bundle, or zip when -o names a .zip (the invitation letters one file each)."""
    if args.output and Path(args.output).suffix.lower() == ".zip":
        if args.bundle not in (None, "zip"):
            raise ApiError(400, Msg("Tulostiedosto .zip sopii vain valintaan --bundle zip."))
        return "zip"
    return args.bundle


def _render(args) -> int:
    converter = None
    _, _, audit = _open_instance()
    try:
        doc_type = get_type(args.type)
        output_format = _output_format(args)
        raw = sys.stdin.buffer.read() if args.case == "-" else Path(args.case).read_bytes()
        try:
            payload = parse_json(raw)
        except ApiError as exc:
            audit.document(doc_type.id, args.rendition, "refused", exc.status)
            raise
        if output_format != formats.DOCX:
            converter = ConverterPool(size=1, wait_timeout=CLI_CONVERTER_WAIT)
        document = produce(_store(), doc_type, payload, args.rendition, output_format, converter, audit=audit,
                           bundle=_bundle(args))
    except ApiError as exc:
        print(Msg("virhe: {message}").format(message=translate(exc.message)), file=sys.stderr)
        for error in exc.errors:
            label = f" ({error['label']})" if error.get("label") else ""
            print(f"  {error['path']}{label}: {translate(error['message'])}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(CANNOT_READ.format(reason=exc.strerror), file=sys.stderr)
        return 2
    finally:
        if converter is not None:
            converter.shutdown()
    if args.output == "-":  # straight to a pipe: the document never touches this machine's disk
        sys.stdout.buffer.write(document.content)
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.output or document.file_name)
    target.write_bytes(document.content)
    print(Msg("{file} ({size} tavua)").format(file=target, size=len(document.content)), file=sys.stderr)
    return 0


def _report_template(doc_type, store: TemplateStore, name: str, problems: list, language: str = "fi") -> bool:
    """Print a template's check: errors, or a dry run with the example of its language and
    unused fields. True when the template is usable."""
    if problems:
        print(Msg("{template}: {name}: {errors}").format(template=f"{doc_type.id}/{language}", name=name,
                                                       errors=ERRORS.format(count=len(problems))))
        for problem in problems:
            print(f"  {problem}")
        return False
    template = store.get(doc_type, language)
    unused = sorted(doc_type.template_fields.printable_leaves() - doc_type.fields_used(template.used_paths))
    try:
        # The fictitious example, not a case: checked without produce(), so not audited.
        for context in doc_type.contexts(validate(doc_type, doc_type.example(language))):
            render(template, context)
        ok, dry = True, gettext("esimerkkitapaus täyttyy")
    except (ApiError, RenderFailed) as exc:
        reason = translate(getattr(exc, "message", type(exc).__name__))
        ok, dry = False, Msg("esimerkkitapaus EI täyty: {reason} {errors}").format(
            reason=reason, errors=getattr(exc, "errors", ""))
    print(Msg("{template}: {name} (versio {version}): kunnossa; {result}").format(
        template=f"{doc_type.id}/{language}", name=name, version=template.version, result=dry))
    for path in unused:
        print("  " + Msg("varoitus: kenttää {path} ei käytetä asiakirjapohjassa").format(path=path))
    return ok


def _check_templates(args) -> int:
    store = _store()
    report = check_all(store)
    failed = False
    for key, problems in report.items():  # every type in every language: "summary/sv"
        type_id, language = key.split("/")
        doc_type = DOCUMENT_TYPES[type_id]
        if not _report_template(doc_type, store, doc_type.template(language), problems, language):
            failed = True
    return 1 if failed else 0


def _print_findings(findings) -> None:
    for finding in findings:
        print(f"  {finding}")


def _check_template(args) -> int:
    doc_type = DOCUMENT_TYPES[args.type]
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(CANNOT_READ.format(reason=exc.strerror), file=sys.stderr)
        return 2
    report = check(data, doc_type, language=args.language)
    errors = sum(f.severity == "virhe" for f in report.findings)
    warnings = sum(f.severity == "varoitus" for f in report.findings)
    print(Msg("{file}: {errors}, {warnings}").format(file=args.file, errors=ERRORS.format(count=errors),
                                                     warnings=WARNINGS.format(count=warnings))
          + (gettext(", korjattuja tageja") if report.fixed else ""))
    _print_findings(report.findings)
    if report.fixed and args.fixed:
        Path(args.fixed).write_bytes(report.fixed)
        print(Msg("korjattu pohja: {file}").format(file=args.fixed))
    return 0 if report.ok else 1


def _templates(args) -> int:
    store = _store()
    try:
        if args.action == "list":
            for type_id, language in [(t, lang) for t in ([args.type] if args.type else DOCUMENT_TYPES)
                                      for lang in ([args.language] if args.language else LANGUAGES)]:
                active = store.active_version(type_id, language)
                print(f"{type_id}/{language}:")
                for stored in store.versions(type_id, language):
                    mark = "*" if stored.version == active else " "
                    state = gettext("tarkistettu") if stored.ok else gettext("VIRHEITÄ")
                    print(f" {mark} {stored.version:>3}  {stored.sha256[:12]}  {state:<11}  "
                          f"{stored.uploaded_at or '-':<25}  {stored.uploader}")
        elif args.action == "upload":
            doc_type = DOCUMENT_TYPES[args.type]
            uploaded, report = store.upload(doc_type, Path(args.file).read_bytes(), args.by or getpass.getuser(),
                                            args.language)
            outcome = gettext("tarkistus läpäisty") if uploaded.ok else \
                gettext("tarkistuksessa virheitä: ei voi ottaa käyttöön")
            print(Msg("{template}: tallennettu versio {version} ({outcome})").format(
                template=f"{args.type}/{args.language}", version=uploaded.version, outcome=outcome))
            _print_findings(report.findings)
            return 0 if uploaded.ok else 1
        elif args.action == "activate":
            store.activate(DOCUMENT_TYPES[args.type], args.version, args.by or getpass.getuser(), args.language)
            print(Msg("{template}: käytössä versio {version}").format(template=f"{args.type}/{args.language}",
                                                                       version=args.version))
        elif args.action == "rollback":
            version = store.rollback(DOCUMENT_TYPES[args.type], args.by or getpass.getuser(), args.to, args.language)
            print(Msg("{template}: palattu versioon {version}").format(template=f"{args.type}/{args.language}",
                                                                        version=version))
        elif args.action == "export":
            Path(args.output).write_bytes(store.read(args.type, args.version, args.language))
            print(f"{args.output}")
    except StoreError as exc:
        print(Msg("virhe: {message}").format(message=translate(exc.message)), file=sys.stderr)
        return 1
    except OSError as exc:
        print(Msg("virhe: {message}").format(message=exc.strerror or exc), file=sys.stderr)
        return 1
    return 0


def _fields(args) -> int:
    doc_type = DOCUMENT_TYPES[args.type]
    if args.output:
        Path(args.output).write_bytes(field_guide.as_docx(doc_type))
        print(args.output, file=sys.stderr)
        return 0
    for row in field_guide.entries(doc_type):
        required = gettext("pakollinen") if row["required"] else ""
        print(f"{row['path']:<45} {row['kind'].split(' (')[0]:<12} {required:<10} {row['label']}")
    return 0


def _convert_template(args) -> int:
    """An .odt template (saved in LibreOffice) to .docx through the converter, then the same
    check as any uploaded template; the .docx is written only when the check passes."""
    doc_type = DOCUMENT_TYPES[args.type]
    source, target = Path(args.source), Path(args.target)
    try:
        data = source.read_bytes()
    except OSError as exc:
        print(CANNOT_READ.format(reason=exc.strerror), file=sys.stderr)
        return 2
    try:
        check_odt_upload(data)  # before LibreOffice opens it
    except UnsafeTemplate as exc:
        print(Msg("virhe: {reasons}").format(reasons=" ".join(exc.messages)), file=sys.stderr)
        return 2
    converter = ConverterPool(size=1, wait_timeout=CLI_CONVERTER_WAIT)
    try:
        docx = converter.convert(data, formats.ODT, formats.DOCX)
    except ConversionFailed:
        print(Msg("virhe: {file} ei ole luettava OpenDocument-tekstiasiakirja (.odt).").format(file=source.name),
              file=sys.stderr)
        return 2
    except ConverterUnavailable:
        print(gettext("virhe: LibreOffice ei ole käytettävissä, joten .odt-pohjaa ei voi muuntaa. Asenna "
                      "LibreOffice (katso README: LibreOffice) tai tallenna pohja Wordissa .docx-muodossa."),
              file=sys.stderr)
        return 2
    finally:
        converter.shutdown()
    report = check(docx, doc_type, language=args.language)
    errors = sum(f.severity == "virhe" for f in report.findings)
    print(Msg("{source} → {target}: {errors}").format(source=source.name, target=target.name,
                                                      errors=ERRORS.format(count=errors)))
    _print_findings(report.findings)
    if not report.ok:
        print(Msg("{file} jätettiin kirjoittamatta: korjaa pohja LibreOfficessa ja muunna uudelleen.").format(
            file=target), file=sys.stderr)
        return 1
    target.write_bytes(report.fixed or docx)
    print(Msg("{file} ({size} tavua)").format(file=target, size=len(report.fixed or docx)), file=sys.stderr)
    return 0


def _tokens(args) -> int:
    _, store, audit = _open_instance()
    try:
        if args.action == "create":
            record, value = store.create_token(args.name, args.role, args.days)
            audit.change("token.create", "ok", target=record["id"], target_role=record["role"])
            print(Msg("Tunniste {id} ({name}, {role}) voimassa {expires} asti. Arvo näytetään vain nyt:").format(
                id=record["id"], name=record["name"], role=record["role"], expires=record["expires"]), file=sys.stderr)
            print(value)
        elif args.action == "revoke":
            record = store.revoke_token(args.id)
            audit.change("token.revoke", "ok", target=record["id"], target_role=record["role"])
            print(Msg("Tunniste {id} mitätöity {revoked}.").format(id=record["id"], revoked=record["revoked"]),
                  file=sys.stderr)
        else:
            for token in store.tokens():
                state = Msg("mitätöity {time}").format(time=token["revoked"]) if token["revoked"] else \
                    Msg("voimassa {time} asti").format(time=token["expires"])
                print(f"{token['id']}  {token['role']:<8}  {state}  {token['name']}")
    except AccountError as exc:
        print(Msg("virhe: {reasons}").format(reasons=exc), file=sys.stderr)
        return 2
    return 0


def _users(args) -> int:
    _, store, audit = _open_instance()
    try:
        if args.action == "add":
            password = store.add_user(args.name, args.role)
            audit.change("user.add", "ok", target=args.name, target_role=args.role)
            print(Msg("Käyttäjä {name} ({role}) luotiin. Kertakäyttöinen salasana (näytetään vain nyt; vaihdettava "
                      "ensimmäisellä kirjautumisella):").format(name=args.name, role=args.role), file=sys.stderr)
            print(password)
        elif args.action == "reset-password":
            password = store.reset_password(args.name)
            audit.change("user.password_reset", "ok", target=args.name)
            print(Msg("Käyttäjän {name} istunnot päätettiin. Uusi kertakäyttöinen salasana:").format(name=args.name),
                  file=sys.stderr)
            print(password)
        elif args.action == "remove":
            store.remove_user(args.name)
            audit.change("user.remove", "ok", target=args.name)
            print(Msg("Käyttäjä {name} poistettiin ja hänen istuntonsa päätettiin.").format(name=args.name), file=sys.stderr)
        else:
            for user in store.users():
                flag = "  " + gettext("(kertakäyttöinen salasana vaihtamatta)") if user["must_change"] else ""
                print(f"{user['name']:<24} {user['role']:<8} " + Msg("luotu {time}").format(time=user["created"]) + flag)
    except AccountError as exc:
        print(Msg("virhe: {reasons}").format(reasons=exc), file=sys.stderr)
        return 2
    return 0


def _migrate(folder: Path, database: Database, audit_key: str) -> int:
    try:
        moved = instance_folder.migrate(database, folder, audit_key)
    except (instance_folder.MigrationError, OSError, ValueError, KeyError) as exc:
        print(f"virhe: instanssikansiota {folder} ei siirretty tietokantaan: {exc}", file=sys.stderr)
        return 2
    print(f"Instanssikansio {folder} siirrettiin tietokantaan {database.name}: "
          + ", ".join(f"{what} {count}" for what, count in moved.items())
          + ". Vanhat tiedostot jäivät ennalleen; arkistoi ne, kun palvelu toimii.", file=sys.stderr)
    return 0


def _db(args) -> int:
    database = Database(database_url(instance_path()))
    if args.action == "upgrade":
        before = database.revision()
        database.upgrade()
        print(f"{database.name}: skeema {before or '-'} → {database.revision()}", file=sys.stderr)
        return 0
    folder = Path(args.folder).resolve() if args.folder else instance_path()
    config = _secrets(folder, create=False)
    database.ensure_schema(upgrade=True)
    return _migrate(folder, database, config["AUDIT_KEY"])


def _audit(args) -> int:
    try:
        _, _, auditor = _open_instance(create=False)
    except MissingSecrets as exc:
        print(Msg("virhe: {reasons}").format(reasons=exc), file=sys.stderr)
        return 2
    log = auditor.log
    if args.verify:
        verdict = log.verify()
        for problem in verdict.problems:
            print(f"virhe: {problem}", file=sys.stderr)
        state = "kunnossa" if verdict.ok else "RIKKI"
        print(f"tapahtumaloki {state}: {verdict.entries} merkintää, viimeinen {verdict.head_seq} "
              f"tiiviste {verdict.head_hash}")
        return 0 if verdict.ok else 1
    case = log.case_hash(args.case) if args.case else None
    for entry in log.entries():
        day = entry["time"][:10]
        if (args.actor and entry["actor"] != args.actor and entry["actor"].split(":", 1)[-1] != args.actor) \
                or (args.since and day < args.since.isoformat()) or (args.until and day > args.until.isoformat()) \
                or (case and entry.get("case") != case) or (args.action and entry["action"] != args.action):
            continue
        print(json.dumps(entry, ensure_ascii=False))
    return 0


def _ui_language() -> str:
    chosen = os.environ.get("LNP_UI_LANGUAGE", DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lnp", description="Läheisneuvonpidon asiakirjat (lnp-docs)")
    parser.add_argument("--ui-language", choices=LANGUAGES, default=_ui_language(),
                        help="ilmoitusten, tarkistusraporttien ja kenttäoppaan kieli: fi, sv tai en "
                             "(oletus LNP_UI_LANGUAGE tai fi); asiakirjan kieli on tietojen kenttä language")
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="luo instanssin salaisuudet ja ensimmäisen ylläpitäjän")
    init.set_defaults(func=_init)

    serve = sub.add_parser("serve", help="käynnistä palvelu")
    serve.add_argument("--bind", default=os.environ.get("LNP_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("LNP_WORKERS", "2")))
    serve.set_defaults(func=_serve)

    render = sub.add_parser("render", help="tee asiakirja JSON-tiedostosta")
    render.add_argument("type", choices=sorted(DOCUMENT_TYPES))
    render.add_argument("case", help="tapauksen JSON-tiedosto tai - (vakiosyöte)")
    render.add_argument("-o", "--output", help="tulostiedosto (.docx, .odt tai .pdf); - = vakiotuloste")
    render.add_argument("--format", choices=list(formats.MIMETYPES),
                        help="docx (oletus), odt tai pdf; odt ja pdf tarvitsevat LibreOfficen")
    render.add_argument("--rendition", default=FAMILY, help="family (oletus) tai network")
    render.add_argument("--bundle", choices=("single", "zip"),
                        help="kirjeet: single = yksi tiedosto (oletus), zip = kirje kerrallaan zip-paketissa")
    # No --language here: the case JSON's own "language" picks the template (fi, sv or en).
    render.set_defaults(func=_render)

    check_all_ = sub.add_parser("check-templates", help="tarkista kaikki käytössä olevat asiakirjapohjat")
    check_all_.set_defaults(func=_check_templates)

    check_one = sub.add_parser("check-template", help="tarkista yksi muokattu asiakirjapohja")
    check_one.add_argument("file")
    check_one.add_argument("--type", required=True, choices=sorted(DOCUMENT_TYPES))
    check_one.add_argument("--language", choices=LANGUAGES, default=DEFAULT, help=LANGUAGE_HELP)
    check_one.add_argument("--fixed", help="tallenna tähän pohja, jossa jaetut tagit on korjattu")
    check_one.set_defaults(func=_check_template)

    templates = sub.add_parser("templates", help="asiakirjapohjien versiot")
    actions = templates.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list")
    listing.add_argument("--type", choices=sorted(DOCUMENT_TYPES))
    listing.add_argument("--language", choices=LANGUAGES, help="vain tämän kielen pohjat (oletus: kaikki kielet)")
    upload = actions.add_parser("upload")
    upload.add_argument("type", choices=sorted(DOCUMENT_TYPES))
    upload.add_argument("file")
    activate = actions.add_parser("activate")
    activate.add_argument("type", choices=sorted(DOCUMENT_TYPES))
    activate.add_argument("version", type=int)
    rollback = actions.add_parser("rollback")
    rollback.add_argument("type", choices=sorted(DOCUMENT_TYPES))
    rollback.add_argument("--to", type=int, help="versio (oletus: edellinen käytössä ollut)")
    export = actions.add_parser("export")
    export.add_argument("type", choices=sorted(DOCUMENT_TYPES))
    export.add_argument("version", type=int)
    export.add_argument("-o", "--output", required=True)
    for action in (upload, activate, rollback):
        action.add_argument("--by", help="tekijän nimi (oletus: käyttäjätunnus)")
    for action in (upload, activate, rollback, export):
        action.add_argument("--language", choices=LANGUAGES, default=DEFAULT, help=LANGUAGE_HELP)
    templates.set_defaults(func=_templates)

    fields = sub.add_parser("fields", help="kenttäopas: muuttujat, joita pohjassa voi käyttää")
    fields.add_argument("type", choices=sorted(DOCUMENT_TYPES))
    fields.add_argument("-o", "--output", help="tallenna kenttäopas Word-tiedostona")
    fields.set_defaults(func=_fields)

    convert = sub.add_parser("convert-template", help="muunna .odt-pohja .docx-pohjaksi ja tarkista se")
    convert.add_argument("source", help="LibreOfficella tallennettu pohja (.odt)")
    convert.add_argument("target", help="tulostiedosto (.docx)")
    convert.add_argument("--type", required=True, choices=sorted(DOCUMENT_TYPES), help="asiakirjatyyppi")
    convert.add_argument("--language", choices=LANGUAGES, default=DEFAULT, help=LANGUAGE_HELP)
    convert.set_defaults(func=_convert_template)

    tokens = sub.add_parser("tokens", help="API-tunnisteet")
    tokens_sub = tokens.add_subparsers(dest="action", required=True)
    create = tokens_sub.add_parser("create", help="luo tunniste (arvo näytetään vain kerran)")
    create.add_argument("--name", required=True, help="mihin tunnistetta käytetään, esim. apotti-integraatio")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--days", type=int, default=DEFAULT_TOKEN_DAYS, help="voimassaolo päivinä (1–366)")
    tokens_sub.add_parser("list", help="luettele tunnisteet")
    revoke = tokens_sub.add_parser("revoke", help="mitätöi tunniste")
    revoke.add_argument("id", help="tunnisteen id (lnp tokens list)")
    tokens.set_defaults(func=_tokens)

    users = sub.add_parser("users", help="paikalliset käyttäjät")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="lisää käyttäjä (kertakäyttöinen salasana)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    users_sub.add_parser("list", help="luettele käyttäjät")
    for action_name, action_help in (("reset-password", "uusi kertakäyttöinen salasana"), ("remove", "poista käyttäjä")):
        users_sub.add_parser(action_name, help=action_help).add_argument("name")
    users.set_defaults(func=_users)

    audit_cmd = sub.add_parser("audit", help="hae tapahtumalokista (kuka käsitteli mitä)")
    audit_cmd.add_argument("--actor", help="token:NIMI, session:KÄYTTÄJÄ, cli:KÄYTTÄJÄ tai pelkkä nimi")
    audit_cmd.add_argument("--since", type=date.fromisoformat, help="alkaen päivästä VVVV-KK-PP (UTC)")
    audit_cmd.add_argument("--until", type=date.fromisoformat, help="päivään VVVV-KK-PP asti (UTC)")
    audit_cmd.add_argument("--case", help="asian tunnus (case_ref); haetaan sen avaimellisella tiivisteellä")
    audit_cmd.add_argument("--action", help="esim. document.render, token.create, auth.sign_in")
    audit_cmd.add_argument("verify", nargs="?", choices=["verify"],
                           help="tarkista tiivisteketju: poistettu tai muutettu merkintä löytyy")
    audit_cmd.set_defaults(func=_audit)

    db = sub.add_parser("db", help="tietokanta: skeeman päivitys ja vanhan instanssikansion siirto")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("upgrade", help="päivitä tietokannan skeema (aja kerran ennen uusien replikoiden käynnistystä)")
    migrate = db_sub.add_parser("migrate-instance", help="siirrä vanhan instanssikansion käyttäjät, pohjat ja "
                                                         "tapahtumaloki tietokantaan")
    migrate.add_argument("folder", nargs="?", help="instanssikansio (oletus: LNP_INSTANCE_PATH tai ./instance)")
    db.set_defaults(func=_db)

    args = parser.parse_args(argv)
    with messages_in(args.ui_language):
        try:
            return args.func(args)
        except (DatabaseUnavailable, SchemaOutdated) as exc:
            message = translate(exc.message) if isinstance(exc, DatabaseUnavailable) else str(exc)
            print(Msg("virhe: {message}").format(message=message), file=sys.stderr)
            return 3


if __name__ == "__main__":
    sys.exit(main())
