"""The service as it runs: gunicorn with two workers, real HTTP on loopback."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import TYPE_IDS, load_example
from tests.docxtext import all_text

@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_post_each_type(server, type_id):
    payload = load_example(type_id)
    response = requests.post(f"{server.url}/api/v1/documents/{type_id}", json=payload, headers=server.headers(),
                             timeout=30)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert payload["case_ref"] in response.headers["Content-Disposition"]
    assert payload["children"][0].get("first_name", payload["children"][0].get("given_names")) in all_text(response.content)


def test_errors_over_http(server):
    url = f"{server.url}/api/v1/documents/summary"
    auth = server.headers()
    assert requests.post(url, data="{", headers={**auth, "Content-Type": "application/json"}, timeout=10).status_code == 400
    assert requests.post(url, data="x=1", headers={**auth, "Content-Type": "text/plain"}, timeout=10).status_code == 415
    big = requests.post(url, data=b"[" + b"1," * 400_000 + b"1]", headers={**auth, "Content-Type": "application/json"},
                        timeout=10)
    assert big.status_code == 413 and big.json()["code"] == 413
    bad = requests.post(url, json={"case_ref": "X"}, headers=auth, timeout=10)
    assert bad.status_code == 422 and {"path", "label", "message"} <= set(bad.json()["errors"][0])


def test_parallel_requests(server):
    payloads = [load_example(t) for t in TYPE_IDS] * 4

    def post(i):
        type_id = TYPE_IDS[i % len(TYPE_IDS)]
        return requests.post(f"{server.url}/api/v1/documents/{type_id}", data=json.dumps(payloads[i]),
                             headers={**server.headers(), "Content-Type": "application/json"}, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(post, range(len(payloads)))) == {200}


def test_without_a_token_nothing_but_healthz_answers(server):
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
    for method, path in (("POST", "/api/v1/documents/summary"), ("GET", "/api/v1/document-types"),
                         ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/tokens"), ("GET", "/no-such-path")):
        response = requests.request(method, f"{server.url}{path}", json={}, timeout=10)
        assert response.status_code == 401, path
        assert response.json()["code"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_security_headers_over_http(server):
    response = requests.get(f"{server.url}/api/v1/document-types", headers=server.headers(), timeout=10)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http on loopback
    https = requests.get(f"{server.url}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert "Strict-Transport-Security" not in https.headers  # PROXY_FIX is off: the header is not trusted
