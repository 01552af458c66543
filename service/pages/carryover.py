"""Opening a saved case JSON into a form, and carrying shared blocks between document types.

The same case goes through several documents: the agreement's children, guardians, social
worker and convener are the summary's and the follow-up summary's too. When a JSON saved from
one type is opened in the form of another, every top-level field whose name (or alias) and
shape match is kept; what does not fit is left out, and the user is told both.

The questions opened in the family plan's form list every case question with its answer still
to be written, and every bottom line with its check; a plan opened as its next version starts
version n+1 from version n (``next_version``). An identity code is never carried into a document
that has no identity code field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from schemas.hetu import HETU_LIKE_RE
from schemas.i18n import Msg, gettext
from schemas.i18n import gettext as _
from service.fieldtree import Node
from service.pages.formdata import ABSENT
from service.registry import DOCUMENT_TYPES, DocumentType

# The same person under another name: the agreement's responsible social worker writes the
# summaries as their author.
ALIASES = {"author": "social_worker", "social_worker": "author"}

# Fields that describe one document, not the case: a date, a version or the family's sharing
# decision copied from another document would be silently wrong in this one.
PER_DOCUMENT = {"document_date", "version", "sharing"}

# Lists that start from another document's lists, one entry each, waiting to be filled in: the
# plan's answers from the questions, its bottom-lines check from the bottom lines.
WAITING = (
    ("answers", ("case_questions",),
     lambda q: {"question": q["text"], **({"theme": q["theme"]} if q.get("theme") else {})}
     if isinstance(q, dict) and isinstance(q.get("text"), str) else None),
    ("bottom_lines_check", ("must_include", "not_acceptable"),
     lambda line: {"bottom_line": line} if isinstance(line, str) else None),
)
WAITING_NOTE = Msg("{label} (odottavat täyttämistä)")

REDACTED = Msg("(henkilötunnus poistettu)")

# What a new version of a versioned document does not take from the one it replaces: its
# decision and the views about it are made again, and its follow-up meeting is the new one's.
NEW_IN_EACH_VERSION = ("dissenting_views", "follow_up")


@dataclass
class Opened:
    data: dict
    source: DocumentType | None  # None: the JSON's type could not be recognised
    carried: list[str] = field(default_factory=list)  # labels of what was kept (in the page's language)
    left_out: list[str] = field(default_factory=list)  # labels of what was not


def detect(payload: dict, preferred: DocumentType | None = None) -> DocumentType | None:
    """The type whose fields hold every key of ``payload`` (the preferred one first)."""
    keys = set(payload)
    candidates = ([preferred] if preferred else []) + [t for t in DOCUMENT_TYPES.values() if t is not preferred]
    for doc_type in candidates:
        if keys <= set(doc_type.fields.children):
            return doc_type
    return None


def open_into(target: DocumentType, payload: dict) -> Opened:
    source = detect(payload, preferred=target)
    root = target.fields
    if source is target:
        # The user's own saved form: a value the schema would refuse is still shown, to be fixed.
        data = prune(root, payload, strict=False)
        data = data if isinstance(data, dict) else {}
        start_waiting(root, data)
        return Opened(data, target)
    opened = Opened({}, source)
    source_root = source.fields if source else None
    used = set()
    for name, node in root.children.items():
        if name in PER_DOCUMENT:
            continue
        source_name = name if name in payload else ALIASES.get(name)
        if source_name not in payload:
            continue
        value = payload[source_name]
        if name == "children":
            value = [reshape_child(node.each, child) for child in value] if isinstance(value, list) else value
        kept = prune(node, value)
        if kept is ABSENT or kept in ({}, []):
            continue
        opened.data[name] = kept
        used.add(source_name)
        label = gettext(node.label)
        if source_name != name and source_root and source_name in source_root.children:
            label = _("{label} (lähteessä: {source})").format(
                label=label, source=gettext(source_root.children[source_name].label))
        opened.carried.append(label)
    for name in payload:
        if name not in used:
            child = source_root.children.get(name) if source_root else None
            opened.left_out.append(gettext(child.label) if child else name)
    opened.carried += start_waiting(root, opened.data)
    if not has_identity_code_field(root) and redact_identity_codes(opened.data, _document_language(opened.data)):
        opened.left_out.append(gettext(Msg("henkilötunnukset")))
    return opened


def start_waiting(root: Node, data: dict) -> list[str]:
    """Each list of ``WAITING`` the data lacks, one entry per item of its source lists; the labels
    of the lists started."""
    started: list[str] = []
    for target_name, sources, start in WAITING:
        if target_name in root.children and target_name not in data:
            entries = [start(item) for name in sources for item in data.get(name) or [] if isinstance(data.get(name), list)]
            if any(entries):
                data[target_name] = [entry for entry in entries if entry]
                started.append(WAITING_NOTE.format(label=gettext(root.children[target_name].label)))
    return started


def has_identity_code_field(node: Node) -> bool:
    return any(leaf.widget == "hetu" for _path, leaf in node.walk())


def _document_language(data: dict) -> str | None:
    language = data.get("language")
    return language if isinstance(language, str) else None


def redact_identity_codes(value: Any, language: str | None) -> int:
    """Replace, in place, every identity code in the texts of ``value``; how many were replaced."""
    count = 0
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in list(items):
        if isinstance(item, str) and HETU_LIKE_RE.search(item):
            value[key], found = HETU_LIKE_RE.subn(gettext(REDACTED, language), item)
            count += found
        else:
            count += redact_identity_codes(item, language)
    return count


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def next_version(target: DocumentType, payload: dict) -> Opened:
    """Version n+1 of a versioned document from version n's saved data (the plan revised after a
    follow-up meeting): the version goes up and names the one it replaces (its number and its
    meeting's date), the follow-up meeting that was agreed becomes this version's meeting, and
    the decision, the dissenting views and the next follow-up meeting are left to be made again."""
    root = target.fields
    data = prune(root, payload, strict=False)
    data = data if isinstance(data, dict) else {}
    version = data.get("version")
    previous: int = version if isinstance(version, int) and not isinstance(version, bool) else 1
    meeting: dict = _dict(data.get("meeting"))
    follow_up: dict = _dict(data.get("follow_up"))
    data["version"] = previous + 1
    replaced = {"version": previous}
    if isinstance(meeting.get("date"), str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", meeting["date"]):
        replaced["date"] = meeting["date"]
    data["supersedes"] = replaced
    data["meeting"] = {name: follow_up[name] for name in ("date", "place") if isinstance(follow_up.get(name), str)}
    approval: dict = _dict(data.get("approval"))
    data["approval"] = {"approved_by": approval["approved_by"]} if isinstance(approval.get("approved_by"), dict) else {}
    for name in NEW_IN_EACH_VERSION:
        data.pop(name, None)
    data["document_date"] = dt.date.today().isoformat()
    left = [gettext(root.children[name].label) for name in ("approval", *NEW_IN_EACH_VERSION) if name in root.children]
    return Opened(data, target, left_out=left)


def reshape_child(target_item: Node, child: Any) -> Any:
    """A child between the agreement (full names) and the documents the relatives read
    (first name only): first_name = calling name or the first given name."""
    if not isinstance(child, dict):
        return child
    child = dict(child)
    names = target_item.children
    if "first_name" in names and "first_name" not in child and isinstance(child.get("given_names"), str):
        given = child["given_names"].split()
        child["first_name"] = child.get("calling_name") or (given[0] if given else "")
    if "given_names" in names and "given_names" not in child and isinstance(child.get("first_name"), str):
        child["given_names"] = child["first_name"]
    return child


def prune(node: Node, value: Any, strict: bool = True) -> Any:
    """``value`` with only what fits ``node``'s names and kinds; ABSENT when nothing fits.

    Not ``strict``: any JSON scalar is kept where the form has a field, whatever its kind.
    """
    if node.kind == "object":
        if not isinstance(value, dict):
            return ABSENT
        out = {}
        for name, child in node.children.items():
            if name in value:
                kept = prune(child, value[name], strict)
                if kept is not ABSENT:
                    out[name] = kept
        return out
    if node.kind == "list":
        if not isinstance(value, list):
            return ABSENT
        items = [prune(node.each, v, strict) for v in value]
        return [v for v in items if v is not ABSENT]
    if isinstance(value, (dict, list)) or value is None:
        return ABSENT
    if not strict:
        return value
    if node.kind == "bool":
        return value if isinstance(value, bool) else ABSENT
    if node.kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else ABSENT
    return value if isinstance(value, str) else ABSENT
