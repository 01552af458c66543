import datetime as dt

import pytest
from marshmallow import ValidationError

from schemas.fields import Choices
from service.problems import flatten
from service.registry import DOCUMENT_TYPES
from tests.conftest import TYPE_IDS


def errors_of(type_id, payload):
    doc_type = DOCUMENT_TYPES[type_id]
    with pytest.raises(ValidationError) as info:
        doc_type.schema().load(payload)
    return {e["path"]: e["message"] for e in flatten(info.value.messages, doc_type.fields)}


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_examples_are_valid(type_id, example):
    DOCUMENT_TYPES[type_id].schema().load(example(type_id))


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_unknown_key_is_rejected_at_any_depth(type_id, example):
    payload = example(type_id)
    payload["childern"] = []
    payload["children"][0]["frist_name"] = "x"
    errors = errors_of(type_id, payload)
    assert errors["childern"].startswith("Tuntematon kenttä")
    assert errors["children[0].frist_name"].startswith("Tuntematon kenttä")


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_every_required_field_is_required(type_id, example):
    doc_type = DOCUMENT_TYPES[type_id]
    for name, node in doc_type.fields.children.items():
        if not node.required:
            continue
        payload = example(type_id)
        del payload[name]
        assert errors_of(type_id, payload) == {name: "Pakollinen tieto puuttuu."}, name


def test_nested_paths_name_the_list_index(example):
    payload = example("mandate-agreement")
    payload["children"][1]["birth_date"] = "2016-02-30"
    payload["guardians"][0]["relation_to_child"] = "aunt"
    payload["social_worker"]["work_email"] = "not-an-address"
    errors = errors_of("mandate-agreement", payload)
    assert "todellista päivää" in errors["children[1].birth_date"]
    assert errors["guardians[0].relation_to_child"].startswith("Sallitut arvot: mother")
    assert errors["social_worker.work_email"] == "Sähköpostiosoite ei ole kelvollinen."


@pytest.mark.parametrize("value", [1, "true", "yes", None])
def test_booleans_are_strict(value, example):
    payload = example("mandate-agreement")
    payload["is_acute"] = value
    assert "is_acute" in errors_of("mandate-agreement", payload)


def test_wrong_types(example):
    payload = example("summary")
    payload["strengths"] = "just one string"
    payload["author"] = ["not", "an", "object"]
    payload["version"] = 1.5
    errors = errors_of("summary", payload)
    assert errors["strengths"].startswith("Odotettiin luetteloa")
    assert errors["author"] == "Odotettiin JSON-objektia."
    assert errors["version"] == "Odotettiin kokonaislukua."


@pytest.mark.parametrize("code, message", [
    ("131052-308U", "tarkistusmerkki"),
    ("010516B903Y", "tarkistusmerkki"),
    ("010516G903X", "muoto"),
    (" 010516B903X", "välilyön"),
])
def test_bad_hetu(code, message, example):
    payload = example("mandate-agreement")
    payload["children"][1]["hetu"] = code
    assert message in errors_of("mandate-agreement", payload)["children[1].hetu"]


def test_hetu_must_match_birth_date(example):
    payload = example("mandate-agreement")
    payload["children"][1]["birth_date"] = "2016-05-02"
    assert errors_of("mandate-agreement", payload) == {"children[1].hetu": "Henkilötunnus ja syntymäaika eivät täsmää."}


def test_hetu_only_on_the_file_copy(example):
    payload = example("mandate-agreement")
    payload["file_copy"] = False
    assert "arkistokappaleeseen" in errors_of("mandate-agreement", payload)["children[1].hetu"]


@pytest.mark.parametrize("agreement_date, needs_consent", [("2025-03-06", False), ("2025-03-07", True)])
def test_child_consent_from_twelfth_birthday(agreement_date, needs_consent, example):
    payload = example("mandate-agreement")
    elle = payload["children"][0]
    assert elle["birth_date"] == "2013-03-07"
    del elle["own_consent"]
    payload["document_date"] = agreement_date
    if needs_consent:
        assert "LSL 21" in errors_of("mandate-agreement", payload)["children[0].own_consent"]
        elle["own_consent"] = False
        assert "LSL 21" in errors_of("mandate-agreement", payload)["children[0].own_consent"]
    else:
        DOCUMENT_TYPES["mandate-agreement"].schema().load(payload)


def test_at_least_one_guardian_has_custody(example):
    payload = example("mandate-agreement")
    for guardian in payload["guardians"]:
        guardian["is_guardian"] = False
    assert "huoltaja" in errors_of("mandate-agreement", payload)["guardians"]


@pytest.mark.parametrize("type_id, field", [
    ("mandate-agreement", "themes"), ("questions", "case_questions"),
    ("summary", "strengths"), ("summary", "concerns"), ("follow-up-summary", "questions"),
])
def test_lists_the_spec_requires_to_be_non_empty(type_id, field, example):
    payload = example(type_id)
    payload[field] = []
    assert "Luettelossa on oltava" in errors_of(type_id, payload)[field]


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1f", "\ufffe", "\ud800"])
def test_xml_illegal_characters_are_rejected_not_dropped(char, example):
    payload = example("summary")
    payload["current_situation"] = f"ennen{char}jälkeen"
    assert "Word-asiakirjaan" in errors_of("summary", payload)["current_situation"]


