"""Strategies in the demo: Trøndelag's regional strategy for innovation and digitalisation,
drawn from the recommendations of the study behind Samspill. Version 1 went on consultation
(høring) to Statsforvalteren, KS, Osen, a regional council and a guest research institute;
the round is closed, every comment is answered and the answers are published; version 2
carries the accepted amendment and is adopted by the county council. The measures of the
action plan sit on the strategy itself, each linked to the section it implements.

Everything is made through the services, as users would make it, and then moved back in time
on the rows (the services refuse comments on a closed round and answers on an open one), so
that the dates read true. Mail the services queue on the way is removed: nobody is told today
about a round that closed months ago."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts import principal as principals
from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.principal import Principal
from app.clock import OSLO, today
from app.counties.models import Workspace
from app.mail.models import OutboxMessage
from app.networks import service as networks_service
from app.strategies import measures, service, text
from app.strategies.consultation import answers, comments, invitees, responses, rounds
from app.strategies.consultation.schemas import (
    AmendmentCreate,
    AnswerForm,
    CommentCreate,
    InviteeCreate,
    ResponseForm,
    RoundCreate,
)
from app.strategies.models import ConsultationComment, Invitee, StrategyNotice
from app.strategies.schemas import (
    AdoptionForm,
    DocumentForm,
    MeasureForm,
    PublishForm,
    SectionCreate,
    SectionUpdate,
)
from app.tenancy import scoped, set_db_scope

TITLE = "Regional strategi for innovasjon og digitalisering i Trøndelag 2027–2030 (demo)"
SUMMARY = (
    "Demodata: strategien er laget for å vise Samspill. Innholdet bygger på anbefalingene fra "
    "en studie av distriktskommuner og statlige virkemidler for innovasjon, men navn, datoer, "
    "vedtak og tiltak stemmer ikke nødvendigvis."
)
ADOPTED_BY = "Fylkestinget i Trøndelag"
GUEST_NAME = "Midt-norsk forskningsinstitutt (demo)"
GUEST_EMAIL = "postmottak@forskning.demo"

INTRO = """\
Denne strategien beskriver hvordan Trøndelag fylkeskommune, kommunene og de regionale \
partnerne skal arbeide sammen om innovasjon og digitalisering i perioden 2027–2030. \
*Dokumentet er demodata laget for å vise Samspill.*

Utgangspunktet er kjent: små distriktskommuner deltar langt sjeldnere i statlige ordninger for \
innovasjon enn større kommuner. De mangler ikke ideer, men kapasitet og kompetanse. Én person \
har ofte mange roller, og prosjektledere som er ansatt på tilskuddsmidler, slutter gjerne før \
prosjektet er ferdig.

Strategien bygger på det som virker: samarbeid i regionen, gjennom arenaene kommunene allerede \
bruker. Den har seks innsatsområder:

1. Regional forankring
2. Hjelpekorps for kommunene
3. Samarbeid i regionrådene
4. Spredning av innovasjoner
5. Gevinstrealisering
6. Felles oversikt over virkemidler

Hvert innsatsområde har tiltak i handlingsplanen, med eier, frist og status."""

INTRO_AFTER_ROUND = (
    "\n\nUtkastet var på høring hos Statsforvalteren, KS, kommunene, regionrådene og "
    "forskningsmiljøene. Høringsoppsummeringen viser alle innspill og hvordan de er fulgt opp."
)

ANCHORING = """\
Fylkeskommunen har ansvaret for å samordne regionale strategier og planer for innovasjon. Det \
gjør vi sammen med Statsforvalteren i Trøndelag og KS, slik at kommunene møter én felles \
retning og ikke tre ulike.

- Fylkeskommunen, Statsforvalteren og KS avstemmer prioriteringene sine for innovasjon og \
digitalisering før de regionale tilskuddene lyses ut.
- Strategien legges til grunn for fylkeskommunens regionale utviklingsmidler, og \
Statsforvalteren tar den med i vurderingen av prosjektskjønnsmidler.
- KS bidrar med nettverk og kompetanseprogrammer for ledere og ansatte i kommunene.

