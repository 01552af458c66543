import copy
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The whole run, subprocesses included, uses a fresh instance folder: template versions
# uploaded by tests never reach the developer's own instance/.
INSTANCE = Path(tempfile.mkdtemp(prefix="lnp-test-instance-"))
os.environ["LNP_INSTANCE_PATH"] = str(INSTANCE)

from service import create_app
from service.registry import DOCUMENT_TYPES, EXAMPLES_DIR

TYPE_IDS = sorted(DOCUMENT_TYPES)


def load_example(type_id: str) -> dict:
    return json.loads((EXAMPLES_DIR / f"{type_id}.json").read_text(encoding="utf-8"))


@pytest.fixture
def example():
    """A fresh deep copy of a type's example case."""
    return lambda type_id: copy.deepcopy(load_example(type_id))


@pytest.fixture(scope="session")
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def post_json(client, type_id, payload, **kwargs):
    return client.post(f"/api/v1/documents/{type_id}", data=json.dumps(payload), content_type="application/json", **kwargs)


# --- No case data in logs -------------------------------------------------------------------
# Every log record of the whole run is kept and checked at the end against the examples'
# personal data: names, identity codes, contact details and free text.

class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001
            self.lines.append(str(record.msg))


LOG_COLLECTOR = _Collector()
EXTRA_LOG_TEXT: list[str] = []  # stderr of subprocesses (CLI, gunicorn) is added here


def sensitive_strings() -> set[str]:
    from tests.docxtext import string_values

    skip_keys = {"case_ref", "language", "meeting_language", "relation_to_child", "attends", "status",
                 "service_context", "source", "key", "document_date", "birth_date", "start", "end",
                 "client_since", "worker_since", "date", "reviewed_with_family", "organisation", "unit", "title"}
    values = set()
    for type_id in TYPE_IDS:
        for path, value in string_values(load_example(type_id)):
            if path.rsplit(".", 1)[-1].split("[")[0] in skip_keys:
                continue
            # Names, texts and codes have letters; phone numbers have many digits. A bare postal
            # code or house number would match timings and ids by chance.
            if len(value) >= 4 and (any(c.isalpha() for c in value) or sum(c.isdigit() for c in value) >= 7):
                values.add(value)
                values.update(word for word in value.split() if len(word) >= 6 and word[0].isupper())
    return values


@pytest.fixture(scope="session", autouse=True)
def instance_folder():
    yield INSTANCE
    shutil.rmtree(INSTANCE, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def no_case_data_in_logs():
    root = logging.getLogger()
    root.addHandler(LOG_COLLECTOR)
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(LOG_COLLECTOR)
    root.setLevel(previous)
    text = "\n".join(LOG_COLLECTOR.lines + EXTRA_LOG_TEXT)
    leaked = sorted(v for v in sensitive_strings() if v in text)
    assert not leaked, f"case data found in logs: {len(leaked)} values"
