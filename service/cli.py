"""``lnp``: the command line.

    lnp init                                   secrets file and first admin (make run does this)
    lnp serve [--bind 127.0.0.1:8000] [--workers 2]
    lnp render <type> <case.json | -> [-o file.docx | -o -] [--rendition network]
    lnp check-templates
    lnp tokens create --name NAME --role ROLE [--days 90] | list | revoke ID
    lnp users add NAME --role ROLE | list | reset-password NAME | remove NAME
    lnp audit [--actor A] [--since DATE] [--until DATE] [--case CASE_REF] [--action A]

Everything but serve and check-templates works on the instance folder (LNP_INSTANCE_PATH, or
./instance) and writes what it changes or renders to its audit log, as ``cli:<os user>``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from . import audit
from .accounts import DEFAULT_TOKEN_DAYS, ROLES, AccountError, AccountStore
from .audit import AuditLog
from .documents import TemplateStore, get_type, parse_json, produce, validate
from .errors import ApiError
from .instance import (ACCOUNTS_FILE, AUDIT_FILE, MissingSecrets, check_secrets, ensure_secrets, instance_path,
                       load_secrets)
from .registry import DOCUMENT_TYPES, FAMILY
from .templating import RenderFailed, render

FIRST_ADMIN = "admin"


def _open_instance(create: bool = True) -> tuple[Path, AccountStore, AuditLog]:
    """The instance's account store and audit log, bound as this command's audit sink."""
    folder = instance_path()
    if create and ensure_secrets(folder):
        print(f"Uudet salaisuudet kirjoitettiin tiedostoon {folder / 'secrets.json'} (oikeudet 0600).", file=sys.stderr)
    config: dict = {}
    load_secrets(config, folder)
    check_secrets(config, folder)
    log = AuditLog(folder / AUDIT_FILE, config["AUDIT_KEY"])
    audit.bind_command(log)
    return folder, AccountStore(folder / ACCOUNTS_FILE), log


def _init(args) -> int:
    folder, store, _ = _open_instance()
    if store.users():
        print(f"lnp-docs: instanssi {folder} on valmis; käyttäjät: lnp users list", file=sys.stderr)
        return 0
    password = store.add_user(FIRST_ADMIN, "admin")
    audit.change("user.add", "ok", target=FIRST_ADMIN, target_role="admin")
    print(f"""
Ensimmäinen ylläpitäjä luotiin. Kirjaudu sisään, kun palvelu on käynnissä:

    osoite:                   http://localhost:{os.environ.get("LNP_BIND", "127.0.0.1:8000").rsplit(":", 1)[-1]}/auth/sign-in
    käyttäjätunnus:           {FIRST_ADMIN}
    kertakäyttöinen salasana: {password}

