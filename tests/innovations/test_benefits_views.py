"""Benefits realisation through the pages, the exports and the JSON API on both databases:
the four parts saved and shown, the municipality's own plan, another county's 404, bad input
that stores nothing, DOCX/PDF/XLSX that open, and the API."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.clock import today
from app.innovations import benefits
from app.innovations.benefits_schemas import BenefitForm, CopyForm, MeasurementForm, PlanForm
from app.innovations.models import Benefit, BenefitPlan, Measurement
from app.tenancy import scoped
from factories import (
    adopt,
    bearer,
    create_innovation,
    create_member,
    create_workspace,
    in_workspace,
    login,
    post,
    staff_principal,
)

COORD = staff_principal("coordinator")


def rows(db, ws, model) -> int:
    with in_workspace(db, ws):
        return len(list(db.scalars(scoped(model, ws.id))))


def setup_plans(db, ws, *, shared: bool = False):
    """Trondheim's innovation with a common plan (one quantitative benefit), and plans for Osen
    (in use) and Indre Fosen (planned)."""
    inn = create_innovation(db, ws, "Digital byggesak", origin="5001", shared=shared)
    adopt(db, ws, inn, "5020", status="in_use", in_use_on=date(2026, 1, 15))
    adopt(db, ws, inn, "5054", status="planned")
    with in_workspace(db, ws):
        common = benefits.save_common(
            db,
            ws,
            COORD,
            inn.id,
            PlanForm(assessment={"need": "Mange telefoner"}, obstacles={"legal": "Personvern"}),
        )
        benefits.add_benefit(
            db,
            ws,
            COORD,
            inn.id,
            common.id,
            BenefitForm(
                name="Færre telefoner",
                unit="telefoner",
                baseline=Decimal("1000"),
                baseline_date=date(2026, 1, 1),
                target=Decimal("500"),
                target_date=date(2027, 1, 1),
            ),
        )
        osen = benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5020"))
        fosen = benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5054"))
        benefit = osen.benefits[0]
        benefits.add_measurement(
            db,
            ws,
            COORD,
            inn.id,
            osen.id,
            benefit.id,
            MeasurementForm(measured_on=today() - timedelta(days=30), value="4,1"),
        )
        benefits.add_measurement(
            db,
            ws,
            COORD,
            inn.id,
            osen.id,
            benefit.id,
            MeasurementForm(measured_on=today(), value=3),
        )
    return inn, common, osen, fosen, benefit


def test_a_coordinator_writes_the_four_parts_and_sees_them(client, db, ws):
    inn = create_innovation(db, ws, "Digital byggesak", origin="5001")
    login(client, create_member(db, ws, "coordinator"))
    base = f"/{ws.slug}/innovasjoner/{inn.id}/gevinster"
    page = client.get(base)
    assert page.status_code == 200 and "Lag felles plan" in page.text
    form = client.get(f"{base}/plan")
    assert form.status_code == 200
    for heading in ("Prosjektvurdering", "Prosjektstyring", "Gevinstplan", "Gevinstrealisering"):
        assert heading in form.text
    r = post(
        client,
        f"{base}/plan",
        {
            "assessment__need": "Innbyggerne ringer for mye",
            "management__milestones": "Pilot i mars",
            "obstacles__technical": "Integrasjon mot arkivet",
            "realisation__how_measured": "Telling i sentralbordet",
            "responsible_name": "Kari",
            "responsible_email": "kari@fylke.no",
        },
    )
    assert r.status_code == 303, r.text[:500]
    plan_url = r.headers["location"]
    shown = client.get(plan_url).text
    for text in (
        "1. Prosjektvurdering",
        "2. Prosjektstyring",
        "3. Gevinstplan",
        "4. Gevinstrealiseringsplan",
        "Innbyggerne ringer for mye",
        "Pilot i mars",
        "Integrasjon mot arkivet",
        "Telling i sentralbordet",
    ):
        assert text in shown, text
    # emptying a field saves it empty (HTMX: HX-Redirect)
    r = post(client, f"{base}/plan", {"assessment__need": ""}, headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == plan_url
    assert "Innbyggerne ringer for mye" not in client.get(plan_url).text
    assert rows(db, ws, BenefitPlan) == 1


def test_a_municipal_user_edits_their_own_plan_and_not_another(client, db, ws):
    inn, _common, osen, fosen, benefit = setup_plans(db, ws)
    login(client, create_member(db, ws, "municipal"))  # Osen, 5020
    base = f"/{ws.slug}/innovasjoner/{inn.id}/gevinster"
    overview = client.get(base)
    assert overview.status_code == 200
    assert "Osen" in overview.text and "Indre Fosen" in overview.text
    page = client.get(f"{base}/{osen.id}")
    assert page.status_code == 200 and "Endre planen" in page.text
    assert "<svg" in page.text and "Målinger av Færre telefoner" in page.text
    r = post(
        client,
        f"{base}/{osen.id}",
        {"assessment__goal": "Halvere telefonene", "scale": "0,01", "responsible_email": ""},
    )
    assert r.status_code == 303, r.text[:800]
    assert "Halvere telefonene" in client.get(f"{base}/{osen.id}").text
    r = post(
        client,
        f"{base}/{osen.id}/gevinst/{benefit.id}/maling",
        {"measured_on": "2026-02-01", "value": "12,5"},
    )
    assert r.status_code == 303
    assert rows(db, ws, Measurement) == 3

    # Indre Fosen's plan: readable, not changeable
    assert client.get(f"{base}/{fosen.id}").status_code == 200
    assert "Endre planen" not in client.get(f"{base}/{fosen.id}").text
    assert client.get(f"{base}/{fosen.id}/rediger").status_code == 403
    assert post(client, f"{base}/{fosen.id}", {"assessment__goal": "x"}).status_code == 403
    fosen_benefit = fosen.benefits[0]
    r = post(
        client,
        f"{base}/{fosen.id}/gevinst/{fosen_benefit.id}/maling",
        {"measured_on": "2026-02-01", "value": "1"},
    )
    assert r.status_code == 403
    assert client.get(f"{base}/plan").status_code == 403
    assert post(client, f"{base}/plan", {"assessment__need": "x"}).status_code == 403
    assert rows(db, ws, Measurement) == 3


def test_bad_input_gets_a_message_and_nothing_is_stored(client, db, ws):
    inn, common, osen, _fosen, benefit = setup_plans(db, ws)
    login(client, create_member(db, ws, "coordinator"))
    base = f"/{ws.slug}/innovasjoner/{inn.id}/gevinster"
    before = rows(db, ws, Benefit)
    r = post(
        client,
        f"{base}/{common.id}/gevinst",
        {
            "name": "Kortere saksbehandling",
            "kind": "quantitative",
            "baseline_date": "2027-01-01",
            "target_date": "2026-01-01",
            "when_taken_out": "operation",
            "status": "planned",
        },
    )
    assert r.status_code == 422
    assert "Måldatoen kan ikke være før datoen for utgangspunktet." in r.text
    assert rows(db, ws, Benefit) == before

    r = post(client, f"{base}/{osen.id}/gevinst/{benefit.id}/maling", {"measured_on": "2026-02-01"})
    assert r.status_code == 422
    assert "Skriv inn den målte verdien." in r.text
    assert 'aria-invalid="true"' in r.text
    r = post(
        client,
        f"{base}/{osen.id}/gevinst/{benefit.id}/maling",
        {"measured_on": "2026-02-01", "value": "mange"},
    )
    assert r.status_code == 422 and "Skriv et tall" in r.text
    assert rows(db, ws, Measurement) == 2


def test_another_county_gets_404_for_plans_and_measurements(client, db, ws):
    inn, common, osen, _fosen, benefit = setup_plans(db, ws, shared=True)
    private = create_innovation(db, ws, "Ikke delt", origin="5001")
    with in_workspace(db, ws):
        private_plan = benefits.save_common(db, ws, COORD, private.id, PlanForm())
    vestland = create_workspace(db, county="46", name="Vestland test")
    user = create_member(db, vestland, "coordinator")
    login(client, user)
    base = f"/{vestland.slug}/innovasjoner/{inn.id}/gevinster"
    # the shared innovation's common plan is readable; the municipal plan is not there
    assert client.get(f"{base}/{common.id}").status_code == 200
    assert client.get(f"{base}/{common.id}/rediger").status_code == 403
    overview = client.get(base).text
    assert "Osen" not in overview
    m_base = f"{base}/{osen.id}"
    for url in (
        m_base,
        f"{m_base}/rediger",
        f"{m_base}.docx",
        f"{m_base}.pdf",
        f"{m_base}.xlsx",
        f"{m_base}/gevinst/ny",
        f"{m_base}/gevinst/{benefit.id}",
        f"/{vestland.slug}/innovasjoner/{private.id}/gevinster",
        f"/{vestland.slug}/innovasjoner/{private.id}/gevinster/{private_plan.id}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        m_base,
        f"{m_base}/slett",
        f"{m_base}/gevinst",
        f"{m_base}/gevinst/{benefit.id}",
        f"{m_base}/gevinst/{benefit.id}/slett",
        f"{m_base}/gevinst/{benefit.id}/maling",
    ):
        r = post(client, url, {"name": "x", "measured_on": "2026-02-01", "value": "1"})
        assert r.status_code == 404, url
    assert rows(db, ws, Measurement) == 2
    assert rows(db, ws, Benefit) == 3

    headers = bearer(db, vestland, user)
    api = f"/api/v1/{vestland.slug}/benefit-plans"
    assert client.get(f"{api}/{osen.id}", headers=headers).status_code == 404
    assert client.get(f"{api}/{private_plan.id}", headers=headers).status_code == 404
    r = client.post(
        f"{api}/{osen.id}/benefits/{benefit.id}/measurements",
        headers=headers,
        json={"measured_on": "2026-02-01", "value": 1},
    )
    assert r.status_code == 404
    seen = client.get(f"{api}/{common.id}", headers=headers).json()
    assert seen["own"] is False and seen["common"] is True
    assert [b["measurements"] for b in seen["benefit_list"]] == [[]]
    listed = client.get(api, params={"innovation_id": inn.id}, headers=headers).json()
    assert [p["id"] for p in listed["items"]] == [common.id]


def test_exports_open_with_their_libraries(client, db, ws):
    from docx import Document
    from openpyxl import load_workbook

    inn, _common, osen, _fosen, _benefit = setup_plans(db, ws)
    login(client, create_member(db, ws, "viewer"))
    base = f"/{ws.slug}/innovasjoner/{inn.id}/gevinster"

    r = client.get(f"{base}/{osen.id}.docx")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    doc = Document(io.BytesIO(r.content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[:4] == [
        "1. Prosjektvurdering",
        "2. Prosjektstyring",
        "3. Gevinstplan",
        "4. Gevinstrealiseringsplan",
    ]
    assert any("Mange telefoner" in p.text for p in doc.paragraphs)
    assert round(doc.sections[0].page_width.mm) == 210
    assert round(doc.sections[0].page_height.mm) == 297

    r = client.get(f"{base}/{osen.id}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")

    r = client.get(f"{base}/{osen.id}.xlsx")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    indicators, measured = book.worksheets
    header = [c.value for c in indicators[1]]
    row = [c.value for c in indicators[2]]
    assert row[header.index("Gevinst")] == "Færre telefoner"
    assert row[header.index("Utgangspunkt")] == pytest.approx(4.2)  # 1000 × 0.0042, a number
    assert row[header.index("Dato for utgangspunkt")].date() == date(2026, 1, 1)  # a real date
    values = [(r[2].value, r[3].value) for r in measured.iter_rows(min_row=2)]
    assert [(d.date(), v) for d, v in values] == [
        (today() - timedelta(days=30), pytest.approx(4.1)),
        (today(), 3),
    ]
    r = client.get(f"/{ws.slug}/innovasjoner/{inn.id}/gevinster.xlsx")
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content)).worksheets[0].max_row == 3  # Osen + Indre Fosen


def test_the_api_creates_a_plan_a_copy_a_benefit_and_a_measurement(client, db, ws):
    inn = create_innovation(db, ws, "Digital byggesak", origin="5001")
    adopt(db, ws, inn, "5020", status="in_use")
    user = create_member(db, ws, "coordinator")
    headers = bearer(db, ws, user)
    api = f"/api/v1/{ws.slug}/benefit-plans"

    r = client.post(
        f"{api}/common",
        headers=headers,
        json={"innovation_id": inn.id, "assessment": {"need": "Behovet"}},
    )
    assert r.status_code == 200, r.text
    common = r.json()
    assert common["common"] is True and common["assessment"]["need"] == "Behovet"
    r = client.post(
        f"{api}/{common['id']}/benefits",
        headers=headers,
        json={"name": "Spart tid", "unit": "timer", "baseline": 100, "target": 50},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"{api}/{common['id']}/benefits",
        headers=headers,
        json={"name": "Baklengs", "baseline_date": "2027-01-01", "target_date": "2026-01-01"},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"

    r = client.post(
        api,
        headers=headers,
        json={"innovation_id": inn.id, "municipality_number": "5020", "scale": 2},
    )
    assert r.status_code == 201, r.text
    osen = r.json()
    assert osen["scale"] == "2.0000" or Decimal(str(osen["scale"])) == 2
    benefit = osen["benefit_list"][0]
    assert Decimal(str(benefit["baseline"])) == 200
    url = f"{api}/{osen['id']}/benefits/{benefit['id']}/measurements"
    assert client.post(url, headers=headers, json={"measured_on": "2026-03-01"}).status_code == 422
    r = client.post(url, headers=headers, json={"measured_on": "2026-03-01", "value": 180})
    assert r.status_code == 201, r.text
    again = client.get(f"{api}/{osen['id']}", headers=headers).json()
    assert [Decimal(str(m["value"])) for m in again["benefit_list"][0]["measurements"]] == [180]
    listed = client.get(api, params={"innovation_id": inn.id}, headers=headers).json()
    assert {p["municipality_number"] for p in listed["items"]} == {None, "5020"}
    r = client.put(
        f"{api}/{osen['id']}", headers=headers, json={"management": {"milestones": "Mars"}}
    )
    assert r.status_code == 200 and r.json()["management"]["milestones"] == "Mars"
    assert r.json()["assessment"]["need"] == "Behovet"  # a part left out is kept
