"""The structure tree and the metadata PDF/A-2u asks for: XMP, Info, the sRGB output intent."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from app.pdfwriter.document import Document, Node


def _structure(pdf: Any, doc: Document, pages: list[Any], parent_tree: list[list[Node]]) -> None:
    """The structure tree: one indirect object per element, marked-content references to the
    page content, and the parent tree that leads from content back to its element."""
    import pydyf

    objects: dict[int, Any] = {}
    order: list[Node] = []
    stack = [doc.root]
    while stack:
        node = stack.pop()
        obj = pydyf.Dictionary({"S": f"/{node.tag}"})
        pdf.add_object(obj)
        objects[id(node)] = obj
        order.append(node)
        stack.extend(k for k in reversed(node.kids) if isinstance(k, Node))
    root = pydyf.Dictionary({"Type": "/StructTreeRoot"})
    pdf.add_object(root)
    for node in order:
        obj = objects[id(node)]
        obj["P"] = objects[id(node.parent)].reference if node.parent else root.reference
        marks = [k for k in node.kids if not isinstance(k, Node)]
        page = int(marks[0][0]) if marks else -1
        if marks and all(k[0] == page for k in marks):
            # all content on one page (the usual case): /Pg once, the MCIDs as numbers
            obj["Pg"] = pages[page].reference
            kids = [objects[id(k)].reference if isinstance(k, Node) else k[1] for k in node.kids]
        else:
            kids = [
                objects[id(k)].reference
                if isinstance(k, Node)
                else pydyf.Dictionary({"Type": "/MCR", "Pg": pages[k[0]].reference, "MCID": k[1]})
                for k in node.kids
            ]
        if len(kids) == 1:
            obj["K"] = kids[0]
        elif kids:
            obj["K"] = pydyf.Array(kids)
        if node.attrs:
            obj["A"] = pydyf.Dictionary(
                {"O": "/Table", **{k: f"/{v}" for k, v in node.attrs.items()}}
            )
    nums = []
    for index, mcids in enumerate(parent_tree):
        array = pydyf.Array([objects[id(n)].reference for n in mcids])
        pdf.add_object(array)
        nums += [index, array.reference]
    tree = pydyf.Dictionary({"Nums": pydyf.Array(nums)})
    pdf.add_object(tree)
    root["K"] = objects[id(doc.root)].reference
    root["ParentTree"] = tree.reference
    root["ParentTreeNextKey"] = len(parent_tree)
    pdf.catalog["StructTreeRoot"] = root.reference
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    pdf.catalog["Lang"] = pydyf.String(doc.lang)
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    from importlib.resources import files

    return (files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes()


def _pdf_date(value: datetime) -> str:
    stamp = value.strftime("%Y%m%d%H%M%S")
    offset = value.strftime("%z") or "+0000"
    return f"D:{stamp}{offset[0]}{offset[1:3]}'{offset[3:5]}'"


def _metadata(pdf: Any, doc: Document) -> None:
    import pydyf

    created = doc.created
    producer = "Samspill"
    pdf.info["Title"] = pydyf.String(doc.title)
    if doc.author:
        pdf.info["Author"] = pydyf.String(doc.author)
    if doc.subject:
        pdf.info["Subject"] = pydyf.String(doc.subject)
    if doc.keywords:
        pdf.info["Keywords"] = pydyf.String(doc.keywords)
    pdf.info["Creator"] = pydyf.String(doc.creator)
    pdf.info["Producer"] = pydyf.String(producer)
    pdf.info["CreationDate"] = pydyf.String(_pdf_date(created))
    pdf.info["ModDate"] = pydyf.String(_pdf_date(created))

    iso = created.isoformat(timespec="seconds")
    lang = escape(doc.lang)

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    parts = [f"<dc:title>{alt(doc.title)}</dc:title>", "<dc:format>application/pdf</dc:format>"]
    parts.append(f"<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>")
    if doc.author:
        parts.append(
            f"<dc:creator><rdf:Seq><rdf:li>{escape(doc.author)}</rdf:li></rdf:Seq></dc:creator>"
        )
    if doc.subject:
        parts.append(f"<dc:description>{alt(doc.subject)}</dc:description>")
    if doc.keywords:
        parts.append(f"<pdf:Keywords>{escape(doc.keywords)}</pdf:Keywords>")
    xmp = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
        'pdfaid:part="2" pdfaid:conformance="U"/>\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'pdf:Producer="{producer}" xmp:CreatorTool="{escape(doc.creator)}" '
        f'xmp:CreateDate="{iso}" xmp:ModifyDate="{iso}" xmp:MetadataDate="{iso}">\n'
        + "\n".join(parts)
        + "\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    metadata = pydyf.Stream(
        [xmp.encode()], {"Type": "/Metadata", "Subtype": "/XML"}, compress=False
    )
    pdf.add_object(metadata)
    pdf.catalog["Metadata"] = metadata.reference

    profile = pydyf.Stream([_srgb_profile()], {"N": 3}, compress=True)
    pdf.add_object(profile)
    intent = pydyf.Dictionary(
        {
            "Type": "/OutputIntent",
            "S": "/GTS_PDFA1",
            "OutputConditionIdentifier": pydyf.String("sRGB IEC61966-2.1"),
            "Info": pydyf.String("sRGB IEC61966-2.1"),
            "DestOutputProfile": profile.reference,
        }
    )
    pdf.add_object(intent)
    pdf.catalog["OutputIntents"] = pydyf.Array([intent.reference])
