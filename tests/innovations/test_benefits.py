"""Benefits realisation's rules on both databases: the four parts, the scaled copy for a
municipality, who may change which plan, what another county sees, and bad input that leaves
nothing behind."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.clock import today
from app.errors import Forbidden, InvalidInput, NotFound
from app.innovations import benefits, benefits_status
from app.innovations.benefits_schemas import BenefitForm, CopyForm, MeasurementForm, PlanForm
from app.innovations.models import Benefit, BenefitPlan, Measurement
from app.tenancy import scoped
from factories import adopt, create_innovation, create_workspace, in_workspace, staff_principal

PARTS = {
    "assessment": {"need": "Mange telefoner om byggesaker", "recommendation": "Start"},
    "management": {"organisation": "Kommunedirektøren eier prosjektet"},
    "obstacles": {"legal": "Personvern må avklares", "technical": "Integrasjon mot sak/arkiv"},
    "realisation": {"how_measured": "Telling i sentralbordet hver måned"},
}
COORD = staff_principal("coordinator")


@pytest.fixture
def vestland(db):
    return create_workspace(db, county="46", name="Vestland test")


def common_with_benefits(db, ws, inn):
    """The common plan with a quantitative benefit (in calls), a share (in %) and a
    qualitative one."""
    with in_workspace(db, ws):
        plan = benefits.save_common(db, ws, COORD, inn.id, PlanForm(**PARTS))
        benefits.add_benefit(
            db,
            ws,
            COORD,
            inn.id,
            plan.id,
            BenefitForm(
                name="Færre telefoner",
                unit="telefoner per måned",
                baseline=Decimal("1000"),
                baseline_date=date(2026, 1, 1),
                target=Decimal("600"),
                target_date=date(2027, 1, 1),
                measured_by="Sentralbordet",
            ),
        )
        benefits.add_benefit(
            db,
            ws,
            COORD,
            inn.id,
            plan.id,
            BenefitForm(name="Digitale søknader", unit="%", baseline=40, target=80),
        )
        benefits.add_benefit(
            db,
            ws,
            COORD,
            inn.id,
            plan.id,
            BenefitForm(name="Fornøyde innbyggere", kind="qualitative"),
        )
    return plan


def count(db, ws, model) -> int:
    """How many rows of ``model`` the workspace has (call it inside ``in_workspace``)."""
    return len(list(db.scalars(scoped(model, ws.id))))


def test_the_four_parts_are_saved_with_every_field_and_read_back(db, ws):
    inn = create_innovation(db, ws, "Digital byggesak", origin="5001")
    plan = common_with_benefits(db, ws, inn)
    with in_workspace(db, ws):
        again = benefits.get_plan(db, ws, inn.id, plan.id)
        assert again.municipality_number is None
        assert again.assessment["need"] == "Mange telefoner om byggesaker"
        assert again.assessment["goal"] == ""  # every field of the template is there
        assert set(again.management) == {"organisation", "milestones", "resources", "communication"}
        assert again.obstacles["legal"] == "Personvern må avklares"
        assert again.realisation["how_measured"].startswith("Telling")
        # saving again changes the one plan, never a second
        benefits.save_common(db, ws, COORD, inn.id, PlanForm(assessment={"goal": "Halvere"}))
        assert count(db, ws, BenefitPlan) == 1
        assert benefits.get_plan(db, ws, inn.id, plan.id).assessment["goal"] == "Halvere"
    with pytest.raises(ValueError):
        PlanForm(assessment={"no_such_field": "x"})


def test_a_scaled_copy_multiplies_quantitative_figures_only(db, ws):
    inn = create_innovation(db, ws, "Digital byggesak", origin="5001")  # Trondheim, 214 565
    plan = common_with_benefits(db, ws, inn)
    adopt(db, ws, inn, "5020", status="planned")  # Osen, 898
    adopt(db, ws, inn, "5021", status="in_use")
    with in_workspace(db, ws):
        osen = benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5020"))
        assert osen.common_id == plan.id and osen.municipality_number == "5020"
        assert osen.scale == Decimal("0.0042")  # 898 / 214 565, three significant digits
        assert osen.assessment["need"] == "Mange telefoner om byggesaker"
        calls, share, quality = sorted(osen.benefits, key=lambda b: b.id)
        assert (calls.baseline, calls.target) == (Decimal("4.20"), Decimal("2.52"))
        assert (calls.baseline_date, calls.target_date) == (date(2026, 1, 1), date(2027, 1, 1))
        assert calls.measured_by == "Sentralbordet" and calls.status == "planned"
        assert (share.baseline, share.target) == (Decimal("40.00"), Decimal("80.00"))  # a share
        assert quality.kind == "qualitative" and quality.baseline is None

        other = benefits.make_copy(
            db, ws, COORD, inn.id, CopyForm(municipality_number="5021", scale="0,5")
        )
        first = min(other.benefits, key=lambda b: b.id)
        assert other.scale == Decimal("0.5") and first.baseline == Decimal("500.00")
        # the common plan is untouched
        common = benefits.get_plan(db, ws, inn.id, plan.id)
        assert min(common.benefits, key=lambda b: b.id).baseline == Decimal("1000.00")

        # a second copy for the same municipality, or one without an adoption, is refused
        with pytest.raises(InvalidInput):
            benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5020"))
        with pytest.raises(InvalidInput) as err:
            benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5001"))
        assert "municipality_number" in err.value.errors

        # a new scale with "recalculate" follows through to the figures
        benefits.update_plan(
            db, ws, COORD, inn.id, other.id, PlanForm(scale=Decimal("1"), rescale=True)
        )
        first = min(benefits.get_plan(db, ws, inn.id, other.id).benefits, key=lambda b: b.id)
        assert first.baseline == Decimal("1000.00") and first.target == Decimal("600.00")


def test_a_municipal_user_changes_only_their_own_municipalitys_plan(db, ws):
    inn = create_innovation(db, ws, origin="5001")
    common = common_with_benefits(db, ws, inn)
    adopt(db, ws, inn, "5020")
    adopt(db, ws, inn, "5021")
    osen_user = staff_principal("municipal", "5020")
    with in_workspace(db, ws):
        osen = benefits.make_copy(db, ws, osen_user, inn.id, CopyForm(municipality_number="5020"))
        with pytest.raises(Forbidden):
            benefits.make_copy(db, ws, osen_user, inn.id, CopyForm(municipality_number="5021"))
        other = benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5021"))

        benefits.update_plan(
            db, ws, osen_user, inn.id, osen.id, PlanForm(assessment={"goal": "Osens mål"})
        )
        benefit = min(osen.benefits, key=lambda b: b.id)
        benefits.add_measurement(
            db,
            ws,
            osen_user,
            inn.id,
            osen.id,
            benefit.id,
            MeasurementForm(measured_on=today(), value="3,5"),
        )
        with pytest.raises(Forbidden):
            benefits.update_plan(db, ws, osen_user, inn.id, other.id, PlanForm())
        with pytest.raises(Forbidden):
            benefits.add_measurement(
                db,
                ws,
                osen_user,
                inn.id,
                other.id,
                min(b.id for b in other.benefits),
                MeasurementForm(measured_on=today(), value=1),
            )
        with pytest.raises(Forbidden):
            benefits.update_plan(db, ws, osen_user, inn.id, common.id, PlanForm())
        with pytest.raises(Forbidden):
            benefits.save_common(db, ws, osen_user, inn.id, PlanForm())
        rows = benefits.measurements_of(db, ws, benefits.get_plan(db, ws, inn.id, osen.id))
        assert [m.value for m in rows[benefit.id]] == [Decimal("3.50")]
        assert benefits.get_plan(db, ws, inn.id, osen.id).assessment["goal"] == "Osens mål"


def test_another_county_scales_a_shared_innovations_common_plan_for_its_own(db, ws, vestland):
    inn = create_innovation(db, ws, "Felles byggesak", origin="5001", shared=True)
    common = common_with_benefits(db, ws, inn)
    adopt(db, ws, inn, "5020")
    with in_workspace(db, ws):
        osen = benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5020"))
        b = min(osen.benefits, key=lambda x: x.id)
        benefits.add_measurement(
            db, ws, COORD, inn.id, osen.id, b.id, MeasurementForm(measured_on=today(), value=3)
        )
    adopt(db, vestland, inn, "4601")  # Bergen, recorded by Vestland
    with in_workspace(db, vestland):
        seen = benefits.get_plan(db, vestland, inn.id, common.id)  # the common plan: read-only
        assert seen.assessment["need"] == "Mange telefoner om byggesaker"
        assert len(seen.benefits) == 3
        with pytest.raises(Forbidden):
            benefits.update_plan(db, vestland, COORD, inn.id, common.id, PlanForm())
        with pytest.raises(Forbidden):
            benefits.save_common(db, vestland, COORD, inn.id, PlanForm())
        # Trøndelag's municipal plan and its measurements never reach Vestland
        with pytest.raises(NotFound):
            benefits.get_plan(db, vestland, inn.id, osen.id)
        with pytest.raises(NotFound):
            benefits.add_measurement(
                db,
                vestland,
                COORD,
                inn.id,
                osen.id,
                b.id,
                MeasurementForm(measured_on=today(), value=1),
            )
        view = benefits_status.overview(db, vestland, COORD, inn.id)
        assert view.common is not None and view.common.id == common.id and not view.own
        assert view.plans == []
        assert [c[0] for c in view.candidates] == ["4601"]

        bergen = benefits.make_copy(
            db, vestland, COORD, inn.id, CopyForm(municipality_number="4601")
        )
        assert bergen.workspace_id == vestland.id and bergen.common_id == common.id
        assert bergen.scale == Decimal("1.36")  # 291 940 / 214 565
        calls = min(bergen.benefits, key=lambda x: x.id)
        assert calls.baseline == Decimal("1360.00") and calls.workspace_id == vestland.id
        assert [p.plan.id for p in benefits_status.overview(db, vestland, COORD, inn.id).plans] == [
            bergen.id
        ]
    with in_workspace(db, ws):
        assert [p.plan.id for p in benefits_status.overview(db, ws, COORD, inn.id).plans] == [
            osen.id
        ]
        with pytest.raises(NotFound):
            benefits.get_plan(db, ws, inn.id, bergen.id)


def test_an_unshared_innovations_plans_are_not_found_in_another_county(db, ws, vestland):
    inn = create_innovation(db, ws, origin="5001")
    common = common_with_benefits(db, ws, inn)
    with in_workspace(db, vestland):
        with pytest.raises(NotFound):
            benefits.get_plan(db, vestland, inn.id, common.id)
        with pytest.raises(NotFound):
            benefits_status.overview(db, vestland, COORD, inn.id)


def test_bad_input_is_refused_and_nothing_is_stored(db, ws):
    inn = create_innovation(db, ws, origin="5001")
    common = common_with_benefits(db, ws, inn)
    adopt(db, ws, inn, "5020")
    with in_workspace(db, ws):
        osen = benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5020"))
        quantitative, _share, qualitative = sorted(osen.benefits, key=lambda b: b.id)
        before = count(db, ws, Benefit)
        with pytest.raises(InvalidInput) as err:
            benefits.add_benefit(
                db,
                ws,
                COORD,
                inn.id,
                common.id,
                BenefitForm(
                    name="Baklengs", baseline_date=date(2027, 1, 1), target_date=date(2026, 1, 1)
                ),
            )
        assert "target_date" in err.value.errors
        with pytest.raises(InvalidInput) as err:
            benefits.add_measurement(
                db,
                ws,
                COORD,
                inn.id,
                osen.id,
                quantitative.id,
                MeasurementForm(measured_on=today()),
            )
        assert "value" in err.value.errors
        with pytest.raises(InvalidInput) as err:
            benefits.add_measurement(
                db,
                ws,
                COORD,
                inn.id,
                osen.id,
                qualitative.id,
                MeasurementForm(measured_on=today(), text="   "),
            )
        assert "text" in err.value.errors
        with pytest.raises(InvalidInput):
            benefits.add_measurement(
                db,
                ws,
                COORD,
                inn.id,
                osen.id,
                quantitative.id,
                MeasurementForm(measured_on=today() + timedelta(days=3), value=1),
            )
    with in_workspace(db, ws):
        assert count(db, ws, Benefit) == before
        assert count(db, ws, Measurement) == 0
    with pytest.raises(ValueError):
        BenefitForm(name="Tall", baseline="mange")


def test_due_dates_and_what_covers_them():
    assert benefits_status.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert benefits_status.add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)
    assert benefits_status.due_dates(date(2026, 1, 15), []) == [
        date(2026, 7, 15),
        date(2027, 1, 15),
    ]
    due = [date(2026, 7, 15), date(2027, 1, 15)]
    assert benefits_status.open_due(due, [date(2026, 7, 1)]) == [date(2027, 1, 15)]
    assert benefits_status.open_due(due, [date(2027, 2, 1)]) == []
    assert benefits.round_scale(Decimal("238.93")) == Decimal("239")
    assert benefits.round_scale(Decimal("0.0041852")) == Decimal("0.0042")
