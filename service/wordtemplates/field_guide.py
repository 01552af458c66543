"""The field catalogue (kenttäopas) for template editors, generated from the schema.

Every variable path a template may use, its kind, whether it is required, the label and help
text of the schema, an example value from the type's example case, and the filters: all in the
reader's language (``schemas.i18n.current()``: the page's language, ``Accept-Language`` for the
API, ``--kieli`` for ``lnp fields``), with that language's example case and formats.
As data (for the API and web page) and as a .docx a convener keeps open beside Word.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from schemas.fields import Choices
from schemas.i18n import Msg, current, gettext
from service.fieldtree import Node
from service.registry import CONTEXT_EXTRAS, DocumentType
from service.rendering import formatting

KINDS = {
    "object": Msg("ryhmä"),
    "list": Msg("luettelo (toista: {%p for x in … %} tai {%tr for x in … %})"),
    "str": Msg("teksti"),
    "date": Msg("päivämäärä"),
    "bool": Msg("kyllä/ei"),
    "int": Msg("kokonaisluku"),
    "picture": Msg("kuva (omaan kappaleeseensa: {{ diagram }})"),
}

FILTER_HELP = {
    "date": Msg("Päivämäärä asiakirjan kielen mukaan (fi ja sv 25.1.2022, en 25 January 2022)."),
    "date_long": Msg("Päivämäärä viikonpäivän ja kuukauden nimen kanssa."),
    "date_range": Msg("Aikaväli (alkaen–päättyen) tiiviisti."),
    "time": Msg("Kellonaika asiakirjan kielen mukaan (klo 9.00, kl. 9.00, 9:00)."),
    "time_range": Msg("Alkamis- ja päättymisaika (klo 9.00–13.00, kl. 9.00–13.00, 9:00–13:00)."),
    "full_name": Msg("Henkilön kaikki etunimet ja sukunimi."),
    "calling_name": Msg("Kutsumanimi (tai ensimmäinen etunimi) ja sukunimi."),
    "address": Msg("Postiosoite yhdellä rivillä."),
    "label": Msg("Valintalistan koodin selite asiakirjan kielellä."),
    "language_name": Msg("Kielikoodin nimi asiakirjan kielellä."),
    "age": Msg("Ikä täysinä vuosina annettuna päivänä."),
    "yes_no": Msg("Totuusarvo sanoina asiakirjan kielellä (kyllä/ei, ja/nej, yes/no)."),
}

SYNTAX = [
    ("{{ case_ref }}", Msg("Tulostaa kentän arvon.")),
    ("{{ document_date|date }}", Msg("Tulostaa arvon suodattimen kautta (ks. suodattimet).")),
    ("{%p if coordinator %} … {%p endif %}", Msg("Kappaleet näkyvät vain, jos tieto on annettu. Tagit omissa kappaleissaan.")),
    ("{%p for c in children %} … {%p endfor %}", Msg("Toistaa kappaleet jokaiselle luettelon alkiolle.")),
    ("{%tr for s in services %} … {%tr endfor %}", Msg("Toistaa taulukon rivin jokaiselle alkiolle. Tagit omilla riveillään.")),
    ("{{ doc.rendition }}", Msg("family = perheen ja työntekijöiden kappale, network = läheisille annettava kappale.")),
]


def _example_values(node: Node, data, path: str, out: dict) -> None:
    if data is None:
        return
    if node.kind == "object" and isinstance(data, dict):
        for name, child in node.children.items():
            if name in data:
                _example_values(child, data[name], f"{path}.{name}" if path else name, out)
    elif node.kind == "list" and isinstance(data, list):
        if data:
            _example_values(node.each, data[0], f"{path}[]", out)
    else:
        out.setdefault(path, data)


def entries(doc_type: DocumentType) -> list[dict]:
    lang = current()
    examples: dict = {}
    _example_values(doc_type.template_fields, doc_type.template_example(lang), "", examples)
    rows: list[dict] = []

    def visit(node: Node, path: str, parent_required: bool):
        for name, child in node.children.items():
            child_path = f"{path}.{name}" if path else name
            required = child.required and parent_required
            row = {
                "path": child_path,
                "kind": gettext(KINDS[child.kind]),
                "required": required,
                "label": gettext(child.label),
                "description": gettext(child.help),
                "example": _printable(examples.get(child_path)),
            }
            if child.kind == "date" and examples.get(child_path):
                row["example"] = Msg("{value} (tulostuu {printed})").format(
                    value=examples[child_path], printed=formatting.date(examples[child_path], lang))
            if child.choices:
                labels = {code: gettext(text, lang) for code, text in Choices.registry[child.choices].labels.items()}
                row["choices"] = labels
                code = examples.get(child_path)
                row["example"] = f"{code} (|label → {labels[code]})" if code in labels else row["example"]
            rows.append(row)
            if child.kind == "object":
                visit(child, child_path, required)
            elif child.kind == "list":
                item = child.each
                if item.kind == "object":
                    visit(item, f"{child_path}[]", required)
                else:
                    rows.append({"path": f"{child_path}[]", "kind": gettext(KINDS[item.kind]), "required": required,
                                 "label": Msg("{label}: yksi kohta").format(label=gettext(child.label)),
                                 "description": "",
                                 "example": _printable(examples.get(f"{child_path}[]"))})

    visit(doc_type.template_fields, "", True)
    for name, node in dict(doc_type.extra_names).items():
        rows.append({"path": name, "kind": gettext(KINDS[node.kind]), "required": True, "label": gettext(node.label),
                     "description": gettext(node.help or "Palvelun lisäämä tieto."), "example": ""})
        if node.kind == "list":
            visit(node.each, f"{name}[]", True)
    for name, node in CONTEXT_EXTRAS["doc"].children.items():
        rows.append({"path": f"doc.{name}", "kind": gettext(KINDS[node.kind]), "required": True,
                     "label": gettext(node.label), "description": gettext("Palvelun lisäämä tieto."),
                     "example": {"type": doc_type.id, "title": doc_type.title(lang), "rendition": "family"}[name]})
    return rows


def _printable(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def filters() -> list[dict]:
    """Each filter with what it prints in the reader's language (a template of another language
    prints that language's form)."""
    lang = current()
    rows = []
    for name in formatting.FILTER_EXAMPLES:
        usage, result = formatting.filter_example(name, lang)
        rows.append({"name": name, "usage": usage, "result": result, "description": gettext(FILTER_HELP.get(name, ""))})
    return rows