Dialogen med kommunene går gjennom regionrådene. Strategien og handlingsplanen legges fram for \
alle regionrådene før de behandles politisk, og hvert år melder regionrådene inn hva kommunene \
trenger mest det kommende året."""

HELP_CORPS_LAST = """\
Kommunen ber om hjelp i hjelpekorpsets kø i Samspill. Fylkeskommunen fordeler oppdragene etter \
kompetanse og kapasitet, og kommuner med under 3 000 innbyggere går foran når køen er lang."""

HELP_CORPS_QUOTE = "Hjelpen skal gis der kommunen er, ikke bare på telefon og Teams."

HELP_CORPS = f"""\
Kommunene har bedt om et hjelpekorps de kan kalle på, ikke flere veiledere på avstand. \
Fylkeskommunen etablerer derfor et mobilt hjelpekorps med rådgivere fra fylkeskommunen, \
Statsforvalteren og KS, og med erfarne medarbeidere fra mentorkommuner som har gjort jobben før.

Hjelpekorpset skal kunne brukes i alle faser: når en idé skal forankres, når en søknad skal \
skrives, når en løsning skal prøves ut og når den skal over i vanlig drift. {HELP_CORPS_QUOTE} \
Et besøk i kommunen er ofte det som skal til for å få med ledere og ansatte.

{HELP_CORPS_LAST}"""

# Osen's amendment (not accepted): the same text with fixed days for the smallest.
HELP_CORPS_OSEN = HELP_CORPS.replace(
    HELP_CORPS_LAST,
    """\
Kommunen ber om hjelp i hjelpekorpsets kø i Samspill. Hver kommune med under 3 000 innbyggere \
får i tillegg to faste dager med hjelp fra hjelpekorpset hver måned, etter en plan kommunen \
lager sammen med korpset.""",
)

COUNCILS = """\
Regionrådene er den viktigste arenaen for samarbeid mellom kommunene i Trøndelag. Små kommuner \
har ikke mulighet til å være med i mange spesialiserte nettverk. Innovasjons- og \
digitaliseringsarbeidet skal derfor gå gjennom arenaene de allerede er med i.

- Innovasjon og digitalisering blir en fast sak i regionrådene, minst to ganger i året.
- DigiTrøndelag og arbeidsutvalget med representanter fra regionene er bindeleddet mellom \
regionrådene og det felles digitaliseringsarbeidet i fylket.
- Fylkeskommunen kommer til regionrådene med oversikt over hjelpekorpsets oppdrag, nye \
løsninger i registeret og frister for tilskudd.

Der en kommune er med i to regionråd, avtaler kommunen og rådene hvor saken følges opp, slik at \
kommunen ikke må gjøre det samme arbeidet to ganger."""

SPREADING = """\
En innovasjon er ikke spredd før den er tatt i bruk et nytt sted. Mange gode løsninger i \
trønderske kommuner blir værende der de ble laget, fordi andre ikke kjenner til dem eller ikke \
vet hvem de skal spørre.

Fylkeskommunen oppretter derfor et felles register over løsninger kommunene har laget eller \
tatt i bruk. For hver løsning viser registeret:

- hva løsningen gjør, og hvilket behov den dekker
- hvilken fase den er i, fra forankring og innsikt til pilot og drift
- hvilke kommuner som har prøvd den, og hvem som kan kontaktes
- hvilke kommuner som har tatt den i bruk etter piloten

Hjelpekorpset kan hjelpe en kommune som vil ta i bruk en løsning fra en annen kommune, og \
mentorkommunen får dekket tiden den bruker på å dele erfaringene sine."""

BENEFITS = """\
Gevinstene av et prosjekt kommer sjelden av seg selv. Små kommuner har ofte ikke tid eller \
metode til å følge opp om en ny løsning faktisk gir de gevinstene som var planlagt.

Fylkeskommunen, Statsforvalteren og KS tar i bruk en felles metode med fire maler:

1. **Prosjektvurdering**: skal vi sette i gang, og hva er alternativene?
2. **Prosjektstyring**: mål, organisering, risiko og framdrift.
3. **Gevinstplan**: hvilke gevinster vi venter, hvordan de måles, og hvem som har ansvaret.
4. **Gevinstrealiseringsplan**: hva som må endres i driften for at gevinstene skal tas ut.

