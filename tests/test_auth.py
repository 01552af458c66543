"""Authentication and roles: every route × every caller, credentials that must fail, sign-in
sessions, CSRF, the SSO header, rate limits, secrets and security headers."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from service import create_app
from service.access.accounts import ROLES, rank
from service.database.connection import SQLITE_FILE
from service.database.tables import sessions, tokens
from service.instance import SECRETS_FILE, MissingSecrets, ensure_secrets
from service.web import gate
from tests.conftest import LOG_COLLECTOR, TEST_CONFIG, bearer, lnp, load_example, signed_in, sqlite_bytes

CALLERS = ("anonymous",) + ROLES
SAMPLE_ARGS = {"type_id": "summary", "token_id": "0123456789ab", "version": "0", "language": "sv"}
HTTPS = {"base_url": "https://localhost"}  # the session cookie is Secure


def _routes():
    """(endpoint, method, path) of every route of a real app, walked at collection time."""
    folder = tempfile.mkdtemp(prefix="lnp-routes-")
    ensure_secrets(Path(folder))
    app = create_app({**TEST_CONFIG, "INSTANCE_PATH": folder})
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule
        for arg in rule.arguments:
            for converter in ("", "path:", "int:"):
                path = path.replace(f"<{converter}{arg}>", SAMPLE_ARGS[arg])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, path))
    return out


ROUTES = _routes()


def _request(client, method, path, headers=None):
    body = load_example("summary") if path.startswith("/api/v1/documents/") else {"name": "matrix", "role": "worker"}
    kwargs = {"json": body} if method in ("POST", "PUT", "PATCH") and path.startswith("/api/") else {}
    return client.open(path, method=method, headers=headers or {}, **kwargs)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint,method,path", ROUTES, ids=[f"{m} {p}" for _, m, p in ROUTES])
def test_every_route_for_every_caller(app, tokens, endpoint, method, path, caller):
    required = gate.declared_role(app, endpoint)
    assert required is not None, f"{endpoint} has no role declaration"
    client = app.test_client()
    headers = bearer(tokens[caller]) if caller != "anonymous" else {}
    response = _request(client, method, path, headers)
    if required == gate.PUBLIC:
        assert response.status_code not in (401, 403)
    elif caller == "anonymous":
        assert response.status_code == 401
        if response.is_json:  # the web pages answer with a Finnish HTML page instead
            assert response.get_json()["code"] == 401
    elif rank(caller) < rank(required):
        assert response.status_code == 403
        if response.is_json:
            assert response.get_json() == {"code": 403, "status": "Forbidden",
                                           "message": "Sinulla ei ole oikeutta tähän toimintoon."}
        else:
            assert "oikeutta" in response.get_data(as_text=True)
    else:
        assert response.status_code not in (401, 403), response.get_data(as_text=True)[:300]


def test_the_matrix_covers_every_role_and_the_admin_routes():
    # The report quotes routes × callers; the walk must see the routes that matter.
    endpoints = {e for e, _, _ in ROUTES}
    assert {"api.render_document", "admin.create_token", "admin.revoke_token", "auth.sign_in", "healthz"} <= endpoints
    assert len(ROUTES) * len(CALLERS) >= 50


def _fresh_app(**config):
    folder = tempfile.mkdtemp(prefix="lnp-app-")
    ensure_secrets(Path(folder))
    return create_app({**TEST_CONFIG, "INSTANCE_PATH": folder, **config})


def test_a_route_without_a_role_stops_the_service_from_starting():
    app = _fresh_app()
    app.add_url_rule("/undeclared", "undeclared", lambda: "x")
    with pytest.raises(RuntimeError, match="undeclared"):
        gate.check_routes(app)


def test_a_route_without_a_role_is_refused_if_it_slips_past_the_start_check():
    app = _fresh_app()
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    token = app.extensions["lnp.accounts"].create_token("t", "admin")[1]
    response = app.test_client().get("/undeclared", headers=bearer(token))
    assert response.status_code == 403 and b"secret" not in response.data


def test_a_convener_route_declared_by_another_blueprint_is_enforced():
    app = _fresh_app()
    app.add_url_rule("/templates-probe", "probe", gate.role("convener")(lambda: "ok"))
    gate.check_routes(app)
    store = app.extensions["lnp.accounts"]
    statuses = {r: app.test_client().get("/templates-probe", headers=bearer(store.create_token("t", r)[1])).status_code
                for r in ROLES}
    assert statuses == {"worker": 403, "convener": 200, "admin": 200}
    assert app.test_client().get("/templates-probe").status_code == 401


# --- credentials that must fail, all alike -------------------------------------------------------

def _expired_token(app) -> str:
    store = app.extensions["lnp.accounts"]
    record, value = store.create_token("expired", "admin", days=1)
    with store.database.write() as con:
        con.execute(update(tokens).where(tokens.c.id == record["id"]).values(expires="2000-01-01T00:00:00+00:00"))
    return value


def _revoked_token(app) -> str:
    store = app.extensions["lnp.accounts"]
    record, value = store.create_token("revoked", "admin")
    store.revoke_token(record["id"])
    return value


BAD_CREDENTIALS = {
    "missing": lambda app, tokens: {},
    "empty-bearer": lambda app, tokens: {"Authorization": "Bearer "},
    "basic-scheme": lambda app, tokens: {"Authorization": "Basic YWRtaW46YWRtaW4="},
    "malformed": lambda app, tokens: bearer("not-a-token"),
    "wrong-secret": lambda app, tokens: bearer(tokens["admin"][:-4] + "AAAA"),
    "unknown-id": lambda app, tokens: bearer("lnp_ffffffffffff_" + "A" * 43),
    "revoked": lambda app, tokens: bearer(_revoked_token(app)),
    "expired": lambda app, tokens: bearer(_expired_token(app)),
    "forged-session-cookie": lambda app, tokens: {"Cookie": "lnp_session=eyJzaWQiOiJ4In0.ZZZ.forged"},
}


@pytest.mark.parametrize("kind", sorted(BAD_CREDENTIALS))
def test_bad_credentials_get_the_same_401_and_leak_nothing(app, tokens, kind):
    headers = BAD_CREDENTIALS[kind](app, tokens)
    before = len(LOG_COLLECTOR.lines)
    response = app.test_client().post("/api/v1/documents/summary", json=load_example("summary"), headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"code": 401, "status": "Unauthorized", "message": auth_message()}
    presented = headers.get("Authorization", "").partition(" ")[2]
    log = "\n".join(LOG_COLLECTOR.lines[before:])
    if len(presented) > 8:
        assert presented not in response.get_data(as_text=True) and presented not in log
        assert presented[-43:] not in log
    assert "auth=none:" in log


def auth_message() -> str:
    from service.problems import MESSAGES

    return MESSAGES[401]


def test_a_revoked_token_stops_working_at_once(app):
    store = app.extensions["lnp.accounts"]
    record, value = store.create_token("short-lived", "worker")
    client = app.test_client()
    assert client.get("/api/v1/document-types", headers=bearer(value)).status_code == 200
    store.revoke_token(record["id"])
    assert client.get("/api/v1/document-types", headers=bearer(value)).status_code == 401


def test_tokens_are_stored_only_as_hashes(app, tokens):
    raw = sqlite_bytes(Path(app.instance_path))
    for value in tokens.values():
        secret = value.split("_", 2)[2]  # lnp_<hex id>_<secret>; the secret itself may hold "_"
        assert len(secret) >= 40
        assert value.encode() not in raw and secret.encode() not in raw


# --- web sign-in ---------------------------------------------------------------------------------

def browser(app):
    """A test client that behaves like a browser here: over https it sends a same-origin
    Referer (the Referrer-Policy allows it, Flask-WTF requires it for posts over https)."""
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/auth/sign-in"
    return client


def _csrf(client, path="/auth/sign-in") -> str:
    page = client.get(path, **HTTPS).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _sign_in(client, name, password):
    return client.post("/auth/sign-in", data={"username": name, "password": password, "csrf_token": _csrf(client)},
                       **HTTPS)


@pytest.fixture
def web_app():
    return _fresh_app()


def _signed_in_user(app, role="worker", name="sosiaalityontekija"):
    """A user past the one-time password, and a client signed in as them."""
    store = app.extensions["lnp.accounts"]
    one_time = store.add_user(name, role)
    client = browser(app)
    assert _sign_in(client, name, one_time).headers["Location"].endswith("/auth/password")
    client.post("/auth/password", data={"current": one_time, "new": "oikein-pitka-salasana", "repeat":
                                        "oikein-pitka-salasana", "csrf_token": _csrf(client, "/auth/password")}, **HTTPS)
    return client


def test_sign_in_with_a_one_time_password_then_change_it(web_app):
    store = web_app.extensions["lnp.accounts"]
    one_time = store.add_user("koollekutsuja", "convener")
    client = browser(web_app)
    response = _sign_in(client, "koollekutsuja", one_time)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/password")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Until the password is changed, nothing else opens.
    assert client.get("/api/v1/document-types", **HTTPS).status_code == 403
    csrf = _csrf(client, "/auth/password")
    weak = client.post("/auth/password", data={"current": one_time, "new": "lyhyt", "repeat": "lyhyt",
                                               "csrf_token": csrf}, **HTTPS)
    assert weak.status_code == 422
    done = client.post("/auth/password", data={"current": one_time, "new": "pitka-oma-salasana-1",
                                               "repeat": "pitka-oma-salasana-1", "csrf_token": csrf}, **HTTPS)
    assert done.status_code == 302
    assert client.get("/api/v1/document-types", **HTTPS).status_code == 200
    assert client.get("/auth/account", **HTTPS).status_code == 200
    # The one-time password is gone.
    assert _sign_in(browser(web_app), "koollekutsuja", one_time).status_code == 401


def test_wrong_password_and_unknown_user_look_the_same(web_app):
    web_app.extensions["lnp.accounts"].add_user("olemassa", "worker")
    wrong = _sign_in(browser(web_app), "olemassa", "vaara-salasana-123")
    unknown = _sign_in(browser(web_app), "eiole", "vaara-salasana-123")
    assert wrong.status_code == unknown.status_code == 401
    assert "Käyttäjätunnus tai salasana on väärä." in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).replace("olemassa", "") .count("väärä") == 1
    assert "Set-Cookie" not in wrong.headers or "sid" not in wrong.headers.get("Set-Cookie", "")


def test_sign_in_without_csrf_token_is_refused(web_app):
    one_time = web_app.extensions["lnp.accounts"].add_user("ilmancsrf", "worker")
    client = browser(web_app)
    client.get("/auth/sign-in", **HTTPS)
    response = client.post("/auth/sign-in", data={"username": "ilmancsrf", "password": one_time,
                                                  "next": "/lomakkeet/summary", "carried:case_ref": "LNP-7"}, **HTTPS)
    # Refused, and said to the person on the sign-in page, which keeps where they were going
    assert response.status_code == 400 and "<h1>Kirjaudu sisään</h1>" in response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "Kirjautumissivu oli vanhentunut" in page and 'value="/lomakkeet/summary"' in page
    assert 'name="carried:case_ref" value="LNP-7"' in page
    assert "sid" not in response.headers.get("Set-Cookie", "")


def test_cookie_authenticated_posts_need_csrf_but_token_posts_do_not(web_app):
    client = _signed_in_user(web_app)
    url = "/api/v1/documents/summary"
    without = client.post(url, json=load_example("summary"), **HTTPS)
    assert without.status_code == 400 and "tarkiste" in without.get_json()["message"]
    with_header = client.post(url, json=load_example("summary"), headers={"X-CSRFToken": _csrf(client)}, **HTTPS)
    assert with_header.status_code == 200
    token = web_app.extensions["lnp.accounts"].create_token("api", "worker")[1]
    assert browser(web_app).post(url, json=load_example("summary"), headers=bearer(token)).status_code == 200


def test_sign_out_ends_the_session_on_the_server(web_app):
    client = _signed_in_user(web_app)
    stolen = client.get_cookie("lnp_session", domain="localhost").value
    assert client.post("/auth/sign-out", data={"csrf_token": _csrf(client, "/auth/account")}, **HTTPS).status_code == 302
    thief = browser(web_app)
    thief.set_cookie("lnp_session", stolen, domain="localhost")
    assert thief.get("/api/v1/document-types", **HTTPS).status_code == 401


@pytest.mark.parametrize("column,seconds", [("last_seen", 15 * 60 + 5), ("created", 8 * 3600 + 5)])
def test_an_idle_or_old_session_expires(web_app, column, seconds):
    client = _signed_in_user(web_app)
    assert client.get("/api/v1/document-types", **HTTPS).status_code == 200
    database = web_app.extensions["lnp.accounts"].database
    with database.write() as con:  # the clock moves on
        con.execute(update(sessions).values({column: sessions.c[column] - seconds}))
    assert client.get("/api/v1/document-types", **HTTPS).status_code == 401
    with database.read() as con:
        assert con.execute(select(func.count()).select_from(sessions)).scalar_one() == 0


def test_a_browser_without_a_session_is_sent_to_sign_in(app):
    response = browser(app).get("/auth/account", headers={"Accept": "text/html"}, **HTTPS)
    assert response.status_code == 302 and "/auth/sign-in?next=" in response.headers["Location"]


def test_next_cannot_redirect_off_site(web_app):
    store = web_app.extensions["lnp.accounts"]
    client = _signed_in_user(web_app, name="ohjaus")
    client.post("/auth/sign-out", data={"csrf_token": _csrf(client, "/auth/account")}, **HTTPS)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/auth/sign-in", data={"username": "ohjaus", "password": "oikein-pitka-salasana",
                                                      "next": target, "csrf_token": _csrf(client)}, **HTTPS)
        assert response.status_code == 302 and response.headers["Location"].endswith("/auth/account"), target
    assert store.user("ohjaus")


# --- SSO header from a trusted proxy -------------------------------------------------------------

def test_proxy_headers_are_ignored_unless_configured(app):
    response = app.test_client().get("/api/v1/document-types", headers={"X-Remote-User": "x", "X-Remote-Role": "admin"})
    assert response.status_code == 401


def test_proxy_headers_from_the_trusted_proxy_sign_the_user_in():
    app = _fresh_app(PROXY_USER_HEADER="X-Remote-User", PROXY_TRUSTED_ADDRESSES=["127.0.0.1/32"])
    client = app.test_client()
    ok = client.get("/api/v1/tokens", headers={"X-Remote-User": "sso.admin", "X-Remote-Role": "admin"})
    assert ok.status_code == 200
    worker = client.get("/api/v1/tokens", headers={"X-Remote-User": "sso.worker", "X-Remote-Role": "worker"})
    assert worker.status_code == 403
    for headers in ({"X-Remote-User": "x"}, {"X-Remote-User": "x", "X-Remote-Role": "root"},
                    {"X-Remote-User": "bad name<>", "X-Remote-Role": "worker"}):
        assert client.get("/api/v1/document-types", headers=headers).status_code == 401
    spoofed = app.test_client().get("/api/v1/document-types", environ_base={"REMOTE_ADDR": "10.9.8.7"},
                                    headers={"X-Remote-User": "x", "X-Remote-Role": "admin"})
    assert spoofed.status_code == 401
    # A proxy-authenticated form post needs CSRF like a cookie one.
    assert client.post("/api/v1/tokens", json={"name": "x", "role": "worker"},
                       headers={"X-Remote-User": "sso.admin", "X-Remote-Role": "admin"}).status_code == 400


# --- rate limits ---------------------------------------------------------------------------------

def test_api_rate_limit_per_token_answers_429_with_retry_after():
    app = _fresh_app(RATELIMIT_DEFAULT="3 per minute")
    store = app.extensions["lnp.accounts"]
    first, second = (store.create_token(n, "worker")[1] for n in ("eka", "toka"))
    client = app.test_client()
    statuses = [client.get("/api/v1/document-types", headers=bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/document-types", headers=bearer(first))
    assert limited.get_json()["code"] == 429 and limited.get_json()["status"] == "Too Many Requests"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/document-types", headers=bearer(second)).status_code == 200  # per token
    assert client.get("/healthz").status_code == 200


def test_sign_in_attempts_are_limited_per_name_and_the_name_is_not_logged():
    app = _fresh_app(SIGN_IN_RATE_LIMIT="2 per minute")
    typed = "Salasana-kirjoitettu-vaaraan-kenttaan"
    before = len(LOG_COLLECTOR.lines)
    statuses = [_sign_in(browser(app), typed, "x" * 12).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    limited = _sign_in(browser(app), typed, "x" * 12)
    # a person at the sign-in page: the page again, saying why, with the time to wait in the header
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert "Liian monta kirjautumisyritystä" in limited.get_data(as_text=True)
    assert _sign_in(browser(app), "toinen", "x" * 12).status_code == 401  # another name still may try
    assert typed.lower() not in "\n".join(LOG_COLLECTOR.lines[before:]).lower()


def test_an_attacker_elsewhere_cannot_lock_the_owner_out():
    """Wrong passwords for an account from one address slow that address down; the owner, from
    their own address, still signs in (the limit is per account and address, not per account)."""
    app = _fresh_app(SIGN_IN_RATE_LIMIT="2 per minute")
    store = app.extensions["lnp.accounts"]
    one_time = store.add_user("omistaja", "worker")
    attacker = browser(app)
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert [_sign_in(attacker, "omistaja", "x" * 12).status_code for _ in range(4)] == [401, 401, 429, 429]
    owner = browser(app)
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    assert _sign_in(owner, "omistaja", one_time).status_code == 302


def test_the_current_password_check_is_rate_limited_too():
    app = _fresh_app(SIGN_IN_RATE_LIMIT="3 per minute")  # signing in changed the one-time password once
    user = signed_in(app, "worker", name="vaihtaja")
    token = re.search(r'name="csrf_token" value="([^"]+)"', user.get("/auth/password", **HTTPS).get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "current": "vaara-salasana-1", "new": "Uusi-pitka-salasana-9", "repeat": "Uusi-pitka-salasana-9"}
    statuses = [user.post("/auth/password", data=form, **HTTPS).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]


def test_sign_in_attempts_are_limited_per_address():
    app = _fresh_app(SIGN_IN_ADDRESS_RATE_LIMIT="3 per minute")
    statuses = [_sign_in(browser(app), f"nimi{i}", "x" * 12).status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]


# --- secrets -------------------------------------------------------------------------------------

def test_the_service_refuses_to_start_without_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("LNP_SECRET_KEY", raising=False)
    monkeypatch.delenv("LNP_AUDIT_KEY", raising=False)
    with pytest.raises(MissingSecrets):
        create_app({**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(MissingSecrets):
        create_app({**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "short", "AUDIT_KEY": "x" * 40})


def test_a_readable_secrets_file_is_refused(tmp_path):
    ensure_secrets(tmp_path)
    (tmp_path / SECRETS_FILE).chmod(0o644)
    with pytest.raises(MissingSecrets, match="0600"):
        create_app({**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path)})


def test_secrets_from_the_environment_are_enough(tmp_path, monkeypatch):
    monkeypatch.setenv("LNP_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("LNP_AUDIT_KEY", "a" * 40)
    app = create_app({**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "s" * 40 and not (tmp_path / SECRETS_FILE).exists()
    assert (tmp_path / SQLITE_FILE).stat().st_mode & 0o077 == 0


def test_lnp_init_writes_private_secrets_and_a_first_admin(tmp_path, monkeypatch):
    monkeypatch.setenv("LNP_INSTANCE_PATH", str(tmp_path / "fresh"))
    first = lnp("init")
    out = first.stdout.decode()
    password = re.search(r"kertakäyttöinen salasana: (\S+)", out).group(1)
    folder = tmp_path / "fresh"
    assert (folder / SECRETS_FILE).stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert password.encode() not in sqlite_bytes(folder)
    again = lnp("init")
    assert "salasana" not in again.stdout.decode()
    app = create_app({**TEST_CONFIG, "INSTANCE_PATH": str(folder)})
    assert _sign_in(browser(app), "admin", password).status_code == 302
    monkeypatch.setenv("LNP_INSTANCE_PATH", str(tmp_path / "empty"))
    refused = lnp("serve", check=False)
    assert refused.returncode == 2 and "lnp init" in refused.stderr.decode()


# --- headers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,headers", [("/healthz", {}), ("/auth/sign-in", {}), ("/api/v1/document-types", None)])
def test_security_headers_on_every_kind_of_response(app, tokens, path, headers):
    response = app.test_client().get(path, headers=bearer(tokens["worker"]) if headers is None else headers, **HTTPS)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp and "script-src" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_hsts_over_plain_http(app):
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_the_sign_in_page_has_no_inline_script_or_style(app):
    page = app.test_client().get("/auth/sign-in", **HTTPS).get_data(as_text=True)
    assert "<script" not in page and "style=" not in page and "<style" not in page


@pytest.mark.parametrize("bind, warned", [("0.0.0.0:8000", True), ("10.1.2.3:8000", True), ("127.0.0.1:8000", False),
                                          ("[::1]:8000", False)])
def test_proxy_fix_on_a_public_bind_is_warned_about(tmp_path, monkeypatch, caplog, bind, warned):
    from service.instance import ensure_secrets

    ensure_secrets(tmp_path)
    monkeypatch.setenv("LNP_BIND", bind)
    with caplog.at_level("WARNING", logger="lnp"):
        create_app({**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path), "PROXY_FIX": 1})
    assert any("LNP_PROXY_FIX" in r.getMessage() for r in caplog.records) == warned
