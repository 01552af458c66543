"""No client input produces a 500: every leaf of every example replaced by hostile values."""

import logging

import pytest

from tests.conftest import LOG_COLLECTOR, TYPE_IDS, post_json

HOSTILE = [None, 0, -1, 1.5, "", " ", [], {}, True, "x" * 5000, "\u0000", "1e309", {"$ref": "#"}]


def leaves(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from leaves(value, path + (index,))
    else:
        yield path


def replaced(data, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: replaced(data[head], rest, value)}
    copy = list(data)
    copy[head] = replaced(copy[head], rest, value)
    return copy


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_hostile_values_never_give_a_500(client, example, type_id):
    payload = example(type_id)
    statuses = {}
    for path in leaves(payload):
        for value in HOSTILE:
            response = post_json(client, type_id, replaced(payload, path, value))
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code in (200, 422), (path, type(value).__name__, response.status_code)
    assert statuses.get(422, 0) > 0


def test_deeply_nested_json_is_a_400_not_a_crash(client):
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/api/v1/documents/summary", data=body, content_type="application/json")
    assert response.status_code in (400, 413)


def test_request_log_line_has_technical_facts_only(client, example):
    before = len(LOG_COLLECTOR.lines)
    post_json(client, "summary", example("summary"))
    lines = LOG_COLLECTOR.lines[before:]
    assert any("path=/api/v1/documents/<type_id>" in line and "status=200" in line and "type=summary" in line
               for line in lines), lines
    assert logging.getLogger("lnp").isEnabledFor(logging.INFO)


@pytest.mark.parametrize("path", ["/api/v1/documents/summary", "/api/v1/cases/status",
                                  "/api/v1/templates/summary/versions/0/preview"])
def test_a_json_key_that_is_a_lone_surrogate_is_a_400_not_a_500(app, path):
    from tests.conftest import client_with_token

    client = client_with_token(app, "convener")
    response = client.post(path, data=b'{"\\ud800": 1}', content_type="application/json")
    assert response.status_code == 400
    assert "UTF-16" in response.get_json()["message"]