Malene er enkle nok til å brukes i en kommune med få ansatte, og hjelpekorpset hjelper til med \
å fylle dem ut."""

# KS' amendment (accepted): the responsibility for the benefits stays when the project ends.
BENEFITS_ADDITION = """\
Gevinstplanen lages før prosjektet starter, og følges opp etter at prosjektet er avsluttet, \
også når prosjektlederen har gått videre. Ansvaret for gevinstrealiseringsplanen ligger derfor \
hos linjeleder i kommunen, ikke i prosjektet."""
BENEFITS_KS = f"{BENEFITS}\n\n{BENEFITS_ADDITION}"

SCHEMES = """\
Det finnes mange statlige ordninger for innovasjon i kommunene, men de er spredt på ulike \
sektorer og eiere. Små distriktskommuner deltar langt mindre enn andre, og mange sier at de ikke \
har oversikt over hva som finnes, hvem som kan søke og når fristene er.

Fylkeskommunen lager én felles oversikt over virkemidlene som er aktuelle for kommunene i \
Trøndelag, blant annet Regionale forskningsfond, Forkommune, Statsforvalterens \
prosjektskjønnsmidler, Klimasats, Nasjonalt velferdsteknologiprogram, DigiFin og \
Leverandørutviklingsprogrammet. For hver ordning viser oversikten formål, hvem som kan søke, \
frister og krav til egenandel.

- Fristene samles i en felles kalender som kommunene kan abonnere på.
- Fylkeskommunen følger med på hvilke kommuner som deltar i hvilke ordninger, og viser hvert år \
hvordan de små kommunene deltar sammenlignet med de andre.
- Hver kommune melder inn hvem som har ansvaret for innovasjon og digitalisering, slik at \
informasjon fra ordningene når riktig person."""

SECTIONS = [
    ("Innledning", INTRO),
    ("Regional forankring", ANCHORING),
    ("Hjelpekorps for kommunene", HELP_CORPS),
    ("Samarbeid i regionrådene", COUNCILS),
    ("Spredning av innovasjoner", SPREADING),
    ("Gevinstrealisering", BENEFITS),
    ("Felles oversikt over virkemidler", SCHEMES),
]

COVER = """\
Trøndelag fylkeskommune sender utkastet til regional strategi for innovasjon og \
digitalisering 2027–2030 på høring. Vi ønsker særlig innspill på hjelpekorpset, samarbeidet i \
regionrådene og oversikten over virkemidler.

Kommenter gjerne direkte på avsnittene, eller send et samlet høringssvar fra organisasjonen. \
*Dette er en demohøring.*"""

RESPONSE_SF = """\
Statsforvalteren i Trøndelag viser til høringen om regional strategi for innovasjon og \
digitalisering i Trøndelag 2027–2030.

Vi støtter strategien, og særlig at fylkeskommunen, Statsforvalteren og KS skal samordne \
prioriteringene sine. Det gir kommunene ett sett med signaler i stedet for tre.

Vi har tre merknader:

1. Samordningen bør skje i et fast, årlig møte før tilskuddene for neste år lyses ut.
2. Når Statsforvalterens rådgivere er med i hjelpekorpset, må det være tydelig for kommunen at \
de gir veiledning og ikke fører tilsyn.
3. Oversikten over virkemidler bør skille mellom ordninger kommunen kan søke alene, og \
ordninger som krever samarbeid.

Med hilsen
Statsforvalteren i Trøndelag (demo)"""

RESPONSE_KS = """\
KS takker for muligheten til å gi innspill til strategien.

KS støtter hovedgrepet: å bygge på regionrådene og de nettverkene kommunene allerede er med i, \
og å gi små kommuner praktisk hjelp der de er. Hjelpekorpset er et godt svar på det kommunene \
selv har bedt om.

Vi vil særlig peke på gevinstrealisering. Erfaringen fra mange prosjekter er at arbeidet med \
gevinstene stopper når prosjektmidlene og prosjektlederen forsvinner. Vi har derfor foreslått en \
endring i avsnittet om gevinstrealisering som legger ansvaret hos linjeleder.

KS mener også at regionrådenes sekretariater er for små til å bære arbeidet alene, og ber \
fylkeskommunen vurdere å styrke dem.

Med vennlig hilsen
KS Trøndelag (demo)"""


@dataclass(frozen=True)
class Comment:
    """A comment in the demo round: who, on which section (index in SECTIONS), when (days
    after the round opened, hour), what, and the coordinator's answer."""

    who: str  # "sf", "ks", "osen", "guest"
    section: int
    day: int
    hour: int
    body: str
    answer: str
    reason: str
    quote: str = ""
    proposed: str = ""  # an amendment: the section's new text