Salasana näytetään vain nyt, eikä sitä tallenneta (vain tiiviste). Palvelu pyytää vaihtamaan sen
ensimmäisellä kirjautumisella. API-tunniste: .venv/bin/lnp tokens create --name NIMI --role worker
""")
    return 0


def _serve(args) -> int:
    try:
        config: dict = {}
        load_secrets(config, instance_path())
        check_secrets(config, instance_path())
    except MissingSecrets as exc:
        print(f"virhe: {exc}", file=sys.stderr)
        return 2
    os.environ["LNP_BIND"] = args.bind
    os.environ["LNP_WORKERS"] = str(args.workers)
    conf = Path(__file__).with_name("gunicorn_conf.py")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.chdir(Path(__file__).resolve().parent.parent)
    print(f"lnp-docs: http://{args.bind}/  (Ctrl+C lopettaa)", file=sys.stderr)
    os.execv(str(gunicorn), [str(gunicorn), "--config", str(conf), "wsgi:app"])
    return 0  # not reached


def _render(args) -> int:
    _open_instance()
    try:
        doc_type = get_type(args.type)
        raw = sys.stdin.buffer.read() if args.case == "-" else Path(args.case).read_bytes()
        try:
            payload = parse_json(raw)
        except ApiError as exc:
            audit.document(doc_type.id, args.rendition, "refused", exc.status)
            raise
        document = produce(TemplateStore(), doc_type, payload, args.rendition)
    except ApiError as exc:
        print(f"virhe: {exc.message}", file=sys.stderr)
        for error in exc.errors:
            label = f" ({error['label']})" if error.get("label") else ""
            print(f"  {error['path']}{label}: {error['message']}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"virhe: tiedostoa ei voi lukea: {exc.strerror}", file=sys.stderr)
        return 2
    if args.output == "-":  # straight to a pipe: the document never touches this machine's disk
        sys.stdout.buffer.write(document.content)
        sys.stdout.buffer.flush()
        return 0
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
                # The fictitious example, not a case: checked without produce(), so not audited.
                render(template, doc_type.context(validate(doc_type, doc_type.example())))
                dry = "esimerkkitapaus täyttyy"
            except (ApiError, RenderFailed) as exc:
                failed = True
                dry = f"esimerkkitapaus EI täyty: {getattr(exc, 'message', type(exc).__name__)} {getattr(exc, 'errors', '')}"
            print(f"{type_id}: {doc_type.template}: kunnossa; {dry}")
            for path in unused:
                print(f"  varoitus: kenttää {path} ei käytetä asiakirjapohjassa")
        else:
            failed = True
            print(f"{type_id}: {doc_type.template}: {len(problems)} virhettä")
            for problem in problems:
                print(f"  {problem}")
    return 1 if failed else 0


def _tokens(args) -> int:
    _, store, _ = _open_instance()
    try:
        if args.action == "create":
            record, value = store.create_token(args.name, args.role, args.days)
            audit.change("token.create", "ok", target=record["id"], target_role=record["role"])
            print(f"Tunniste {record['id']} ({record['name']}, {record['role']}) voimassa {record['expires']} asti. "
                  "Arvo näytetään vain nyt:", file=sys.stderr)
            print(value)
        elif args.action == "revoke":
            record = store.revoke_token(args.id)
            audit.change("token.revoke", "ok", target=record["id"], target_role=record["role"])
            print(f"Tunniste {record['id']} mitätöity {record['revoked']}.", file=sys.stderr)
        else:
            for token in store.tokens():
                state = f"mitätöity {token['revoked']}" if token["revoked"] else f"voimassa {token['expires']} asti"
                print(f"{token['id']}  {token['role']:<8}  {state}  {token['name']}")
    except AccountError as exc:
        print(f"virhe: {exc}", file=sys.stderr)
        return 2
    return 0


def _users(args) -> int:
    _, store, _ = _open_instance()
    try:
        if args.action == "add":
            password = store.add_user(args.name, args.role)
            audit.change("user.add", "ok", target=args.name, target_role=args.role)
            print(f"Käyttäjä {args.name} ({args.role}) luotiin. Kertakäyttöinen salasana (näytetään vain nyt; "
                  "vaihdettava ensimmäisellä kirjautumisella):", file=sys.stderr)
            print(password)
        elif args.action == "reset-password":
            password = store.reset_password(args.name)
            audit.change("user.password_reset", "ok", target=args.name)
            print(f"Käyttäjän {args.name} istunnot päätettiin. Uusi kertakäyttöinen salasana:", file=sys.stderr)
            print(password)
        elif args.action == "remove":
            store.remove_user(args.name)
            audit.change("user.remove", "ok", target=args.name)
            print(f"Käyttäjä {args.name} poistettiin ja hänen istuntonsa päätettiin.", file=sys.stderr)
        else:
            for user in store.users():
                flag = "  (kertakäyttöinen salasana vaihtamatta)" if user["must_change"] else ""
                print(f"{user['name']:<24} {user['role']:<8} luotu {user['created']}{flag}")
    except AccountError as exc:
        print(f"virhe: {exc}", file=sys.stderr)
        return 2
    return 0


def _audit(args) -> int:
    try:
        _, _, log = _open_instance(create=False)
    except MissingSecrets as exc:
        print(f"virhe: {exc}", file=sys.stderr)
        return 2
    case = log.case_hash(args.case) if args.case else None
    for entry in log.entries():
        day = entry["time"][:10]
        if (args.actor and entry["actor"] != args.actor and entry["actor"].split(":", 1)[-1] != args.actor) \
                or (args.since and day < args.since.isoformat()) or (args.until and day > args.until.isoformat()) \
                or (case and entry.get("case") != case) or (args.action and entry["action"] != args.action):
            continue
        print(json.dumps(entry, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lnp", description="Läheisneuvonpidon asiakirjat (lnp-docs)")
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
    render.add_argument("-o", "--output", help="tulostiedosto (.docx); - = vakiotuloste")
    render.add_argument("--rendition", default=FAMILY, help="family (oletus) tai network")
    render.set_defaults(func=_render)

    check = sub.add_parser("check-templates", help="tarkista kaikki asiakirjapohjat")
    check.set_defaults(func=_check_templates)

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
    for action, text in (("reset-password", "uusi kertakäyttöinen salasana"), ("remove", "poista käyttäjä")):
        users_sub.add_parser(action, help=text).add_argument("name")
    users.set_defaults(func=_users)

    audit_cmd = sub.add_parser("audit", help="hae tapahtumalokista (kuka käsitteli mitä)")
    audit_cmd.add_argument("--actor", help="token:NIMI, session:KÄYTTÄJÄ, cli:KÄYTTÄJÄ tai pelkkä nimi")
    audit_cmd.add_argument("--since", type=date.fromisoformat, help="alkaen päivästä VVVV-KK-PP (UTC)")
    audit_cmd.add_argument("--until", type=date.fromisoformat, help="päivään VVVV-KK-PP asti (UTC)")
    audit_cmd.add_argument("--case", help="asian tunnus (case_ref); haetaan sen avaimellisella tiivisteellä")
    audit_cmd.add_argument("--action", help="esim. document.render, token.create, auth.sign_in")
    audit_cmd.set_defaults(func=_audit)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
