"""The ``lnp`` console script, run as a real process."""

import json
import subprocess

import pytest

from service.registry import DOCUMENT_TYPES, EXAMPLES_DIR
from tests.conftest import LNP, TYPE_IDS, lnp
from tests.docxtext import all_text
from tests.expectations import shown_values


def run(*args, stdin=None):
    return lnp(*args, stdin=stdin, check=False)


@pytest.mark.parametrize("type_id", [t for t in TYPE_IDS if DOCUMENT_TYPES[t].letters is None])  # letters: test_invitation
def test_render_from_file(tmp_path, type_id):
    out = tmp_path / "doc.docx"
    result = run("render", type_id, str(EXAMPLES_DIR / "fi" / f"{type_id}.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    payload = json.loads((EXAMPLES_DIR / "fi" / f"{type_id}.json").read_text(encoding="utf-8"))
    text = all_text(out.read_bytes())
    assert all(value in text for _, value in shown_values(DOCUMENT_TYPES[type_id].fields, payload))


def test_render_from_stdin_uses_the_safe_file_name(tmp_path):
    data = (EXAMPLES_DIR / "fi" / "summary.json").read_bytes()
    result = subprocess.run([LNP, "render", "summary", "-"], input=data, capture_output=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert [p.name for p in tmp_path.iterdir()] == ["yhteenveto_LNP-2026-0042.docx"]


def test_render_reports_every_invalid_field_in_finnish(tmp_path):
    payload = json.loads((EXAMPLES_DIR / "fi" / "questions.json").read_text(encoding="utf-8"))
    del payload["author"]["surname"]
    payload["case_questions"] = []
    result = run("render", "questions", "-", "-o", str(tmp_path / "x.docx"), stdin=json.dumps(payload).encode())
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "author.surname (Sukunimi): Pakollinen tieto puuttuu." in err
    assert "case_questions" in err
    assert not (tmp_path / "x.docx").exists()


def test_render_refuses_broken_json(tmp_path):
    result = run("render", "summary", "-", "-o", str(tmp_path / "x.docx"), stdin=b"{nope")
    assert result.returncode == 2
    assert "JSON" in result.stderr.decode()


def test_check_templates():
    result = run("check-templates")
    assert result.returncode == 0, result.stdout.decode()
    out = result.stdout.decode()
    for type_id in TYPE_IDS:
        for lang in ("fi", "sv", "en"):  # every type in every language
            assert f"{type_id}/{lang}: {lang}/{type_id}.docx (versio 0): kunnossa; esimerkkitapaus täyttyy" in out
    assert "varoitus" not in out


def test_the_user_and_token_commands_speak_the_ui_language():
    added = lnp("--ui-language", "sv", "users", "add", "svenska-anvandare", "--role", "worker")
    assert "Användaren svenska-anvandare (worker) skapades" in added.stderr.decode()
    listed = lnp("--ui-language", "en", "users", "list").stdout.decode()
    assert "created " in listed and "(one-time password not changed)" in listed
    created = lnp("--ui-language", "en", "tokens", "create", "--name", "english-token", "--role", "worker")
    assert "valid until" in created.stderr.decode()
    token_id = created.stdout.decode().strip().split("_")[1]
    revoked = lnp("--ui-language", "sv", "tokens", "revoke", token_id)
    assert f"Nyckeln {token_id} återkallades" in revoked.stderr.decode()
    removed = lnp("--ui-language", "sv", "users", "remove", "svenska-anvandare")
    assert "togs bort" in removed.stderr.decode()
