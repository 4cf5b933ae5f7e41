"""The layers hold: the domain decides without Matrix or a database, and a feature reaches the
store only through the parts it names (never the whole store, never Matrix)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from scorebot.context import Context

PACKAGE = Path(__file__).parents[2] / "scorebot"


def imports(path: Path) -> set[str]:
    """Every module `path` imports, by full name (a `from x import y` counts as x and x.y)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def offending(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    bad = {}
    for path in sorted((PACKAGE / folder).glob("*.py")):
        hits = sorted(name for name in imports(path) if name.startswith(forbidden) or name in forbidden)
        if hits:
            bad[path.name] = hits
    return bad


def test_the_domain_imports_nothing_of_matrix_or_the_database():
    outside = ("nio", "peewee", "aiohttp", "scorebot.store", "scorebot.matrix", "scorebot.features")
    assert offending("domain", outside) == {}


def test_a_feature_uses_its_store_parts_never_the_whole_store():
    # `scorebot.store.Store` is the facade the shell holds; a feature imports a part, like
    # `from scorebot.store.meetings import meetings`, and never the tables under it.
    whole = ("scorebot.store.Store", "scorebot.store.models", "peewee", "nio", "aiohttp", "scorebot.matrix")
    assert offending("features", whole) == {}
    assert [f.name for f in dataclasses.fields(Context) if f.name == "store"] == []


def test_each_feature_names_the_parts_it_uses():
    parts = {path.stem for path in (PACKAGE / "store").glob("*.py")} - {"__init__", "models", "migrations"}
    used = {path.name: {name.split(".")[2] for name in imports(path) if name.startswith("scorebot.store.")}
            for path in (PACKAGE / "features").glob("*.py")}
    assert set().union(*used.values()) <= parts
    assert used["stack.py"] >= {"meetings"} and "cases" not in used["stack.py"]
    assert used["removal.py"] >= {"cases"} and "meetings" not in used["removal.py"]