def test_line_breaks_only_in_long_texts(example):
    payload = example("summary")
    payload["author"]["surname"] = "Lehto\nnen"
    payload["current_situation"] = "rivi 1\r\nrivi 2"
    errors = errors_of("summary", payload)
    assert list(errors) == ["author.surname"]


def test_length_caps(example):
    payload = example("summary")
    payload["current_situation"] = "x" * 4001
    payload["strengths"] = ["ok"] * 31
    errors = errors_of("summary", payload)
    assert "enintään 4000" in errors["current_situation"]
    assert "1–30" in errors["strengths"]


def test_five_standard_questions_prefilled(example):
    payload = example("questions")
    payload.pop("standard_questions", None)
    data = DOCUMENT_TYPES["questions"].schema().load(payload)
    texts = [q["text"] for q in data["standard_questions"]]
    assert texts == [
        "Jos tarvitsette työntekijöiden apua tai tukea, keneltä ja mihin?",
        "Miten suunnitelman toteutumista seurataan?",
        "Mitä tehdään, jos tulee ongelmia?",
        "Kenelle suunnitelma annetaan?",
        "Milloin pidetään seurantakokous ja keitä siihen kutsutaan?",
    ]


def test_standard_questions_must_be_the_five(example):
    payload = example("questions")
    payload["standard_questions"] = [{"key": "monitoring", "text": "Miten?"}] * 5
    assert "viiden" in errors_of("questions", payload)["standard_questions"]


def test_a_null_standard_question_is_an_error_not_a_crash(example):
    payload = example("questions")
    payload["standard_questions"][0] = None
    assert "viiden" in errors_of("questions", payload)["standard_questions"]


def test_case_ref_cannot_hold_an_identity_code(example):
    payload = example("summary")
    payload["case_ref"] = "LNP-010516B903X"
    assert "henkilötunnusta" in errors_of("summary", payload)["case_ref"].lower()
    payload["case_ref"] = "LNP 42/2026"
    assert "vain kirjaimia" in errors_of("summary", payload)["case_ref"]


def test_given_names_and_calling_name(example):
    payload = example("mandate-agreement")
    payload["children"][0]["given_names"] = "Elle Noor Anna Maria Sofia"
    payload["guardians"][0]["calling_name"] = "Amalia"
    errors = errors_of("mandate-agreement", payload)
    assert "enintään neljä" in errors["children[0].given_names"]
    assert "yksi etunimistä" in errors["guardians[0].calling_name"]


def test_future_birth_date(example):
    payload = example("summary")
    payload["children"][0]["birth_date"] = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert "tulevaisuudessa" in errors_of("summary", payload)["children[0].birth_date"]


def test_date_range_order(example):
    payload = example("mandate-agreement")
    payload["target_window"] = {"start": "2026-10-30", "end": "2026-10-19"}
    assert "ennen" in errors_of("mandate-agreement", payload)["target_window.end"]


def test_one_code_one_label():
    labels = {}
    for choices in Choices.registry.values():
        for code, label in choices.labels.items():
            assert labels.setdefault(code, label) == label, code


def _text_leaves(schema, data, path=()):
    """The paths of ``data`` that a free-text field (Text, not the henkilötunnus field) holds."""
    from marshmallow import fields as mfields

    from schemas.fields import HetuField, Text

    for name, value in data.items():
        field = schema.fields.get(name)
        if field is None:
            continue
        inner = field.inner if isinstance(field, mfields.List) else None
        if isinstance(field, mfields.Nested) and isinstance(value, dict):
            yield from _text_leaves(field.schema, value, (*path, name))
        elif isinstance(inner, mfields.Nested) and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield from _text_leaves(inner.schema, item, (*path, name, index))
        elif isinstance(inner, Text) and not isinstance(inner, HetuField) and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str) and not getattr(inner, "choices", None):
                    yield (*path, name, index)
        elif isinstance(field, Text) and not isinstance(field, HetuField) and isinstance(value, str):
            yield (*path, name)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_no_free_text_of_any_document_takes_a_henkilotunnus(type_id, example):
    """Spec §5.4: the code has its own field (the agreement's file copy) and nowhere else: typed
    into a text it would reach a relatives' copy, a letter or the network map."""
    import copy

    from schemas.fields import NO_IDENTITY_CODE

    doc_type = DOCUMENT_TYPES[type_id]
    payload = example(type_id)
    leaves = list(_text_leaves(doc_type.schema(), payload))
    assert len(leaves) > 5
    for leaf in leaves:
        changed = copy.deepcopy(payload)
        holder = changed
        for step in leaf[:-1]:
            holder = holder[step]
        holder[leaf[-1]] = "LNP-131052-308T" if leaf == ("case_ref",) else f"{holder[leaf[-1]]} 131052-308T"
        path = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in leaf).lstrip(".")
        assert errors_of(type_id, changed).get(path) == str(NO_IDENTITY_CODE), (leaf, errors_of(type_id, changed))
