"""The invitation letters: one letter per invitee, each from its own data only, in its recipient's
language, as one .docx / .pdf or a zip; the child's letter; what a letter must never contain
(domain spec §4.6, §7.3-4, §7.3-6, §8)."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from service.cases.compose import case_schema, document_payload
from service.fieldtree import tree
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES, EXAMPLES_DIR
from service.wordtemplates.store import TemplateStore
from tests.conftest import cli_auditor, lnp, load_example, post_json
from tests.docxtext import all_text

INVITATION = DOCUMENT_TYPES["invitation"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TITLES = {"fi": "Kutsu läheisneuvonpitoon", "sv": "Inbjudan till familjerådslag",
          "en": "Invitation to a family group conference"}
CHILD_TITLES = {"fi": "Kutsu sinulle", "sv": "En inbjudan till dig", "en": "An invitation for you"}


def invitee(number: int, language: str = "fi", **extra) -> dict:
    return {"name": f"Kutsuttava{number:02d} Testinen", "email": f"kutsuttava{number:02d}@example.com",
            "language": language, **extra}


def mailing(count: int, language: str = "fi", **extra) -> dict:
    payload = load_example("invitation", language)
    payload.pop("members")
    payload["invitees"] = [invitee(n, language) for n in range(1, count + 1)]
    payload.update(extra)
    return payload


def make(payload: dict, bundle: str | None = None, output_format: str = "docx"):
    return produce(TemplateStore(), INVITATION, payload, output_format=output_format, audit=cli_auditor(),
                   bundle=bundle)


def letters_of(zip_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def in_order(letters: dict[str, bytes]) -> list[bytes]:
    """The letters by their running number (the file names' stems are in each letter's language)."""
    return [docx for _name, docx in sorted(letters.items(), key=lambda item: item[0].rsplit("_", 1)[1])]


def every_part_text(docx: bytes) -> str:
    """Every XML part of the package as text (body, headers, footers, properties, relationships)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                         if name.endswith((".xml", ".rels")))


# --- one letter per invitee ----------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 2, 30])
def test_a_zip_holds_a_letter_per_invitee_named_by_number_only(count):
    document = make(mailing(count), bundle="zip")
    assert document.file_name == "kutsukirjeet_LNP-2026-0042.zip" and document.mimetype == "application/zip"
    letters = letters_of(document.content)
    assert sorted(letters) == [f"kutsukirje_LNP-2026-0042_{n:02d}.docx" for n in range(1, count + 1)]
    for n in range(1, count + 1):
        text = all_text(letters[f"kutsukirje_LNP-2026-0042_{n:02d}.docx"])
        assert f"Kutsuttava{n:02d} Testinen" in text and f"kutsuttava{n:02d}@example.com" in text
        assert TITLES["fi"] in text
        others = [m for m in re.findall(r"Kutsuttava(\d\d)", text) if int(m) != n]
        assert not others, f"letter {n} names other invitees: {others}"


@pytest.mark.parametrize("count", [1, 2, 30])
def test_one_docx_holds_every_letter_on_pages_of_its_own(count):
    document = make(mailing(count))
    assert document.file_name == "kutsukirjeet_LNP-2026-0042.docx"
    doc = Document(io.BytesIO(document.content))
    assert len(doc.sections) == count  # a section per letter: a new page, its own header, pages from 1
    text = all_text(document.content)
    assert [int(m) for m in re.findall(r"Hei Kutsuttava(\d\d) Testinen!", text)] == list(range(1, count + 1))
    if count > 1:
        for section in doc.sections:
            assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
        footers = "".join(p.blob.decode() for p in doc.part.package.parts if "footer" in str(p.partname))
        assert "NUMPAGES" not in footers and "SECTIONPAGES" in footers  # "Sivu 1 / 1" in every letter
        # Letters of one template share one header and one footer part.
        assert sum(1 for p in doc.part.package.parts if "/header" in str(p.partname)) == 1


