"""The field catalogue (kenttäopas) for template editors, generated from the schema.

Every variable path a template may use, its kind, whether it is required, the Finnish label
and help text of the schema, an example value from the type's example case, and the filters.
As data (for the API and web page) and as a .docx a convener keeps open beside Word.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from schemas.fields import Choices
from . import formatting
from .fieldtree import Node
from .registry import CONTEXT_EXTRAS, DocumentType

KINDS = {
    "object": "ryhmä",
    "list": "luettelo (toista: {%p for x in … %} tai {%tr for x in … %})",
    "str": "teksti",
    "date": "päivämäärä",
    "bool": "kyllä/ei",
    "int": "kokonaisluku",
}

FILTER_HELP = {
    "date": "Päivämäärä suomalaisittain.",
    "date_long": "Päivämäärä viikonpäivän ja kuukauden nimen kanssa.",
    "date_range": "Aikaväli (alkaen–päättyen) tiiviisti.",
    "time": "Kellonaika.",
    "full_name": "Henkilön kaikki etunimet ja sukunimi.",
    "calling_name": "Kutsumanimi (tai ensimmäinen etunimi) ja sukunimi.",
    "address": "Postiosoite yhdellä rivillä.",
    "label": "Valintalistan koodin suomenkielinen selite.",
    "language_name": "Kielikoodin nimi suomeksi.",
    "age": "Ikä täysinä vuosina annettuna päivänä.",
    "yes_no": "Totuusarvo sanoina kyllä/ei.",
}

SYNTAX = [
    ("{{ case_ref }}", "Tulostaa kentän arvon."),
    ("{{ document_date|date }}", "Tulostaa arvon suodattimen kautta (ks. suodattimet)."),
    ("{%p if coordinator %} … {%p endif %}", "Kappaleet näkyvät vain, jos tieto on annettu. Tagit omissa kappaleissaan."),
    ("{%p for c in children %} … {%p endfor %}", "Toistaa kappaleet jokaiselle luettelon alkiolle."),
    ("{%tr for s in services %} … {%tr endfor %}", "Toistaa taulukon rivin jokaiselle alkiolle. Tagit omilla riveillään."),
    ("{{ doc.rendition }}", "family = perheen ja työntekijöiden kappale, network = läheisille annettava kappale."),
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
            _example_values(node.item, data[0], f"{path}[]", out)
    else:
        out.setdefault(path, data)


def entries(doc_type: DocumentType) -> list[dict]:
    examples: dict = {}
    _example_values(doc_type.fields, doc_type.example(), "", examples)
    rows: list[dict] = []

    def visit(node: Node, path: str, parent_required: bool):
        for name, child in node.children.items():
            child_path = f"{path}.{name}" if path else name
            required = child.required and parent_required
            row = {
                "path": child_path,
                "kind": KINDS[child.kind],
                "required": required,
                "label": child.label,
                "description": child.help,
                "example": _printable(examples.get(child_path)),
            }
            if child.kind == "date" and examples.get(child_path):
                row["example"] = f"{examples[child_path]} (tulostuu {formatting.date(examples[child_path])})"
            if child.choices:
                labels = Choices.registry[child.choices].labels
                row["choices"] = dict(labels)
                code = examples.get(child_path)
                row["example"] = f"{code} (|label → {labels[code]})" if code in labels else row["example"]
            rows.append(row)
            if child.kind == "object":
                visit(child, child_path, required)
            elif child.kind == "list":
                item = child.item
                if item.kind == "object":
                    visit(item, f"{child_path}[]", required)
                else:
                    rows.append({"path": f"{child_path}[]", "kind": KINDS[item.kind], "required": required,
                                 "label": f"{child.label}: yksi kohta", "description": "",
                                 "example": _printable(examples.get(f"{child_path}[]"))})

    visit(doc_type.fields, "", True)
    for name, node in CONTEXT_EXTRAS["doc"].children.items():
        rows.append({"path": f"doc.{name}", "kind": KINDS[node.kind], "required": True, "label": node.label,
                     "description": "Palvelun lisäämä tieto.", "example": {"type": doc_type.id, "title": doc_type.label,
                                                                         "rendition": "family"}[name]})
    return rows


def _printable(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def filters() -> list[dict]:
    return [{"name": name, "usage": usage, "result": result, "description": FILTER_HELP.get(name, "")}
            for name, (usage, result) in formatting.FILTER_EXAMPLES.items()]


def as_dict(doc_type: DocumentType) -> dict:
    return {"type": doc_type.id, "label": doc_type.label, "fields": entries(doc_type), "filters": filters(),
            "syntax": [{"example": e, "description": d} for e, d in SYNTAX]}


def file_name(doc_type: DocumentType) -> str:
    return f"kenttaopas_{doc_type.file_stem}.docx"


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
    section.header.paragraphs[0].text = f"Kenttäopas – {doc_type.label} ({doc_type.id})"

    document.add_heading(f"Kenttäopas: {doc_type.label}", 0)
    document.add_paragraph(
        "Tässä ovat kaikki tiedot, joita asiakirjapohjassa voi käyttää. Kirjoita tagit Wordissa "
        "tavallisena tekstinä. Tarkista muokattu pohja ennen käyttöönottoa (lnp check-template)."
    )
    document.add_heading("Merkintätapa", 1)
    _table(document, ["Esimerkki", "Merkitys"], [[e, d] for e, d in SYNTAX])
    document.add_heading("Kentät", 1)
    _table(document, ["Muuttuja", "Nimi", "Laji", "Pakollinen", "Esimerkkiarvo", "Ohje"], [
        [r["path"], r["label"], r["kind"].split(" (")[0], "kyllä" if r["required"] else "ei",
         r["example"], r["description"] + (" Arvot: " + ", ".join(f"{k} = {v}" for k, v in r["choices"].items())
                                           if r.get("choices") else "")]
        for r in entries(doc_type)
    ])
    document.add_heading("Suodattimet", 1)
    _table(document, ["Suodatin", "Käyttö", "Tulos", "Kuvaus"],
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
