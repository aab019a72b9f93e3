"""The benefits plans of the innovations demo, as data: two common plans (Kongsbergregionen's
four templates) with their benefits, and the adopting municipalities' scaled copies with their
measurements. How the loader reads them: ``demo_data.py``."""

from __future__ import annotations

from app.innovations.demo_types import (
    Assessment,
    BenefitData,
    BenefitPlanData,
    Management,
    MeasurementData,
    MunicipalPlanData,
    Obstacles,
    Realisation,
)

VISITS = "Færre fysiske nattbesøk"
DRIVING = "Kortere kjøretid om natten"
SLEEP = "Bedre nattesøvn for brukerne"
STAFF = "Tryggere nattevakter"

PLANS = "Prosjekter med godkjent gevinstplan"
BUDGET = "Gevinster tatt ut i budsjettet"
TIME = "Frigjort tid i tjenestene"
STOPPED = "Prosjekter stoppet før oppstart"
LANGUAGE = "Felles språk om gevinster i ledergruppene"


def _m(benefit: str, months_ago: int, value: float | str) -> MeasurementData:
    if isinstance(value, str):
        return MeasurementData(benefit, months_ago, text=value)
    return MeasurementData(benefit, months_ago, value=value)


BENEFIT_PLANS: list[BenefitPlanData] = [
    # Osen's night-time sensors, planned in common for the four Fosen municipalities.
    BenefitPlanData(
        innovation="digitalt-nattilsyn",
        assessment=Assessment(
            need=(
                "Nattevaktene i Fosen kjører langt for korte tilsyn, og det er vanskelig å få "
                "folk til nattestillingene."
            ),
            goal=(
                "Færre unødvendige nattbesøk, bedre søvn for brukerne og tryggere nattevakter "
                "innen to år."
            ),
            alternatives=(
                "Fortsette som før, bruke trygghetsalarm alene, eller ta i bruk det "
                "sensorbaserte tilsynet Osen har prøvd."
            ),
            cost=(
                "Om lag 1,2 millioner kroner i utstyr og opplæring for de fire kommunene, "
                "deretter om lag 250 000 kroner i året til lisens og drift."
            ),
            risk=(
                "Ustabilt mobilnett, at brukere eller pårørende ikke samtykker, og at de ansatte "
                "ikke stoler på varslene."
            ),
            recommendation=(
                "Starte i alle fire kommunene med Osen som støttespiller, og vurdere "
                "resultatene etter ett år."
            ),
        ),
        management=Management(
            owner="Kommunalsjefene for helse i Fosen. Åfjord leder styringsgruppen.",
            organisation=(
                "Styringsgruppe med de fire kommunalsjefene, og en prosjektgruppe med én "
                "fagperson fra hver kommune og én fra IKT."
            ),
            milestones=(
                "Avtale med leverandør, første bruker i hver kommune, evaluering etter seks "
                "måneder, overføring til drift."
            ),
            resources=(
                "Prosjektleder i 40 prosent stilling i ett år, og to dagers opplæring for hver "
                "nattevakt."
            ),
            communication=(
                "Informasjon til brukere og pårørende før oppstart, og et kort statusmøte i "
                "styringsgruppen hver måned."
            ),
        ),
        obstacles=Obstacles(
            organisational=(
                "Nattevaktene må endre rutiner og stole på varsler i stedet for å se brukeren selv."
            ),
            technical=(
                "Mobildekningen er svak i deler av Osen og Åfjord, og noen hjem trenger en egen "
                "ruter."
            ),
            economic=(
                "Gevinsten kommer først når besøk faktisk blir tatt ut av kjørelistene, ikke "
                "når utstyret er montert."
            ),
            legal=(
                "Tilsynet krever samtykke eller vedtak for hver bruker, og en vurdering av "
                "personvernkonsekvensene før oppstart."
            ),
        ),
        realisation=Realisation(
            during_project=(
                "Kortere kjøreruter om natten fra første måned etter at en bruker har fått "
                "tilsynet."
            ),
            in_operation=(
                "Færre nattestillinger ved naturlig avgang, og frigjort tid til brukerne som "
                "trenger fysisk besøk."
            ),
            what_it_takes=(
                "At lederne endrer kjørelister og turnus, og at den frigjorte tiden blir brukt "
                "bevisst."
            ),
            how_measured=(
                "Besøkslogg og kjørebok hver tredje måned, og samtaler med brukere og ansatte "
                "to ganger i året."
            ),
        ),
        responsible_name="Tove Aasen (demo)",
        responsible_email="tove.aasen@afjord.demo",
        benefits=(
            BenefitData(
                name=VISITS,
                kind="quantitative",
                unit="besøk per uke",
                baseline=420,
                baseline_months_ago=14,
                target=260,
                target_months_ahead=10,
                measured_by="Leder for hjemmetjenesten, fra besøksloggen",
                when_taken_out="operation",
                status="on_track",
            ),
            BenefitData(
                name=DRIVING,
                kind="quantitative",
                unit="timer per måned",
                baseline=300,
                baseline_months_ago=14,
                target=180,
                target_months_ahead=10,
                measured_by="Leder for hjemmetjenesten, fra kjøreboken",
                when_taken_out="project",
                status="on_track",
            ),
            BenefitData(
                name=SLEEP,
                kind="qualitative",
                target_months_ahead=6,
                measured_by="Samtale med brukeren tre måneder etter oppstart",
                when_taken_out="operation",
                status="realised",
            ),
            BenefitData(
                name=STAFF,
                kind="qualitative",
                target_months_ahead=6,
                measured_by="Kort spørreundersøkelse blant nattevaktene",
                when_taken_out="project",
                status="on_track",
            ),
        ),
        municipal_plans=(
            MunicipalPlanData(
                workspace="trondelag",
                municipality="5020",  # Osen
                scale=0.10,
                responsible_name="Kari Kvalvik (demo)",
                responsible_email="kari.kvalvik@osen.demo",
                measurements=(
                    _m(VISITS, 11, 40),
                    _m(VISITS, 8, 35),
                    _m(VISITS, 5, 31),
                    _m(VISITS, 2, 28),
                    _m(DRIVING, 11, 29),
                    _m(DRIVING, 8, 24),
                    _m(DRIVING, 5, 22),
                    _m(DRIVING, 2, 20),
                    _m(SLEEP, 6, "Fire av fem brukere sier de sover bedre uten besøk om natten."),
                    _m(
                        STAFF,
                        4,
                        "Nattevaktene stoler på varslene, men vil ha tydeligere lyd på mobilen.",
                    ),
                ),
            ),
            MunicipalPlanData(
                workspace="trondelag",
                municipality="5058",  # Åfjord
                scale=0.25,
                responsible_name="Tove Aasen (demo)",
                responsible_email="tove.aasen@afjord.demo",
                measurements=(
                    _m(VISITS, 10, 101),
                    _m(VISITS, 7, 90),
                    _m(VISITS, 4, 81),
                    _m(VISITS, 1, 74),
                    _m(DRIVING, 10, 72),
                    _m(DRIVING, 7, 63),
                    _m(DRIVING, 4, 57),
                    _m(DRIVING, 1, 52),
                    _m(SLEEP, 5, "Brukerne og de pårørende er fornøyde. To ville ha besøk igjen."),
                ),
            ),
            MunicipalPlanData(
                workspace="trondelag",
                municipality="5054",  # Indre Fosen
                scale=0.35,
                responsible_name="Petter Rissa (demo)",
                responsible_email="petter.rissa@indre-fosen.demo",
                measurements=(
                    _m(VISITS, 7, 150),
                    _m(VISITS, 4, 139),
                    _m(VISITS, 1, 131),
                    _m(DRIVING, 7, 104),
                    _m(DRIVING, 4, 96),
                    _m(DRIVING, 1, 90),
                    _m(
                        STAFF,
                        3,
                        "Flere nattevakter vil ha mer opplæring før de stoler på varslene.",
                    ),
                ),
                statuses={VISITS: "behind", STAFF: "behind"},
            ),
            MunicipalPlanData(
                workspace="trondelag",
                municipality="5057",  # Ørland: started, nothing measured yet
                scale=0.30,
                responsible_name="Ola Brekstad (demo)",
                responsible_email="ola.brekstad@orland.demo",
                statuses={VISITS: "planned", DRIVING: "planned", SLEEP: "planned"},
            ),
            MunicipalPlanData(
                workspace="vestland",
                municipality="4629",  # Modalen, another county's copy of the shared plan
                scale=0.02,
                responsible_name="Mona Mo (demo)",
                responsible_email="mona.mo@modalen.demo",
                measurements=(
                    _m(VISITS, 5, 8),
                    _m(VISITS, 2, 6),
                    _m(DRIVING, 5, 5),
                    _m(DRIVING, 2, 4),
                    _m(SLEEP, 3, "Begge brukerne sover bedre og vil fortsette."),
                ),
            ),
        ),
    ),
    # Kongsbergregionen's method applied to itself: the region's common plan for introducing
    # the four templates in the eight member municipalities.
    BenefitPlanData(
        innovation="gevinstrealisering-fire-maler",
        assessment=Assessment(
            need=(
                "Kommunene i regionen bruker mye penger på digitalisering, men kan ikke vise "
                "hva investeringene gir."
            ),
            goal=(
                "Alle prosjekter over 200 000 kroner har en gevinstplan, og gevinstene blir "
                "tatt ut i budsjettet."
            ),
            alternatives=(
                "At hver kommune lager sin egen metode, å kjøpe et verktøy for "
                "porteføljestyring, eller felles maler for hele regionen."
            ),
            cost=(
                "Om lag 400 000 kroner til å lage malene og lære dem bort, deretter noen dager "
                "i året til oppfølging i hver kommune."
            ),
            risk=(
                "At malene blir skjemaer som fylles ut uten at noen følger opp, og at gevinster "
                "blir regnet for høyt for å få et prosjekt godkjent."
            ),
            recommendation=(
                "Ta i bruk felles maler i alle kommunene, med rådmannsutvalget som eier og "
                "oppfølging hvert halvår."
            ),
        ),
        management=Management(
            owner="Rådmannsutvalget i Kongsbergregionen.",
            organisation=(
                "Sekretariatet koordinerer. Hver kommune har en gevinstansvarlig i "
                "økonomiavdelingen."
            ),
            milestones=(
                "Malene ferdige, opplæring i alle kommunene, første felles gevinstrapport, "
                "evaluering etter to år."
            ),
            resources=(
                "En rådgiver i sekretariatet i 30 prosent stilling, og to timer i måneden for "
                "hver gevinstansvarlig."
            ),
            communication=(
                "Gevinstrapport til rådmannsutvalget to ganger i året, og en kort sak til "
                "kommunestyrene hver høst."
            ),
        ),
        obstacles=Obstacles(
            organisational=(
                "Lederne må godta at budsjettet blir redusert når en gevinst er tatt ut."
            ),
            technical=(
                "Mange av tallene som trengs, finnes ikke i fagsystemene og må hentes for hånd."
            ),
            economic=(
                "Det er fristende å bruke frigjort tid på nye oppgaver uten å vise det i "
                "budsjettet."
            ),
            legal=("Endringer i bemanning må drøftes med de tillitsvalgte før de blir gjort."),
        ),
        realisation=Realisation(
            during_project=("Prosjekter uten en god nok gevinst blir stoppet før de starter."),
            in_operation=(
                "Lavere driftskostnader og frigjort tid tas ut i budsjettet året etter at en "
                "løsning er i drift."
            ),
            what_it_takes=(
                "En gevinstansvarlig i hver kommune, og at kommunedirektøren følger opp i "
                "ledermøtene."
            ),
            how_measured=(
                "Den gevinstansvarlige rapporterer hver gevinst i den felles malen hvert halvår."
            ),
        ),
        responsible_name="Kjersti Kobberstad (demo)",
        responsible_email="kjersti.kobberstad@kongsbergregionen.demo",
        benefits=(
            BenefitData(
                name=PLANS,
                kind="quantitative",
                unit="prosjekter per år",
                baseline=4,
                baseline_months_ago=24,
                target=24,
                target_months_ahead=12,
                measured_by="Gevinstansvarlig i hver kommune",
                when_taken_out="project",
                status="on_track",
            ),
            BenefitData(
                name=BUDGET,
                kind="quantitative",
                unit="kroner per år",
                baseline=0,
                baseline_months_ago=24,
                target=6_000_000,
                target_months_ahead=12,
                measured_by="Økonomisjefen, fra budsjettdokumentene",
                when_taken_out="operation",
                status="behind",
            ),
            BenefitData(
                name=TIME,
                kind="quantitative",
                unit="timer per år",
                baseline=0,
                baseline_months_ago=24,
                target=15_000,
                target_months_ahead=12,
                measured_by="Gevinstansvarlig, fra tidsregistrering og ledernes anslag",
                when_taken_out="operation",
                status="on_track",
            ),
            BenefitData(
                name=STOPPED,
                kind="quantitative",
                unit="prosjekter per år",
                baseline=0,
                baseline_months_ago=24,
                target=3,
                target_months_ahead=12,
                measured_by="Sekretariatet",
                when_taken_out="project",
                status="realised",
            ),
            BenefitData(
                name=LANGUAGE,
                kind="qualitative",
                target_months_ahead=12,
                measured_by="Intervju med ledergruppene en gang i året",
                when_taken_out="project",
                status="on_track",
            ),
        ),
        municipal_plans=(
            MunicipalPlanData(
                workspace="buskerud",
                municipality="3303",  # Kongsberg
                scale=0.40,
                responsible_name="Kjetil Kobberud (demo)",
                responsible_email="kjetil.kobberud@kongsberg.demo",
                measurements=(
                    _m(PLANS, 18, 3),
                    _m(PLANS, 12, 6),
                    _m(PLANS, 6, 8),
                    _m(PLANS, 1, 9),
                    _m(BUDGET, 12, 350_000),
                    _m(BUDGET, 6, 900_000),
                    _m(BUDGET, 1, 1_400_000),
                    _m(TIME, 12, 1_200),
                    _m(TIME, 6, 2_900),
                    _m(TIME, 1, 4_100),
                    _m(STOPPED, 12, 1),
                    _m(STOPPED, 1, 2),
                    _m(
                        LANGUAGE,
                        6,
                        "Ledergruppen har gevinstmalen som fast punkt når nye prosjekter "
                        "meldes inn.",
                    ),
                ),
            ),
            MunicipalPlanData(
                workspace="buskerud",
                municipality="3334",  # Flesberg
                scale=0.06,
                responsible_name="Ellen Lampeland (demo)",
                responsible_email="ellen.lampeland@flesberg.demo",
                measurements=(
                    _m(PLANS, 12, 1),
                    _m(PLANS, 1, 2),
                    _m(BUDGET, 6, 40_000),
                    _m(BUDGET, 1, 110_000),
                    _m(TIME, 6, 150),
                    _m(TIME, 1, 380),
                    _m(
                        LANGUAGE,
                        1,
                        "Malen er nyttig, men litt omfattende for små prosjekter i en liten "
                        "ledergruppe.",
                    ),
                ),
            ),
            MunicipalPlanData(
                workspace="telemark",
                municipality="4005",  # Notodden, another county's copy of the shared plan
                scale=0.25,
                responsible_name="Nina Nordbø (demo)",
                responsible_email="nina.nordbo@notodden.demo",
                measurements=(
                    _m(PLANS, 18, 2),
                    _m(PLANS, 12, 4),
                    _m(PLANS, 6, 5),
                    _m(PLANS, 1, 6),
                    _m(BUDGET, 12, 200_000),
                    _m(BUDGET, 6, 450_000),
                    _m(BUDGET, 1, 600_000),
                    _m(TIME, 6, 1_300),
                    _m(TIME, 1, 2_200),
                    _m(STOPPED, 6, 1),
                    _m(
                        LANGUAGE,
                        6,
                        "Helse og omsorg bruker malene mest. Teknisk sektor har så vidt begynt.",
                    ),
                ),
                statuses={BUDGET: "behind"},
            ),
        ),
    ),
]