def test_each_letter_in_its_recipients_language():
    payload = mailing(1)
    payload["invitees"] = [invitee(1, "sv"), invitee(2, "en"), invitee(3, "ar"), invitee(4, "fi")]
    letters = letters_of(make(payload, bundle="zip").content)
    assert sorted(letters) == ["inbjudan_LNP-2026-0042_01.docx", "invitation_LNP-2026-0042_02.docx",
                               "kutsukirje_LNP-2026-0042_03.docx", "kutsukirje_LNP-2026-0042_04.docx"]
    assert TITLES["sv"] in all_text(letters["inbjudan_LNP-2026-0042_01.docx"])
    english = all_text(letters["invitation_LNP-2026-0042_02.docx"])
    assert TITLES["en"] in english and "Dear Kutsuttava02 Testinen," in english and "Hei " not in english
    assert "CONFIDENTIAL" in english and "SALASSA" not in english
    assert TITLES["fi"] in all_text(letters["kutsukirje_LNP-2026-0042_03.docx"])  # Arabic: the document's language
    single = make(payload)  # one file: each letter keeps its own language's header
    text = all_text(single.content)
    assert all(title in text for title in TITLES.values())
    assert "SEKRETESSBELAGD" in text and "CONFIDENTIAL" in text and "SALASSA PIDETTÄVÄ" in text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_language_renders_its_example(language):
    payload = load_example("invitation", language)
    letters = INVITATION.letters(INVITATION.schema().load(payload))
    content = letters_of(make(payload, bundle="zip").content)
    assert len(content) == len(letters) == 7
    for letter, docx in zip(letters, in_order(content)):
        text = all_text(docx)
        assert letter["recipient"]["name"] in text
        title = CHILD_TITLES if letter["recipient"]["is_child"] else TITLES
        assert title[letter["language"]] in text
        assert payload["venue"] in text and payload["coordinator"]["work_phone"] in text
        assert payload["sender_address"]["street"] in text
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)  # no ISO dates


def test_a_childs_letter_is_the_child_friendly_one():
    payload = mailing(2)
    payload["invitees"][1]["is_child"] = True
    letters = letters_of(make(payload, bundle="zip").content)
    adult, child = (all_text(letters[f"kutsukirje_LNP-2026-0042_0{n}.docx"]) for n in (1, 2))
    assert TITLES["fi"] in adult and CHILD_TITLES["fi"] not in adult
    assert CHILD_TITLES["fi"] in child and TITLES["fi"] not in child and "Milloin?" in child
    sizes = {run.font.size.pt for p in Document(io.BytesIO(letters["kutsukirje_LNP-2026-0042_02.docx"])).paragraphs
             for run in p.runs if run.font.size is not None}
    assert 14 in sizes  # larger type


def test_a_follow_up_meeting_letter():
    text = all_text(make(mailing(1, meeting_type="follow_up")).content)
    assert "Kutsu seurantakokoukseen" in text and "Seurantakokouksessa katsotaan" in text
    assert TITLES["fi"] not in text


# Why the recipient is invited to the follow-up meeting: the child in the singular, the children
# in the plural.
IMPORTANT_TO = {"fi": ("koska olet lapselle tärkeä.", "koska olet lapsille tärkeä."),
                "sv": ("eftersom du är viktig för barnet.", "eftersom du är viktig för barnen."),
                "en": ("because you are important to the child.", "because you are important to the children.")}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_follow_up_letter_speaks_of_one_child_or_of_the_children(language):
    one, many = IMPORTANT_TO[language]
    payload = mailing(1, language, meeting_type="follow_up")
    payload["children"] = copy.deepcopy(TWO_CHILDREN)
    text = all_text(make(payload).content)
    assert many in text and one not in text
    payload["children"] = payload["children"][:1]
    text = all_text(make(payload).content)
    assert one in text and many not in text


def test_the_recipients_come_from_the_network_map_when_invited():
    payload = load_example("invitation")
    payload.pop("invitees")
    invited = [m["name"] for m in payload["members"] if m["invite_decision"] == "invited"]
    letters = letters_of(make(payload, bundle="zip").content)
    assert len(letters) == len(invited) == 6
    texts = [all_text(docx) for docx in in_order(letters)]
    assert [name for name, text in zip(invited, texts) if name in text] == invited
    for member in payload["members"]:
        if member["invite_decision"] != "invited":
            assert not any(member["name"] in text for text in texts)