COMMENTS = [
    Comment(
        "sf",
        1,
        3,
        10,
        "Statsforvalteren støtter at fylkeskommunen, Statsforvalteren og KS samordner "
        "prioriteringene. Vi foreslår at det skjer i et fast, årlig samordningsmøte før "
        "tilskuddene for neste år lyses ut, slik at kommunene får ett sett med signaler.",
        "accepted",
        "Et årlig samordningsmøte er tatt inn som tiltak i handlingsplanen, med "
        "fylkeskommunen som eier.",
    ),
    Comment(
        "sf",
        6,
        19,
        13,
        "Oversikten bør skille tydelig mellom ordninger kommunen kan søke alene, og ordninger "
        "som krever at flere kommuner søker sammen. For prosjektskjønnsmidlene bør det også stå "
        "at prosjektet må være forankret i kommuneledelsen og ha en plan for drift etter "
        "prosjektperioden.",
        "partly",
        "Oversikten vil skille mellom ordninger kommunen kan søke alene og sammen med andre. "
        "Kravene til hver ordning hentes fra ordningseierne og holdes oppdatert i oversikten, "
        "ikke i strategiteksten.",
    ),
    Comment(
        "ks",
        4,
        6,
        9,
        "Registeret bør bruke de samme fasene som KS' veikart for tjenesteinnovasjon: "
        "forankring, innsikt, tjenestedesign, pilot, overgang til drift og ny praksis. Da "
        "kjenner kommunene igjen begrepene fra KS' nettverk og kurs.",
        "accepted",
        "Registeret bygger på fasene i veikartet. Det følges opp i tiltaket om registeret.",
    ),
    Comment(
        "ks",
        3,
        12,
        14,
        "Sekretariatene i regionrådene er små. KS mener de ikke kan bære dette arbeidet alene, "
        "og foreslår at fylkeskommunen finansierer en digitaliseringsrådgiver i hvert regionråd.",
        "not_accepted",
        "Fylkeskommunen har ikke midler til en ny stilling i hvert regionråd i strategiperioden. "
        "Vi prøver ut en felles rådgiver i Fosen og vurderer resultatet før handlingsplanen "
        "rulleres.",
    ),
    Comment(
        "ks",
        5,
        20,
        11,
        "Erfaringen er at arbeidet med gevinstene stopper når prosjektmidlene og prosjektlederen "
        "forsvinner. Strategien bør si tydelig at gevinstplanen lages før prosjektet starter, og "
        "at ansvaret for å ta ut gevinstene ligger hos linjeleder.",
        "accepted",
        "Endringsforslaget er tatt inn i sin helhet i versjon 2.",
        proposed=BENEFITS_KS,
    ),
    Comment(
        "osen",
        2,
        8,
        15,
        "Dette er det viktigste punktet for oss. Osen har rundt 900 innbyggere, og de samme få "
        "personene har ansvar for søknader, prosjekter og drift. Vi ber om at hjelpekorpset kan "
        "følge et prosjekt over tid, også etter at tilskuddsperioden er over.",
        "partly",
        "Hjelpekorpset kan følge et prosjekt i alle faser, også over i drift. Det kan ikke ta "
        "over rollen som prosjektleder i kommunen, men hjelper med å planlegge hvem som tar over "
        "når prosjektet slutter.",
        quote=HELP_CORPS_QUOTE,
    ),
    Comment(
        "osen",
        6,
        15,
        12,
        "Det er ofte egenandelen som stopper oss, ikke selve søknaden. Oversikten bør vise "
        "kravet til egenandel tydelig for hver ordning.",
        "noted",
        "Oversikten viser kravet til egenandel for hver ordning. Hvordan egenandelen deles i et "
        "samarbeid, avtales i hvert prosjekt.",
    ),
    Comment(
        "osen",
        2,
        22,
        9,
        "Med faste dager kan vi planlegge. Når hjelpen bare kommer etter tur i en kø, blir det de "
        "kommunene som roper høyest, som får den.",
        "not_accepted",
        "Hjelpekorpset har ikke kapasitet til faste dager i alle de minste kommunene samtidig, og "
        "behovene varierer mye gjennom året. Små kommuner går foran i køen, og hver region får "
        "en fast kontaktperson i hjelpekorpset (tiltak i handlingsplanen).",
        proposed=HELP_CORPS_OSEN,
    ),
    Comment(
        "guest",
        4,
        17,
        10,
        "Vi anbefaler at registeret også viser om en løsning er evaluert, og hvilke gevinster som "
        "faktisk er målt. Instituttet kan gjerne bidra med følgeevaluering av hjelpekorpset.",
        "noted",
        "Takk for tilbudet. Vi tar kontakt om følgeevaluering når hjelpekorpset har vært i drift "
        "i ett år.",
    ),
]

