"""Small frictions found walking the journeys (issue 15, item 10), each kept fixed."""

from __future__ import annotations

import re
from pathlib import Path

from factories import create_member, login, post

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FIELD_CALL = re.compile(r"m\.(?:field|textarea|select)\([^)]*?_\(\"([^\"]*)\"\)")


def test_no_label_says_optional_twice():
    """The form macros add "(valgfritt)" to every field that is not required; a label that says
    it too reads "Hva ble gjort (valgfritt) (valgfritt)"."""
    labels = [
        (path.relative_to(TEMPLATES).as_posix(), label)
        for path in sorted(TEMPLATES.rglob("*.html"))
        for label in FIELD_CALL.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(labels) > 50  # the pattern sees the form fields
    assert [x for x in labels if "valgfri" in x[1].lower()] == []


def test_long_compound_words_on_the_start_page_break_at_their_joint(client, db, ws):
    """At 360 px a figure's label is about 130 px wide: "digitaliseringsnettverk" broke
    anywhere ("digitaliseringsnettv-erk"); a soft hyphen gives it a proper place."""
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}")
    assert page.status_code == 200
    assert "digitaliserings\u00adnettverk" in page.text


def test_the_queue_tab_of_ones_own_requests_reads_well_in_english(client, db, ws):
    login(client, create_member(db, ws, "helper"))
    assert post(client, "/sprak", {"locale": "en", "neste": "/"}).status_code == 303
    page = client.get(f"/{ws.slug}/hjelp")
    assert page.status_code == 200
    assert ">Assigned to me</a>" in page.text
    assert ">Mine</a>" not in page.text
