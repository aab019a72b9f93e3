"""The texts of the strategies demo (``demo.py`` writes them): the Trøndelag strategy's
sections and their later versions, the consultation round's comments with their answers, the
formal responses, the measures of the action plan, and the open round of Vestland's demo.
Invented, and marked as demo."""

from __future__ import annotations

from dataclasses import dataclass

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
