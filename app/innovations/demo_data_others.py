"""The demo's innovations in Vestland, Buskerud and Telemark, as data (see ``demo_data.py``
for how it is read)."""

from __future__ import annotations

from app.innovations.demo_types import (
    AdoptionData,
    InnovationData,
    LinkData,
    RoleData,
)

ELSEWHERE: list[InnovationData] = [
    # --- Vestland ----------------------------------------------------------------------------
    InnovationData(
        key="digitalt-postmottak",
        workspace="vestland",
        title="Felles digitalt postmottak for små kommuner (demo)",
        problem=(
            "Post til små kommuner kommer på e-post, på papir og gjennom flere digitale "
            "kanaler. Én person sorterer og journalfører alt, og posten blir liggende når hun "
            "har fri."
        ),
        solution=(
            "Kommunene deler et digitalt postmottak der all inngående post blir registrert, "
            "skannet og fordelt til rett saksbehandler.\n\n"
            "- Papirpost skannes samme dag\n"
            "- Felles rutiner for hva som skal journalføres\n"
            "- Postmottaket er bemannet på omgang, så det alltid er noen på jobb\n\n"
            "Hver kommune beholder sitt eget arkiv og styrer selv hvem som har tilgang."
        ),
        areas=("digitalisation",),
        origin_body="DigiVestland",
        contact_name="Liv Landvik (demo)",
        contact_email="liv.landvik@digivestland.demo",
        phase="transition",
        adoption_cost=(
            "En andel av to stillinger etter postmengde, vanligvis 0,1–0,2 årsverk for en liten "
            "kommune. Krever en avtale om felles behandling av personopplysninger."
        ),
        roles=(
            RoleData("4633", "pilot", "Lagde rutinene for journalføring."),
            RoleData("4629", "pilot", "Tar imot spørsmål fra kommuner som vil koble seg på."),
            RoleData("4634", "follower"),
            RoleData("4632", "follower"),
            RoleData("4635", "follower"),
            RoleData("4636", "follower"),
        ),
        adoptions=(
            AdoptionData("vestland", "4633", "in_use", 22, 16),  # Fedje
            AdoptionData("vestland", "4629", "in_use", 22, 17),  # Modalen
            AdoptionData("vestland", "4634", "in_use", 12, 8),  # Masfjorden
            AdoptionData("vestland", "4632", "in_progress", 5),  # Austrheim
            AdoptionData("vestland", "4635", "planned"),  # Gulen
            AdoptionData("vestland", "4636", "considering"),  # Solund
            AdoptionData(
                "vestland",
                "4637",  # Hyllestad
                "abandoned",
                10,
                reason=(
                    "Kommunen bytter sak- og arkivsystem neste år og venter med å koble seg på "
                    "til det er gjort."
                ),
            ),
        ),
    ),
    InnovationData(
        key="energistyring-bygg",
        workspace="vestland",
        title="Energistyring i kommunale bygg (demo)",
        problem=(
            "Skoler, sykehjem og idrettshaller brukes på ulike tider, men ble varmet opp og "
            "ventilert som om de var i bruk hele døgnet. Strømutgiftene har økt kraftig."
        ),
        solution=(
            "Byggene er koblet til et sentralt driftskontrollanlegg som styrer varme, "
            "ventilasjon og lys etter timeplaner og bookingsystem.\n\n"
            "- Lavere temperatur om kvelden, i helger og i ferier\n"
            "- Avvik varsles til driftsoperatøren\n"
            "- En energirapport per bygg hver måned til lederne\n\n"
            "De største byggene ble koblet på først, der gevinsten var størst."
        ),
        areas=("climate", "finance"),
        origin="4647",  # Sunnfjord
        contact_name="Rune Rysjedal (demo)",
        contact_email="rune.rysjedal@sunnfjord.demo",
        phase="new_practice",
        adoption_cost=(
            "Fra 50 000 til 300 000 kroner per bygg, etter hvor mye automatikk som finnes fra "
            "før. Investeringen er ofte tjent inn på 3–5 år."
        ),
        roles=(
            RoleData("4646", "follower", "Deler erfaringer med små bygg og gammel automatikk."),
            RoleData("4645", "follower"),
            RoleData("4648", "follower"),
        ),
        adoptions=(
            AdoptionData("vestland", "4647", "in_use", 34, 26),  # Sunnfjord
            AdoptionData("vestland", "4646", "in_use", 14, 8),  # Fjaler
            AdoptionData("vestland", "4645", "in_progress", 6),  # Askvoll
            AdoptionData("vestland", "4648", "considering"),  # Bremanger
            AdoptionData("vestland", "4650", "planned"),  # Gloppen
        ),
    ),
    InnovationData(
        key="klimabudsjett",
        workspace="vestland",
        title="Klimabudsjett i økonomiplanen (demo)",
        problem=(
            "Kommunen hadde klimamål, men tiltakene sto i en egen plan uten kobling til "
            "budsjettet. Politikerne kunne ikke se hva tiltakene kostet eller hva de ga av kutt."
        ),
        solution=(
            "Klimabudsjettet behandles sammen med økonomiplanen hvert år. Hvert tiltak har en "
            "ansvarlig enhet, en kostnad og et forventet utslippskutt.\n\n"
            "- Felles mal for tiltakskort\n"
            "- Rapport på klimatiltakene i tertialrapportene\n"
            "- Kommunens tall i den offentlige utslippsstatistikken er utgangspunktet"
        ),
        areas=("climate", "finance"),
        origin="4640",  # Sogndal
        contact_name="Solveig Sogn (demo)",
        contact_email="solveig.sogn@sogndal.demo",
        phase="transition",
        adoption_cost=(
            "Mest arbeidstid: om lag 0,2 årsverk det første året for klimarådgiver og "
            "økonomiavdeling. Ingen nye systemer trengs."
        ),
        links=(
            LinkData("Mal for tiltakskort (eksempel)", "https://example.no/sogndal/tiltakskort"),
        ),
        roles=(
            RoleData("4644", "pilot", "Prøvde malen på en kommune med mye landbruk."),
            RoleData("4642", "follower"),
            RoleData("4641", "follower"),
        ),
        adoptions=(
            AdoptionData("vestland", "4640", "in_use", 30, 24),  # Sogndal
            AdoptionData("vestland", "4644", "in_use", 18, 12),  # Luster
            AdoptionData("vestland", "4642", "in_progress", 8),  # Lærdal
            AdoptionData("vestland", "4641", "planned"),  # Aurland
            AdoptionData("vestland", "4643", "considering"),  # Årdal
        ),
    ),
    InnovationData(
        key="delt-undervisning-oyskoler",
        workspace="vestland",
        title="Delt undervisning mellom små øyskoler (demo)",
        problem=(
            "Fedje har for få elever til å tilby alle valgfag og fremmedspråk på "
            "ungdomstrinnet, og det er vanskelig å få tak i lærere med riktig fordypning."
        ),
        solution=(
            "To øyskoler deler lærere i enkelte fag gjennom fjernundervisning i sanntid.\n\n"
            "- Læreren underviser fra den ene skolen, og elevene på den andre har en voksen i "
            "rommet\n"
            "- Samme læringsplattform og samme timeplan i de delte fagene\n"
            "- Læreren besøker den andre skolen to ganger i semesteret\n\n"
            "Elevene møtes også på felles fagdager."
        ),
        areas=("school", "digitalisation"),
        origin="4633",  # Fedje
        contact_name="Frida Fedjeholm (demo)",
        contact_email="frida.fedjeholm@fedje.demo",
        phase="piloting",
        adoption_cost=(
            "Utstyr til ett klasserom koster om lag 40 000 kroner. Timeplanene må samordnes "
            "før skoleåret starter."
        ),
        roles=(
            RoleData("4636", "pilot", "Deler lærer i tysk og fransk med Fedje."),
            RoleData("4625", "follower"),
            RoleData("4616", "follower"),
        ),
        adoptions=(
            AdoptionData("vestland", "4633", "in_use", 16, 10),  # Fedje
            AdoptionData("vestland", "4636", "in_use", 14, 10),  # Solund
            AdoptionData("vestland", "4625", "considering"),  # Austevoll
            AdoptionData("vestland", "4616", "planned"),  # Tysnes
        ),
    ),
    # --- Buskerud ----------------------------------------------------------------------------
    InnovationData(
        key="gevinstrealisering-fire-maler",
        workspace="buskerud",
        title="Gevinstrealisering med fire maler (demo)",
        problem=(
            "Kommunene startet digitaliseringsprosjekter uten å avklare hva de skulle gi. Når "
            "prosjektet var ferdig, ble gevinstene sjelden tatt ut, og ingen visste om "
            "investeringen lønte seg."
        ),
        solution=(
            "Alle prosjekter går gjennom de samme fire malene:\n\n"
            "1. **Prosjektvurdering** – skal vi starte? Behov, mål, alternativer, kostnad og "
            "risiko.\n"
            "2. **Prosjektstyring** – hvordan vi gjennomfører, med eier, milepæler og "
            "ressurser.\n"
            "3. **Gevinstplan** – hvilke gevinster, målbare og ikke målbare, og hvilke hindre "
            "som står i veien.\n"
            "4. **Gevinstrealiseringsplan** – hva som tas ut i prosjektet og i drift, når, hva "
            "det krever og hvordan det måles.\n\n"
            "Regionen lager én felles plan, og hver kommune skalerer den til sin størrelse. "
            "Rådmannsutvalget følger opp gevinstene to ganger i året."
        ),
        areas=("innovation", "finance", "digitalisation"),
        origin_body="Kongsbergregionen",
        contact_name="Kjersti Kobberstad (demo)",
        contact_email="kjersti.kobberstad@kongsbergregionen.demo",
        phase="new_practice",
        adoption_cost=(
            "Malene er gratis. Regn med en halv dag opplæring for ledere og prosjektledere, og "
            "at noen i kommunen får ansvar for å følge opp målingene."
        ),
        links=(
            LinkData(
                "De fire malene i redigerbar form (eksempel)",
                "https://example.no/kongsbergregionen/gevinstmaler",
            ),
        ),
        internal_note="Sekretariatet har tilbudt opplæring for Sunnfjord i vår.",
        shared=True,
        roles=(
            RoleData("3303", "pilot", "Vertskommune. Holder opplæringen for nye prosjektledere."),
            RoleData("4005", "pilot", "Prøvde malene i helse og omsorg og deler eksemplene."),
            RoleData("3334", "follower"),
            RoleData("3336", "follower"),
            RoleData("3338", "follower"),
            RoleData("3332", "follower"),
            RoleData("4024", "follower"),
            RoleData("4026", "follower"),
        ),
        adoptions=(
            AdoptionData("buskerud", "3303", "in_use", 40, 34),  # Kongsberg
            AdoptionData("buskerud", "3334", "in_use", 28, 22),  # Flesberg
            AdoptionData("buskerud", "3336", "in_use", 26, 20),  # Rollag
            AdoptionData("buskerud", "3332", "in_use", 30, 26),  # Sigdal
            AdoptionData("buskerud", "3338", "in_progress", 8),  # Nore og Uvdal
            AdoptionData("telemark", "4005", "in_use", 40, 33),  # Notodden
            AdoptionData("telemark", "4026", "in_use", 24, 18),  # Tinn
            AdoptionData("telemark", "4024", "in_progress", 6),  # Hjartdal
            AdoptionData("telemark", "4028", "considering"),  # Kviteseid
            AdoptionData("trondelag", "5006", "in_progress", 7),  # Steinkjer
            AdoptionData("trondelag", "5020", "considering"),  # Osen
            AdoptionData("vestland", "4647", "planned"),  # Sunnfjord
        ),
    ),
    InnovationData(
        key="medisindispensere",
        workspace="buskerud",
        title="Digitale medisindispensere i hjemmetjenesten (demo)",
        problem=(
            "Hjemmetjenesten bruker mye kjøretid på å levere medisiner, og i en stor "
            "fjellkommune er mange av besøkene bare korte medisinstopp."
        ),
        solution=(
            "Brukere som kan klare det, får en medisindispenser som gir riktig dose til riktig "
            "tid og sier fra med lyd og lys.\n\n"
            "- Dispenseren varsler hjemmetjenesten hvis en dose ikke blir tatt\n"
            "- Apoteket pakker multidose, og hjemmetjenesten fyller på hver 14. dag\n"
            "- Fastlegen er med på vurderingen før oppstart\n\n"
            "Dispenserne er leid på en avtale som andre kommuner i regionen kan slutte seg til."
        ),
        areas=("health_care", "procurement"),
        origin="3338",  # Nore og Uvdal
        contact_name="Gunhild Uvdal (demo)",
        contact_email="gunhild.uvdal@nore-og-uvdal.demo",
        phase="transition",
        adoption_cost=(
            "Leie om lag 700 kroner i måneden per bruker. Én dag opplæring for de ansatte og en "
            "rutine for avvik."
        ),
        roles=(
            RoleData("3336", "pilot", "Prøvde løsningen med brukere som bor langt fra basen."),
            RoleData("3334", "follower"),
            RoleData("3332", "follower"),
            RoleData("3318", "follower"),
        ),
        adoptions=(
            AdoptionData("buskerud", "3338", "in_use", 26, 20),  # Nore og Uvdal
            AdoptionData("buskerud", "3336", "in_use", 18, 13),  # Rollag
            AdoptionData("buskerud", "3334", "in_progress", 7),  # Flesberg
            AdoptionData("buskerud", "3332", "planned"),  # Sigdal
            AdoptionData("buskerud", "3318", "considering"),  # Krødsherad
            AdoptionData(
                "buskerud",
                "3320",  # Flå
                "abandoned",
                11,
                reason=(
                    "For få brukere med faste medisiner til at leieavtalen lønte seg. Kommunen "
                    "vurderer saken igjen om to år."
                ),
            ),
        ),
    ),
    # --- Telemark ----------------------------------------------------------------------------
    InnovationData(
        key="digital-hjemmeoppfolging",
        workspace="telemark",
        title="Digital hjemmeoppfølging av kronisk syke (demo)",
        problem=(
            "Pasienter med kols og hjertesvikt blir ofte lagt inn på sykehus fordi forverring "
            "blir oppdaget sent. Lang vei til legekontoret gjør at mange venter for lenge."
        ),
        solution=(
            "Pasienten måler blodtrykk, puls, oksygenmetning og vekt hjemme, med et nettbrett "
            "og enkle målere. Svarene går til en oppfølgingstjeneste i kommunen, som ringer opp "
            "ved avvik.\n\n"
            "- En egen plan for hver pasient, avtalt med fastlegen\n"
            "- Noen få spørsmål om symptomer hver dag\n"
            "- Videosamtale når pasienten trenger det"
        ),
        areas=("health_care", "digitalisation"),
        origin="4026",  # Tinn
        contact_name="Torild Tinnesand (demo)",
        contact_email="torild.tinnesand@tinn.demo",
        phase="piloting",
        adoption_cost=(
            "Om lag 1 200 kroner per pasient i måneden for utstyr og plattform, og en "
            "sykepleier som har oppfølgingstjenesten som en del av stillingen."
        ),
        roles=(
            RoleData("4036", "pilot", "Tester oppfølging av pasienter med lang vei til lege."),
            RoleData("4034", "follower"),
            RoleData("4024", "follower"),
        ),
        adoptions=(
            AdoptionData("telemark", "4026", "in_use", 20, 14),  # Tinn
            AdoptionData("telemark", "4036", "in_progress", 8),  # Vinje
            AdoptionData("telemark", "4034", "considering"),  # Tokke
            AdoptionData("telemark", "4022", "planned"),  # Seljord
        ),
    ),
    InnovationData(
        key="felles-innkjopskontor",
        workspace="telemark",
        title="Felles innkjøpskontor for små kommuner (demo)",
        problem=(
            "De små kommunene i Vest-Telemark har ikke egne innkjøpere. Anskaffelser blir gjort "
            "av fagfolk ved siden av andre oppgaver, med risiko for feil og dårlige avtaler."
        ),
        solution=(
            "Seljord er vertskommune for et innkjøpskontor med to rådgivere som gjennomfører "
            "konkurranser for kommunene som er med.\n\n"
            "- Felles avtaler for kontorvarer, mat til institusjonene og arbeidsklær\n"
            "- Hjelp med konkurransegrunnlaget ved større kjøp\n"
            "- Krav til klima og miljø i alle avtaler der det passer"
        ),
        areas=("procurement", "climate"),
        origin="4022",  # Seljord
        contact_name="Sverre Seljestad (demo)",
        contact_email="sverre.seljestad@seljord.demo",
        phase="new_practice",
        adoption_cost=(
            "En andel av kontorets utgifter etter innbyggertall, om lag 120 000 kroner i året "
            "for en kommune med 2 000 innbyggere. Krever en vertskommuneavtale."
        ),
        roles=(
            RoleData("4028", "pilot", "Var med og lagde vertskommuneavtalen."),
            RoleData("4030", "follower"),
            RoleData("4032", "follower"),
            RoleData("4034", "follower"),
            RoleData("4036", "follower"),
        ),
        adoptions=(
            AdoptionData("telemark", "4022", "in_use", 48, 42),  # Seljord
            AdoptionData("telemark", "4028", "in_use", 48, 42),  # Kviteseid
            AdoptionData("telemark", "4030", "in_use", 30, 24),  # Nissedal
            AdoptionData("telemark", "4032", "in_use", 30, 24),  # Fyresdal
            AdoptionData("telemark", "4034", "in_progress", 4),  # Tokke
            AdoptionData("telemark", "4036", "considering"),  # Vinje
        ),
    ),
]