def test_no_invitee_is_an_error():
    payload = mailing(1)
    payload["invitees"] = []
    for member in payload.setdefault("members", load_example("network-map")["members"]):
        if member["invite_decision"] == "invited":
            member["invite_decision"] = "considering"
    with pytest.raises(Exception) as caught:
        make(payload)
    assert caught.value.status == 422 and caught.value.errors[0]["path"] == "invitees"


def test_a_protected_invitee_gets_a_letter_without_their_address():
    payload = mailing(2)
    payload["invitees"][0].update(non_disclosure=True, email="suojattu@example.com",
                                  postal_address={"street": "Suojatunkatu 1", "postal_code": "00100",
                                                  "post_office": "Helsinki"})
    letters = letters_of(make(payload, bundle="zip").content)
    for docx in letters.values():
        raw = every_part_text(docx)
        assert "suojattu@example.com" not in raw and "Suojatunkatu" not in raw
    assert "Kutsuttava01 Testinen" in all_text(letters["kutsukirje_LNP-2026-0042_01.docx"])


# --- what a letter must never contain ------------------------------------------------------------

class Sentinels:
    """Unique values put into a case: free text, e-mails and phones, each findable in a document."""

    def __init__(self):
        self.count = 0
        self.values: dict[str, str] = {}  # value -> where it was put

    def next(self, kind: str, where: str) -> str:
        self.count += 1
        value = {"email": f"sentinel{self.count:03d}@sentinel.example",
                 "tel": f"+358 40 555 {self.count:04d}"}.get(kind, f"Sentinel{self.count:03d}x")
        self.values[value] = where
        return value


def _fill(node, data, path: str, sentinels: Sentinels, keep) -> object:
    """Every free text, e-mail and phone of ``data`` replaced by a sentinel, except where ``keep``."""
    if keep(path):
        return data
    if node.kind == "object" and isinstance(data, dict):
        return {k: _fill(node.children[k], v, f"{path}.{k}" if path else k, sentinels, keep) for k, v in data.items()}
    if node.kind == "list" and isinstance(data, list):
        return [_fill(node.each, v, f"{path}[{i}]", sentinels, keep) for i, v in enumerate(data)]
    if node.kind == "str" and isinstance(data, str) and not node.choices \
            and node.widget in (None, "textarea", "email", "tel") and not path.endswith(("postal_code", "country")):
        return sentinels.next(node.widget or "text", path)
    return data


def shown_of(recipient: dict) -> set[str]:
    """What a letter may show of its own recipient: the name, the e-mail and the postal address."""
    return {recipient["name"], recipient.get("email"), *(recipient.get("postal_address") or {}).values()} - {None}


