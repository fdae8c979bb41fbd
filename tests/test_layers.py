"""The layers only call downwards: a lower layer never imports a higher one, not even for types.

    exceptions  →  gateway | spreadsheets | _frames  →  preparation  →  sending  →  front ends

The gateway (HTTP) and spreadsheets (files) are the two boundaries to the outside world and
know nothing of each other or of campaigns; preparation reads an opt-out file through
spreadsheets; the front ends (``accessor``, ``notebook``, ``cli``, ``samples``, the package's
re-exports) may use everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "smsbatch"

#: group -> rank; a module may import its own group and any group of a lower rank.
RANKS = {
    "exceptions": 0,
    "_frames": 1,
    "gateway": 1,
    "spreadsheets": 1,
    "preparation": 2,
    "sending": 3,
    "front": 4,
}


def group(module: str) -> str:
    """The layer of a dotted module name inside smsbatch."""
    parts = module.split(".")
    if len(parts) == 1:
        return "front"  # the package itself: the public re-exports
    return parts[1] if parts[1] in RANKS else "front"


def imported(source: str, module: str) -> set[str]:
    """Every smsbatch module ``source`` imports, at any depth (type-only imports included)."""
    names = set()
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] == "smsbatch")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if base.split(".")[0] == "smsbatch":
                names.add(base)
    return names


def violations(source: str, module: str) -> list[str]:
    own = group(module)
    return [
        f"{module} ({own}) imports {name} ({group(name)})"
        for name in sorted(imported(source, module))
        if group(name) != own and RANKS[group(name)] >= RANKS[own]
    ]


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found.append((dotted.removesuffix(".__init__") or "smsbatch", path))
    return found


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_no_module_imports_a_higher_layer(module: str, path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8"), module) == []


@pytest.mark.parametrize(
    "module,source",
    [
        ("smsbatch.preparation.campaign", "from smsbatch.sending.run import send"),
        ("smsbatch.gateway.client", "import smsbatch.spreadsheets"),
        (
            "smsbatch.exceptions",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from smsbatch.gateway.client import Response",
        ),
        ("smsbatch.sending.run", "def f():\n    from smsbatch.notebook import panel"),
        ("smsbatch.sending._loop", "from ..cli import main"),
    ],
    ids=["upwards", "sideways", "type-only", "inside-a-function", "relative"],
)
def test_the_check_catches_every_kind_of_upward_import(module: str, source: str) -> None:
    assert violations(source, module)

