"""The shape of the code: which part may import which, read from every import statement in
``service/`` and ``schemas/`` (those inside functions too, so a circle cannot hide there).

The rules:
- ``schemas/`` imports nothing of ``service/``.
- The core (registry, field tree, formats, problems, validation, the pipeline, rendering,
  conversion, Word-template lifecycle, access, database) imports no Flask, Werkzeug or Flask extension.
- The API (``service/api``) and the pages (``service/pages``) never import each other.
- No import circles between modules.
- A module in ``service/`` sits in the package whose job it is: the top level holds only the
  app factory, configuration, the instance folder, the registry, the field tree, formats,
  problems, validation, the pipeline, the CLI and gunicorn's configuration.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CORE = ("service.registry", "service.fieldtree", "service.formats", "service.problems", "service.validation",
        "service.pipeline", "service.config", "service.instance", "service.rendering", "service.conversion",
        "service.wordtemplates", "service.access", "service.cases", "service.database")
WEB_LIBRARIES = ("flask", "werkzeug", "flask_wtf", "flask_limiter", "flask_babel")
TOP_LEVEL = {"__init__", "config", "instance", "registry", "fieldtree", "formats", "problems", "validation",
             "pipeline", "cli", "gunicorn_conf"}
PACKAGES = {"access", "api", "cases", "conversion", "database", "pages", "rendering", "web", "wordtemplates",
            "translations"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for top in ("service", "schemas"):
        for path in sorted((ROOT / top).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = modules()


def imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports, at any depth of its code; ``from package import module``
    counts as importing the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.add(candidate if candidate in MODULES else source)
    return found


GRAPH = {name: imports(name, path) for name, path in MODULES.items()}


def within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_module_list_is_what_the_rules_speak_of():
    assert "service.pipeline" in GRAPH and "service.web.gate" in GRAPH and "schemas.common" in GRAPH
    assert any("flask" in targets for targets in GRAPH.values())  # the reader sees imports at all


def test_schemas_import_nothing_of_the_service():
    offending = {m: sorted(t for t in ts if within(t, ("service",))) for m, ts in GRAPH.items()
                 if within(m, ("schemas",))}
    assert not {m: ts for m, ts in offending.items() if ts}


def test_the_core_imports_no_flask():
    offending = {m: sorted(t for t in ts if within(t, WEB_LIBRARIES)) for m, ts in GRAPH.items() if within(m, CORE)}
    assert not {m: ts for m, ts in offending.items() if ts}


def test_the_core_imports_nothing_of_the_web_parts():
    web = ("service.web", "service.api", "service.pages", "service.cli")
    offending = {m: sorted(t for t in ts if within(t, web)) for m, ts in GRAPH.items() if within(m, CORE)}
    assert not {m: ts for m, ts in offending.items() if ts}


@pytest.mark.parametrize("side, other", [("service.api", "service.pages"), ("service.pages", "service.api")])
def test_the_api_and_the_pages_never_import_each_other(side, other):
    offending = {m: sorted(t for t in ts if within(t, (other,))) for m, ts in GRAPH.items() if within(m, (side,))}
    assert not {m: ts for m, ts in offending.items() if ts}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports between our own modules, or None."""
    own = {m: {t for t in ts if t in graph and t != m} for m, ts in graph.items()}
    # The package __init__ of service is the app factory: it imports the web parts inside
    # create_app, and every submodule import passes through the package first; an edge from a
    # submodule to ``service`` itself is therefore not an import of the factory.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(own[node]):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(own):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_there_are_no_import_circles():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


def test_the_circle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_every_module_sits_in_a_package_with_a_job():
    top = {p.stem for p in (ROOT / "service").glob("*.py")}
    assert top <= TOP_LEVEL, sorted(top - TOP_LEVEL)
    folders = {p.name for p in (ROOT / "service").iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders <= PACKAGES, sorted(folders - PACKAGES)
    for package in PACKAGES - {"translations"}:
        init = ROOT / "service" / package / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{package} says what its job is"