def test_a_letter_holds_nothing_of_the_case_but_the_meeting_and_its_own_recipient():
    """Every other field of the case (the identity codes, the reasons for the child-welfare
    involvement, the whole summary, the network map, every other invitee) carries a sentinel; no
    letter shows any sentinel but its own recipient's name, e-mail and street."""
    case = json.loads((EXAMPLES_DIR / "fi" / "case.json").read_text(encoding="utf-8"))
    case["documents"]["invitation"]["invitees"] = [invitee(1, "sv"), invitee(2, "en")]
    sentinels = Sentinels()

    def keep(path: str) -> bool:
        # What the letters are made of: the convener's work details, the children's first names and
        # the invitation's own fields (its invitees excepted: they get sentinels like everyone).
        return path in ("case_ref", "language", "people.convener") or path.endswith(".id") or re.fullmatch(
            r"people\.children\[\d+\]\.(calling_name|given_names|birth_date|hetu)", path) is not None or re.fullmatch(
            r"people\.guardians\[\d+\]\.children", path) is not None or (
            path.startswith("documents.invitation.") and not path.startswith("documents.invitation.invitees"))

    for guardian in case["people"]["guardians"]:
        guardian.pop("calling_name", None)  # must be one of the given names, which become sentinels
    root = tree(case_schema())
    case = _fill(root, case, "", sentinels, keep)
    # The plan answers the questions document in its words: its questions and bottom lines are
    # the questions document's sentinels.
    questions, plan = case["documents"]["questions"], case["documents"]["family-plan"]
    for name in ("case_questions", "must_include", "not_acceptable"):
        if name in plan:
            plan[name] = copy.deepcopy(questions.get(name))
    for answer, asked in zip(plan["answers"], questions["case_questions"]):
        answer["question"] = asked["text"]
    bottom_lines = (questions.get("must_include") or []) + (questions.get("not_acceptable") or [])
    for check, line in zip(plan.get("bottom_lines_check") or [], bottom_lines):
        check["bottom_line"] = line
    case_schema()().load(case)  # still a valid case
    identity_codes = [c["hetu"] for c in case["people"]["children"] if c.get("hetu")]
    assert identity_codes and sentinels.count > 150

    payload = document_payload(case, INVITATION)
    recipients = payload["invitees"] + [m for m in payload["members"] if m["invite_decision"] == "invited"]
    letters = letters_of(make(payload, bundle="zip").content)
    assert len(letters) == len(recipients) == 8
    assert all(r["name"].startswith("Sentinel") for r in recipients)
    for (name, docx), recipient in zip(sorted(letters.items(), key=lambda item: item[0].rsplit("_", 1)[1]),
                                       recipients):
        raw = every_part_text(docx)
        own = shown_of(recipient)
        found = {value: where for value, where in sentinels.values.items() if value in raw and value not in own}
        assert not found, f"{name} shows what it must not: {found}"
        assert recipient["name"] in raw
        assert not any(code in raw for code in identity_codes)
        # The whole of the summary, the mandate's reasons and the safety notes are sentinels; so is
        # every guardian's and worker's contact, and the social worker's.
    single = every_part_text(make(payload).content)  # the one-file bundle: only the recipients
    allowed = {value for r in recipients for value in shown_of(r)}
    assert not {value for value in sentinels.values if value in single and value not in allowed}


# --- through the API, the command line and LibreOffice --------------------------------------------

def test_the_api_makes_a_zip_or_one_file_and_refuses_a_wrong_bundle(client):
    payload = mailing(3)
    response = post_json(client, "invitation", payload, query_string={"bundle": "zip"})
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Disposition"] == 'attachment; filename="kutsukirjeet_LNP-2026-0042.zip"'
    assert len(letters_of(response.data)) == 3
    response = post_json(client, "invitation", payload)
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert post_json(client, "invitation", payload, query_string={"bundle": "all"}).status_code == 400
    refused = post_json(client, "summary", load_example("summary"), query_string={"bundle": "zip"})
    assert refused.status_code == 400 and "bundle" in refused.get_json()["message"]


def test_the_command_line_writes_a_zip(tmp_path):
    out = tmp_path / "kutsut.zip"
    result = lnp("render", "invitation", str(EXAMPLES_DIR / "fi" / "invitation.json"), "-o", str(out), check=False)
    assert result.returncode == 0, result.stderr.decode()
    names = sorted(letters_of(out.read_bytes()))
    assert names == ["inbjudan_LNP-2026-0042_07.docx"] + [f"kutsukirje_LNP-2026-0042_{n:02d}.docx" for n in range(1, 7)]


def test_every_letter_of_a_zip_opens_in_libreoffice(tmp_path):
    assert SOFFICE, "LibreOffice (soffice) is required: run `make system-deps`"
    payload = mailing(3)
    payload["invitees"][1]["language"] = "sv"
    payload["invitees"][2].update(is_child=True, language="en")
    letters = letters_of(make(payload, bundle="zip").content)
    for name, docx in letters.items():
        (tmp_path / name).write_bytes(docx)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *[str(tmp_path / n) for n in letters]],
                   check=True, capture_output=True, timeout=300)
    for name in letters:
        pdf = PdfReader(str(tmp_path / name.replace(".docx", ".pdf")))
        assert 1 <= len(pdf.pages) <= 2
        text = "".join(page.extract_text() for page in pdf.pages)
        assert "Testinen" in text and "LNP-2026-0042" in text


