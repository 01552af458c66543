"""schemathesis against the service's own OpenAPI document, over real HTTP (gunicorn).

Bounded: MAX_EXAMPLES generated requests per operation, derandomised so CI runs the same
cases every time. Each response must not be a 5xx and must match the document: status code,
content type, headers and body schema. An admin token is used so that every operation is
reached; who may call what is test_auth.py's job.
"""

from __future__ import annotations

import os
import subprocess

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from service.api.openapi import openapi_document
from service.formats import DOCX_MIMETYPE
from service.instance import INSTANCE_ENV, ensure_secrets
from service.registry import ROOT
from tests.conftest import LNP, running_service

MAX_EXAMPLES = 20
EXAMPLES_RUN: list[str] = []


@pytest.fixture(scope="module")
def own_instance(tmp_path_factory):
    """An instance of its own: the fuzzed template API uploads versions and tries to activate
    them, which must not touch the instance the rest of the suite renders with."""
    folder = tmp_path_factory.mktemp("schemathesis-instance")
    ensure_secrets(folder)
    return {INSTANCE_ENV: str(folder)}


@pytest.fixture(scope="module")
def server(own_instance, tmp_path_factory):
    with running_service(tmp_path_factory.mktemp("schemathesis-server"), own_instance) as running:
        yield running


@pytest.fixture(scope="module")
def admin_token(server, own_instance):
    return subprocess.run([LNP, "tokens", "create", "--name", "schemathesis", "--role", "admin"],
                          env={**os.environ, **own_instance}, capture_output=True, check=True,
                          timeout=120).stdout.decode().strip()


# Template uploads: a real template, an .odt-looking zip, a broken zip and plain bytes.
_TEMPLATE = (ROOT / "templates_docx" / "fi" / "summary.docx").read_bytes()
for _mimetype in (DOCX_MIMETYPE, "application/vnd.oasis.opendocument.text"):
    schemathesis.openapi.media_type(_mimetype, st.sampled_from(
        [_TEMPLATE, _TEMPLATE[: len(_TEMPLATE) // 2], b"PK\x03\x04" + b"\x00" * 40, b"not a template"]))


def _document() -> dict:
    """The document of an app built like the server's (schemathesis' lazy fixture loader does
    not run under pytest 9); the first test proves the server serves exactly this."""
    import tempfile
    from pathlib import Path

    from service import create_app
    from service.instance import ensure_secrets

    folder = Path(tempfile.mkdtemp(prefix="lnp-openapi-"))
    ensure_secrets(folder)
    return openapi_document(create_app({"TESTING": True, "INSTANCE_PATH": str(folder)}))


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_server_serves_this_document(server, admin_token):
    served = requests.get(f"{server.url}/api/v1/openapi.json", headers={"Authorization": f"Bearer {admin_token}"},
                          timeout=10)
    assert served.status_code == 200 and served.json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case, server, admin_token):
    EXAMPLES_RUN.append(f"{case.operation.method.upper()} {case.operation.path}")
    # positive_data_acceptance is left out: the JSON Schema cannot express the cross-field rules
    # (a child of 12 must consent, the network copy needs the family's approval, non-empty
    # texts), so a schema-valid case can rightly be a 422. Every other check runs.
    response = case.call_and_validate(base_url=server.url, headers={"Authorization": f"Bearer {admin_token}"},
                                      excluded_checks=[schemathesis.checks.positive_data_acceptance])
    assert response.status_code < 500


def test_every_operation_got_its_examples():
    # Runs after the parametrised test in file order: the report quotes this count.
    operations = set(EXAMPLES_RUN)
    assert len(operations) == sum(len(ops) for ops in schema.raw_schema["paths"].values())
    assert len(EXAMPLES_RUN) >= len(operations) * 5
    print(f"schemathesis: {len(EXAMPLES_RUN)} requests over {len(operations)} operations")