def as_dict(doc_type: DocumentType) -> dict:
    return {"type": doc_type.id, "label": doc_type.title(), "language": current(), "fields": entries(doc_type),
            "filters": filters(), "syntax": [{"example": e, "description": gettext(d)} for e, d in SYNTAX]}


GUIDE_STEM = Msg("kenttaopas")  # ASCII: a file name


def file_name(doc_type: DocumentType) -> str:
    return f"{gettext(GUIDE_STEM)}_{gettext(doc_type.file_stem)}.docx"


def as_docx(doc_type: DocumentType) -> bytes:
    """Kenttäopas: a landscape Word document with the syntax, the fields and the filters."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(9.5)
    lang = current()
    title = doc_type.title(lang)
    document.core_properties.language = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[lang]
    section.header.paragraphs[0].text = Msg("Kenttäopas – {title} ({type})").format(title=title, type=doc_type.id)

    document.add_heading(Msg("Kenttäopas: {title}").format(title=title), 0)
    document.add_paragraph(gettext(
        "Tässä ovat kaikki tiedot, joita asiakirjapohjassa voi käyttää. Kirjoita tagit Wordissa "
        "tavallisena tekstinä. Tarkista muokattu pohja ennen käyttöönottoa (lnp check-template)."
    ))
    document.add_heading(gettext("Merkintätapa"), 1)
    _table(document, [gettext("Esimerkki"), gettext("Merkitys")], [[e, gettext(d)] for e, d in SYNTAX])
    document.add_heading(gettext("Kentät"), 1)
    yes, no = formatting.YES_NO[lang]
    _table(document, [gettext("Muuttuja"), gettext("Nimi"), gettext("Laji"), gettext("Pakollinen"),
                      gettext("Esimerkkiarvo"), gettext("Ohje")], [
        [r["path"], r["label"], r["kind"].split(" (")[0], yes if r["required"] else no,
         r["example"], r["description"] + (" " + gettext("Arvot:") + " "
                                           + ", ".join(f"{k} = {v}" for k, v in r["choices"].items())
                                           if r.get("choices") else "")]
        for r in entries(doc_type)
    ])
    document.add_heading(gettext("Suodattimet"), 1)
    _table(document, [gettext("Suodatin"), gettext("Käyttö"), gettext("Tulos"), gettext("Kuvaus")],
           [[f["name"], f["usage"], f["result"], f["description"]] for f in filters()])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = str(text)