# The thread on Osen's quote: the coordinator asks, Osen answers (days after the opening).
REPLY_COORDINATOR = (
    9,
    10,
    "Takk for innspillet. I hvilke faser trenger dere hjelpen mest? Det tar vi med når "
    "hjelpekorpset planlegges.",
)
REPLY_OSEN = (
    10,
    8,
    "Mest når søknaden skal skrives, og når piloten skal over i vanlig drift. Der har vi stått "
    "alene før.",
)


@dataclass(frozen=True)
class DemoMeasure:
    section: int  # index in SECTIONS
    title: str
    description: str
    owner: str
    partners: str
    days: int  # deadline: days from today
    status: str


FK = "Trøndelag fylkeskommune"
SF = "Statsforvalteren i Trøndelag"
KS = "KS Trøndelag"

MEASURES = [
    DemoMeasure(
        1,
        "Årlig samordningsmøte før utlysningene",
        "Fylkeskommunen, Statsforvalteren og KS går gjennom prioriteringene for neste år før "
        "regionale utviklingsmidler og prosjektskjønnsmidler lyses ut.",
        FK,
        f"{SF}, {KS}",
        95,
        "planned",
    ),
    DemoMeasure(
        1,
        "Prosjektskjønnsmidler i tråd med strategien",
        "Statsforvalteren viser til strategien i retningslinjene for prosjektskjønnsmidler og "
        "legger den til grunn i vurderingen av søknadene.",
        SF,
        FK,
        -20,
        "under_way",
    ),
    DemoMeasure(
        2,
        "Etablere hjelpekorpset",
        "Seks rådgivere fra fylkeskommunen, Statsforvalteren og KS, og to mentorkommuner. "
        "Køen i Samspill tas i bruk fra første dag.",
        FK,
        f"{SF}, {KS}",
        60,
        "under_way",
    ),
    DemoMeasure(
        2,
        "Fast kontaktperson i hjelpekorpset for hver region",
        "Hver region får én kontaktperson som kjenner kommunene og møter i regionrådet.",
        FK,
        "Regionrådene",
        150,
        "planned",
    ),
    DemoMeasure(
        3,
        "Innovasjon og digitalisering som fast sak i regionrådene",
        "Saken står på møteplanen til alle regionrådene to ganger i året.",
        FK,
        "Regionrådene",
        -25,
        "done",
    ),
    DemoMeasure(
        3,
        "Felles digitaliseringsrådgiver i Fosen (pilot)",
        "En rådgiver delt mellom kommunene i Fosen i to år. Erfaringene vurderes før "
        "handlingsplanen rulleres.",
        "Fosen regionråd",
        f"{FK}, {KS}",
        330,
        "planned",
    ),
    DemoMeasure(
        4,
        "Kartlegge løsninger som allerede er tatt i bruk i flere kommuner",
        "Utgangspunktet for registeret: hvilke løsninger finnes, og hvem har tatt dem i bruk.",
        KS,
        f"{FK}, DigiTrøndelag",
        -12,
        "planned",
    ),
    DemoMeasure(
        4,
        "Register over innovasjoner i Samspill",
        "Registeret bygger på fasene i KS' veikart for tjenesteinnovasjon.",
        FK,
        f"{KS}, DigiTrøndelag",
        210,
        "planned",
    ),
    DemoMeasure(
        5,
        "Kurs i gevinstrealisering med de fire malene",
        "Ett kurs i hver region, for ledere og prosjektmedarbeidere.",
        KS,
        f"{FK}, {SF}",
        270,
        "planned",
    ),
    DemoMeasure(
        5,
        "Gevinstplan i søknader om regionale utviklingsmidler",
        "Søknader om regionale utviklingsmidler skal ha en gevinstplan etter felles mal.",
        FK,
        KS,
        480,
        "planned",
    ),
    DemoMeasure(
        6,
        "Felles oversikt over virkemidler og kalender med frister",
        "Oversikten i Samspill, med formål, hvem som kan søke, frister og egenandel.",
        FK,
        f"{SF}, {KS}, Distriktssenteret",
        75,
        "under_way",
    ),
    DemoMeasure(
        6,
        "Søknadsverksted for kommuner under 3 000 innbyggere",
        "To dager med hjelp til søknader, lagt til regionrådenes møter.",
        SF,
        f"{FK}, {KS}",
        400,
        "planned",
    ),
    DemoMeasure(
        6,
        "Felles digital søknadsportal for regionale midler",
        "Avlyst: oversikten over virkemidler dekker behovet. Vurderes på nytt ved rullering.",
        FK,
        "",
        600,
        "cancelled",
    ),
    DemoMeasure(
        0,
        "Rullering av handlingsplanen",
        "Handlingsplanen gjennomgås med partnerne og regionrådene og legges fram for fylkestinget.",
        FK,
        f"{SF}, {KS}, Regionrådene",
        700,
        "planned",
    ),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Norwegian time on a day, in UTC as stored (SQLite keeps no offset)."""
    return datetime.combine(day, time(hour, minute), OSLO).astimezone(UTC)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _principal(session: Session, ws: Workspace, user: User) -> Principal:
    m = accounts_service.get_membership(session, ws.id, user.id)
    assert m is not None, f"demo user {user.email} has no membership in {ws.slug}"
    return principals.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=m.role,
        municipality_number=m.municipality_number,
        organisation_id=m.organisation_id,
        extra_roles=m.extras,
    )


def _council_of(session: Session, ws: Workspace, municipality: str) -> int:
    """A regional council the municipality is a member of (Fosen when it is one)."""
    member_of = networks_service.current_members(
        session, ws, kind="council", municipality_number=municipality
    )
    councils = sorted(
        (
            networks_service.get_body(session, ws, body_id)
            for body_id in {m.body_id for m in member_of}
        ),
        key=lambda b: b.name,
    )
    assert councils, f"municipality {municipality} is in no council in the demo"
    return next((b for b in councils if b.name.startswith("Fosen")), councils[0]).id


def load(session: Session, ws: Workspace) -> None:
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    first_mail = session.scalar(select(func.max(OutboxMessage.id))) or 0
    users = {u.email: u for u in session.scalars(select(User))}
    coordinator = _principal(session, ws, users["koordinator@trondelag.demo"])
    actors = {
        key: _principal(session, ws, users[email])
        for key, email in (
            ("sf", "radgiver@statsforvalteren.demo"),
            ("ks", "radgiver@ks.demo"),
            ("osen", "kommunedirektor@osen.demo"),
        )
    }
    osen = actors["osen"].municipality_number or "5020"

    on = today()
    created = on - timedelta(days=150)
    v1_day = _weekday(on - timedelta(days=122))
    starts = _weekday(on - timedelta(days=106))
    ends = starts + timedelta(days=30)
    answered = _weekday(ends + timedelta(days=10))
    answers_out = _weekday(ends + timedelta(days=14))
    v2_day = _weekday(on - timedelta(days=45))
    adopted = _weekday(on - timedelta(days=30))

    # --- the draft and version 1 ---------------------------------------------------------
    doc = service.create_document(
        session,
        ws,
        coordinator,
        DocumentForm(title=TITLE, kind="innovation_strategy", summary=SUMMARY),
    )
    doc.is_demo = True
    sections = [
        service.add_section(
            session, ws, coordinator, doc.id, SectionCreate(heading=heading, body=body)
        )
        for heading, body in SECTIONS
    ]
    v1 = service.publish(session, ws, coordinator, doc.id, PublishForm(note="Høringsutkast."))
    v1.published_at = _at(v1_day, 14)

    # --- the round: created ahead of its start, so that adding the invitees sends nothing;
    # then opened today, so that the services take the comments --------------------------
    r = rounds.create_round(
        session,
        ws,
        coordinator,
        doc.id,
        RoundCreate(
            version=v1.number,
            title=f"Høring: {TITLE}",
            cover_text=COVER,
            starts_on=on + timedelta(days=1),
            ends_on=on + timedelta(days=30),
        ),
    )

    def invite(**fields: object) -> Invitee:
        return invitees.add_invitee(session, ws, r.id, InviteeCreate.model_validate(fields))

    invited: dict[str, Invitee] = {}
    for key in ("sf", "ks"):
        invited[key] = invite(kind="organisation", organisation_id=actors[key].organisation_id)
    # the municipality before the council: Osen speaks for itself, not through the council
    invited["osen"] = invite(kind="municipality", municipality_number=osen)
    invited["council"] = invite(kind="body", body_id=_council_of(session, ws, osen))
    invited["guest"] = invite(kind="guest", guest_name=GUEST_NAME, guest_email=GUEST_EMAIL)
    actors["guest"] = principals.guest(
        invited["guest"].id, "Forsker ved instituttet (demo)", GUEST_EMAIL
    )
    r.starts_on = on
    session.flush()

    # --- comments, amendments, a thread and the formal responses ---------------------------
    made: list[tuple[Comment, ConsultationComment]] = []
    for c in COMMENTS:
        key = sections[c.section].key
        if c.proposed:
            amendment = AmendmentCreate(
                section_key=key,
                proposed_text=c.proposed,
                reason=c.body,
                base=text.fingerprint(sections[c.section].body),
            )
            row = comments.add_amendment(session, ws, actors[c.who], r.id, amendment)
        else:
            comment = CommentCreate(section_key=key, body=c.body, quote=c.quote)
            row = comments.add_comment(session, ws, actors[c.who], r.id, comment)
        row.created_at = _at(starts + timedelta(days=c.day), c.hour, 12)
        made.append((c, row))
    quoted = next(row for c, row in made if c.quote)
    for actor, (day, hour, body) in (
        (coordinator, REPLY_COORDINATOR),
        (actors["osen"], REPLY_OSEN),
    ):
        reply = comments.add_comment(
            session,
            ws,
            actor,
            r.id,
            CommentCreate(section_key=quoted.section_key, body=body, parent_id=quoted.id),
        )
        reply.created_at = _at(starts + timedelta(days=day), hour, 40)
    for key, body, day in (("sf", RESPONSE_SF, 27), ("ks", RESPONSE_KS, 29)):
        draft = ResponseForm(body=body, revision=0)
        responses.save_response(session, ws, actors[key], r.id, invited[key].id, draft)
        response = responses.submit_response(session, ws, actors[key], r.id, invited[key].id)
        response.updated_at = _at(starts + timedelta(days=day), 11)
        response.submitted_at = _at(starts + timedelta(days=day), 15)

    # --- the round closed months ago -----------------------------------------------------
    r.starts_on, r.ends_on = starts, ends
    for inv in invited.values():
        inv.invited_at = _at(starts, 9)
    session.flush()

    # --- the coordinator's answers, the accepted amendment written into the draft ----------
    for n, (c, row) in enumerate(made):
        verdict = AnswerForm(answer=c.answer, reason=c.reason)
        result = answers.answer(session, ws, coordinator, r.id, row.id, verdict)
        at = _at(answered, 9, 5 * n)
        row.answered_at = at
        if result.applied and result.draft_section is not None:
            row.applied_at = at
            result.draft_section.updated_at = at
    answers.publish_answers(session, ws, coordinator, r.id)
    r.answers_published_at = _at(answers_out, 12)

    # --- version 2, adopted by the county council -------------------------------------------
    intro = sections[0]
    service.save_section(
        session,
        ws,
        coordinator,
        doc.id,
        intro.id,
        SectionUpdate(
            heading=intro.heading, body=intro.body + INTRO_AFTER_ROUND, revision=intro.revision
        ),
    )
    intro.updated_at = _at(answers_out, 14)
    v2 = service.publish(
        session,
        ws,
        coordinator,
        doc.id,
        PublishForm(
            note="Etter høringen: endringsforslaget fra KS om ansvaret for gevinstrealisering "
            "er tatt inn."
        ),
    )
    v2.published_at = _at(v2_day, 10)
    adoption = AdoptionForm(
        adopted_by=ADOPTED_BY, adopted_on=adopted, case_number=f"{adopted.year % 100:02d}/04817"
    )
    service.adopt(session, ws, doc.id, v2.number, adoption)

    # --- the action plan: measures on the strategy itself --------------------------------
    plan_made = _at(adopted + timedelta(days=1), 13)
    for dm in MEASURES:
        measure = measures.add(
            session,
            ws,
            doc.id,
            MeasureForm(
                title=dm.title,
                owner=dm.owner,
                partners=dm.partners,
                description=dm.description,
                deadline=on + timedelta(days=dm.days),
                status=dm.status,
                section_key=sections[dm.section].key,
            ),
        )
        measure.created_at = measure.updated_at = plan_made

    # --- the dates the rows were made on --------------------------------------------------
    for s in sections[1:]:
        if s.revision == 1:
            s.updated_at = _at(v1_day - timedelta(days=6), 15)
    doc.created_at = _at(created, 9)
    doc.updated_at = _at(v2_day, 10)
    r.created_at = _at(starts - timedelta(days=4), 10)
    r.updated_at = r.answers_published_at
    session.flush()

    _open_round(
        session,
        ws,
        coordinator,
        [actors["sf"], actors["ks"]],
        municipality=osen,
        drafted_by=actors["ks"],
    )

    # Nobody is told now of what happened months ago: the invitations, comment notices and
    # answers the services queued on the way are removed.
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.id > first_mail, OutboxMessage.workspace_id == ws.id
        )
    )
    for notice in session.scalars(scoped(StrategyNotice, ws.id)):
        session.delete(notice)
    session.flush()


OPEN_TITLE = "Handlingsplan for digital samhandling 2027 (demo)"
OPEN_SECTIONS = (
    (
        "Formål",
        "Handlingsplanen samler det fylkeskommunen, kommunene og partnerne skal gjøre sammen "
        "i 2027 for å dele løsninger og kompetanse.",
    ),
    (
        "Tiltak",
        "1. Felles kompetanseprogram for digitaliseringsledere.\n"
        "2. Nettverksmøter i hvert regionråd to ganger i året.",
    ),
)
KS_DRAFT = "KS støtter planen og vil bidra i kompetanseprogrammet. (utkast, demo)"


def _open_round(
    session: Session,
    ws: Workspace,
    coordinator: Principal,
    organisations: Sequence[Principal],
    municipality: str | None = None,
    drafted_by: Principal | None = None,
) -> None:
    """A round open now and closing in twelve days, for the start pages: the partners'
    organisations (and a municipality in its own right) invited; ``drafted_by``'s organisation
    has a draft of its formal response, the others have not begun."""
    on = today()
    doc = service.create_document(
        session, ws, coordinator, DocumentForm(title=OPEN_TITLE, kind="action_plan")
    )
    doc.is_demo = True
    for heading, body in OPEN_SECTIONS:
        service.add_section(
            session, ws, coordinator, doc.id, SectionCreate(heading=heading, body=body)
        )
    v1 = service.publish(session, ws, coordinator, doc.id, PublishForm(note="Høringsutkast."))
    r = rounds.create_round(
        session,
        ws,
        coordinator,
        doc.id,
        RoundCreate(
            version=v1.number,
            title=f"Høring: {OPEN_TITLE}",
            starts_on=on + timedelta(days=1),  # ahead of its start: adding invitees sends nothing
            ends_on=on + timedelta(days=12),
        ),
    )
    fields: list[dict[str, object]] = [
        {"kind": "organisation", "organisation_id": p.organisation_id} for p in organisations
    ]
    if municipality is not None:
        fields.append({"kind": "municipality", "municipality_number": municipality})
    invited = [
        invitees.add_invitee(session, ws, r.id, InviteeCreate.model_validate(f)) for f in fields
    ]
    r.starts_on = on - timedelta(days=4)
    for inv in invited:
        inv.invited_at = _at(r.starts_on, 9)
    session.flush()
    if drafted_by is not None:
        inv = next(i for i in invited if i.organisation_id == drafted_by.organisation_id)
        draft = ResponseForm(body=KS_DRAFT, revision=0)
        responses.save_response(session, ws, drafted_by, r.id, inv.id, draft)
        session.flush()


def load_elsewhere(session: Session, ws: Workspace) -> None:
    """Another county's open round KS is invited to: KS sees both counties on its start page."""
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    users = {u.email: u for u in session.scalars(select(User))}
    coordinator = _principal(session, ws, users["koordinator@vestland.demo"])
    ks = _principal(session, ws, users["radgiver@ks.demo"])
    _open_round(session, ws, coordinator, [ks])