def test_thirty_letters_as_one_pdf(client):
    """One PDF of 30 letters from the warm LibreOffice pool: each letter on pages of its own,
    numbered from 1."""
    response = post_json(client, "invitation", mailing(30), query_string={"format": "pdf"})
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Disposition"] == 'attachment; filename="kutsukirjeet_LNP-2026-0042.pdf"'
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]
    starts = [i for i, text in enumerate(pages) if "Hei Kutsuttava" in text]
    assert len(starts) == 30
    for number, start in enumerate(starts, start=1):
        assert f"Kutsuttava{number:02d} Testinen" in pages[start] and "Sivu 1 /" in pages[start]


def test_the_letter_template_sees_one_recipient_only():
    """The letter's field tree has a recipient and no list of invitees or members: a template
    cannot print another invitee, and the checker refuses a tag that tries."""
    paths = {path for path, _node in INVITATION.template_fields.walk()}
    assert any(p.startswith("recipient.") for p in paths)
    assert not any(p.startswith(("invitees", "members")) for p in paths)
    assert not any("hetu" in p or "phone" in p and not p.startswith("coordinator.") for p in paths)
    from service.wordtemplates.checker import check

    doc = Document(io.BytesIO((INVITATION_TEMPLATE := (EXAMPLES_DIR.parent / "templates_docx" / "fi" /
                                                        "invitation.docx")).read_bytes()))
    doc.add_paragraph("{% for m in members %}{{ m.name }}{% endfor %}")
    out = io.BytesIO()
    doc.save(out)
    report = check(out.getvalue(), INVITATION)
    assert not report.ok and any("members" in f.message for f in report.findings)
    assert check(INVITATION_TEMPLATE.read_bytes(), INVITATION).ok


def test_a_letter_never_comes_from_a_home_address():
    """The sender is the convener's unit; the letters have no field for anyone's home address
    but the recipient's own."""
    payload = copy.deepcopy(mailing(1))
    text = all_text(make(payload).content)
    assert payload["sender_address"]["street"] in text and payload["coordinator"]["unit"] in text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_letters_of_the_first_ones_template_are_merged_from_their_body_alone(monkeypatch, language):
    """A letter made with the first letter's template is merged by reading its body only; the file
    is byte for byte the one made by opening every letter's whole package."""
    from service.rendering import merge as merging
    from service.rendering.docx_template import render
    from service.validation import validate

    letters_type = DOCUMENT_TYPES["invitation"]
    store = TemplateStore()
    letters = letters_type.letters(validate(letters_type, load_example("invitation", language)))
    documents = [render(store.get(letters_type, letter["language"]), letters_type.context(letter))
                 for letter in letters]
    shared = merging._shared_parts(documents[0])
    read_alone = [merging._own_body(document, shared) is not None for document in documents[1:]]
    same_language = [letter["language"] == letters[0]["language"] for letter in letters[1:]]
    assert read_alone == same_language and any(read_alone)
    fast = merging.merge(documents)
    monkeypatch.setattr(merging, "_own_body", lambda _data, _shared: None)
    whole = merging.merge(documents)
    fast_parts, whole_parts = zipfile.ZipFile(io.BytesIO(fast)), zipfile.ZipFile(io.BytesIO(whole))
    assert fast_parts.namelist() == whole_parts.namelist()
    assert [name for name in fast_parts.namelist() if fast_parts.read(name) != whole_parts.read(name)] == []


