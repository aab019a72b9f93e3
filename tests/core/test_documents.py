"""The PDF every export shares (app/documents.py): PDF/A-2u with a tag tree whose every element
points at a page of the document, made in time proportional to the document's length."""

from __future__ import annotations

import io
from typing import Any

from app.documents import html_to_pdf, tag_tree_in_linear_time


def test_page_references_follow_the_pages_added() -> None:
    import pydyf

    tag_tree_in_linear_time()
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references
    assert first == tuple(f"{n} 0 R".encode() for n in pdf.pages["Kids"][::3])
    assert len(first) == 3
    # asked again with no page added: the same tuple, not a new one built for every tag
    assert pdf.page_references is first
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(pdf.page_references) == 4
    assert pdf.page_references[:3] == first
    assert pdf.page_references[3] == f"{pdf.pages['Kids'][-3]} 0 R".encode()
    tag_tree_in_linear_time()  # installing it twice changes nothing
    assert len(pdf.page_references) == 4


def test_every_tag_points_at_a_page_of_the_document() -> None:
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    paragraphs = "".join(
        f"<h2>Del {n}</h2>" + "<p>Vi skal styrke samarbeidet mellom kommunene. </p>" * 30
        for n in range(8)
    )
    html = (
        '<!doctype html><html lang="nb-NO"><head><meta charset="utf-8"><title>Prøve</title>'
        "<style>@page { size: A4; margin: 20mm }</style></head>"
        f"<body><h1>Prøve</h1>{paragraphs}</body></html>"
    )
    reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    assert len(reader.pages) >= 4
    page_ids = {page.indirect_reference.idnum for page in reader.pages if page.indirect_reference}
    catalog: Any = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp

    pointed: list[int] = []
    pending: list[Any] = [catalog["/StructTreeRoot"]]
    while pending:
        node: Any = pending.pop()
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not hasattr(node, "get"):
            continue  # a marked-content id
        if "/Pg" in node:
            pointed.append(node.raw_get("/Pg").idnum)
        if "/K" in node:
            pending.append(node["/K"])
    assert len(pointed) > 100
    assert set(pointed) <= page_ids
    # the tags of later parts point at later pages, not all at one
    assert set(pointed) == page_ids
