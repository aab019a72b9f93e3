"""Reading PDFs in tests: the structure tree's tags in reading order (depth first)."""

from __future__ import annotations

from typing import Any


def struct_tags(catalog: Any) -> list[str]:
    """Every structure element's type (``/H1``, ``/P`` …) under the catalog's StructTreeRoot."""
    from pypdf.generic import IndirectObject

    tags: list[str] = []
    pending: list[Any] = [catalog["/StructTreeRoot"]["/K"]]
    while pending:
        node: Any = pending.pop()
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, list):
            pending.extend(node)
        elif hasattr(node, "get") and "/S" in node:
            tags.append(str(node["/S"]))
            if "/K" in node:
                pending.append(node["/K"])
    return tags