def test_one_person_invited_twice_is_refused_not_sent_two_letters(client):
    """Kristina is on the map as invited and is also added as an invitee: she would get two
    letters. The request is refused, naming the second entry, in the caller's language."""
    payload = load_example("invitation")
    payload["invitees"].append({"name": "kristina  lindberg", "email": "kristina@example.com", "language": "sv"})
    response = post_json(client, "invitation", payload, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["path"] == "members[5].name"
    assert "Kristina Lindberg would get two letters" in error["message"]
    payload["members"][5]["invite_decision"] = "considering"  # invited once: fine
    assert post_json(client, "invitation", payload).status_code == 200


# --- the wording of a letter ------------------------------------------------------------------------

# How a letter names the children: after a noun in the right case, so a name needs no case ending
# (Finnish cannot inflect a name automatically: "miten Elle ja Iisak arki" is wrong).
TWO_CHILDREN = [{"first_name": "Elle", "birth_date": "2013-03-07"}, {"first_name": "Iisak", "birth_date": "2016-05-01"}]
CHILDREN_NAMED = {
    "fi": ("miten lasten arki sujuu hyvin", "Suunnitelma tehdään lapsille Elle ja Iisak.",
           "miten lapsen arki sujuu hyvin", "Suunnitelma tehdään lapselle Elle."),
    "sv": ("fungera för barnen och", "Planen gäller barnen Elle och Iisak.",
           "fungera för barnet och", "Planen gäller barnet Elle."),
    "en": ("go well for the children and", "The plan is about the children, Elle and Iisak.",
           "go well for the child and", "The plan is about the child, Elle."),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_letter_names_the_children_where_no_case_ending_is_needed(language):
    payload = mailing(1, language)
    payload["children"] = copy.deepcopy(TWO_CHILDREN)
    many_arki, many_named, one_arki, one_named = CHILDREN_NAMED[language]
    text = all_text(make(payload).content)
    assert many_arki in text and many_named in text
    assert "Iisak arki" not in text
    payload["children"] = payload["children"][:1]
    text = all_text(make(payload).content)
    assert one_arki in text and one_named in text


# The answer's last day, after "viimeistään" / "senast" / "by": a date without a weekday (a
# weekday there would need the essive in Finnish: "torstaina").
REPLY_BY = {"fi": "Kerro viimeistään 31.12.2026, pääsetkö mukaan:",
            "sv": "Meddela senast 31.12.2026 om du kan komma:",
            "en": "Please let me know by 31 December 2026 whether you can come:"}
WEEKDAYS = {"fi": "torstai", "sv": "torsdag", "en": "thursday"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_reply_date_reads_grammatically(language):
    text = all_text(make(mailing(1, language, rsvp_by="2026-12-31", meeting_date="2027-01-12")).content)
    assert REPLY_BY[language] in text
    assert WEEKDAYS[language] not in text.casefold()


CHILD_LETTER = {
    "fi": ("Siellä sinulle ja perheellesi tärkeät ihmiset miettivät yhdessä, miten arkenne sujuisi hyvin. "
           "Sinun ajatuksesi ovat tärkeitä.", "yksi heistä"),
    "sv": ("Där funderar personer som är viktiga för dig och din familj tillsammans på hur vardagen kan bli bra "
           "för er. Det du tycker är viktigt.", "en av dem"),
    "en": ("There, people who are important to you and your family think together about how everyday life can "
           "go well for you all. What you think matters.", "one of them"),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_childs_letter_speaks_to_the_child_without_listing_them_among_the_children(language):
    payload = mailing(1, language)
    payload["children"] = copy.deepcopy(TWO_CHILDREN)
    payload["invitees"] = [invitee(1, language, is_child=True, name="Elle")]
    text = all_text(make(payload).content)
    sentence, awkward = CHILD_LETTER[language]
    assert CHILD_TITLES[language] in text and sentence in text
    assert awkward not in text and "Iisak" not in text


def test_a_member_whose_name_fails_its_own_check_is_a_422_not_a_crash(client):
    """The check for one person invited twice reads only names that passed their own check."""
    payload = load_example("invitation")
    payload["members"] += [dict(payload["members"][0], name=0), dict(payload["members"][0], name="")]
    response = post_json(client, "invitation", payload)
    assert response.status_code == 422
    paths = {error["path"] for error in response.get_json()["errors"]}
    assert {"members[9].name", "members[10].name"} <= paths
