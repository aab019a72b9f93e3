"""The innovations in the demo, as data: fourteen invented innovations in Trøndelag, Vestland,
Buskerud and Telemark, who made and piloted them, where they have been taken into use, and
two benefits plans (Kongsbergregionen's four templates) with measurements.

Everything here is invented and says so: titles end with " (demo)", people's names with
"(demo)", addresses are on ``.demo`` domains and links only point at ``example.no``. The
municipality numbers are real (2024 structure, ``app/counties/data/municipalities.csv``), and
the councils and networks named in ``origin_body`` are the demo bodies that
``app/networks/demo.py`` creates in the same workspace.

How the loader (``app/innovations/demo.py``) reads it:

- ``INNOVATIONS``: one ``InnovationData`` each, created in ``workspace``. ``origin`` (a
  municipality number in that county) or ``origin_body`` (the exact name of a demo body in that
  workspace) says where it comes from; the service gives the origin municipality its "origin"
  role itself, so ``roles`` holds only pilots and followers (never the origin). ``shared`` is
  True for exactly two; their adoptions in other counties are recorded by those counties'
  workspaces (``AdoptionData.workspace``).
- Times are months relative to today, so the demo stays fresh: ``started_months_ago`` and
  ``in_use_months_ago`` of an adoption, ``baseline_months_ago`` / ``target_months_ahead`` of a
  benefit and ``months_ago`` of a measurement. Turn them into dates with ``app.clock.today()``.
- ``BENEFIT_PLANS``: the common plan of an innovation (in the innovation's workspace, no
  municipality) with its four templates and its benefits, and ``municipal_plans``: each
  adopting municipality's scaled copy (in the workspace of its county, ``common_id`` → the
  common plan, ``scale``). Quantitative baselines and targets of the common plan are for the
  whole group of municipalities; a municipal copy's benefits take them times ``scale``, and the
  municipality's measurements are in its own (scaled) numbers. ``statuses`` overrides the
  common status of a benefit for that municipality. Measurements of a quantitative benefit have
  a ``value``, of a qualitative one a ``text``.
- Numbers are plain ints and floats; convert with ``Decimal(str(value))``.

The data is in three files: the types in ``demo_types.py``, the innovations here, the
benefits plans in ``demo_plans.py``. Run ``python -m app.innovations.demo_check`` to check it
(municipality numbers and counties, codes, the two shared innovations, the plans' benefits and
measurements).
"""

from __future__ import annotations

from app.innovations.demo_types import (
    AdoptionData,
    AdoptionStatus,
    InnovationData,
    LinkData,
    RoleData,
    WorkspaceSlug,
)


def _adopt(
    workspace: WorkspaceSlug,
    municipality: str,
    status: AdoptionStatus,
    started: int | None = None,
    in_use: int | None = None,
    reason: str = "",
) -> AdoptionData:
    return AdoptionData(workspace, municipality, status, started, in_use, reason)


# --- the innovations -------------------------------------------------------------------------

INNOVATIONS: list[InnovationData] = [
    # --- Trøndelag ---------------------------------------------------------------------------
    InnovationData(
        key="digitalt-nattilsyn",
        workspace="trondelag",
        title="Digitalt nattilsyn i hjemmetjenesten (demo)",
        problem=(
            "Nattevakten i Osen kjører langt for å se til brukere som sover. Besøkene vekker "
            "ofte dem som trenger søvnen mest, og det er vanskelig å få folk til nattevaktene."
        ),
        solution=(
            "Brukere som ønsker det, får et sensorbasert tilsyn i stedet for fysisk nattbesøk. "
            "Sensoren viser bare en anonym figur og varsler nattevakten ved fall, uro eller når "
            "brukeren går ut av boligen.\n\n"
            "- Samtykke og en faglig vurdering for hver bruker, skrevet inn i vedtaket\n"
            "- Varslene går til nattevaktens mobil, med en fast rutine for respons\n"
            "- Fysisk besøk beholdes der tilsynet ikke er trygt nok\n\n"
            "Utstyret er kjøpt på en avtale som de andre Fosen-kommunene også kan bruke."
        ),
        areas=("health_care", "digitalisation"),
        origin="5020",  # Osen
        contact_name="Kari Kvalvik (demo)",
        contact_email="kari.kvalvik@osen.demo",
        phase="new_practice",
        adoption_cost=(
            "Om lag 15 000 kroner i utstyr per bruker og to dagers opplæring for nattevaktene. "
            "Regn med tre måneder fra vedtak til første bruker."
        ),
        links=(
            LinkData(
                "Rutine for respons på varsler (eksempel)",
                "https://example.no/osen/rutine-nattilsyn",
            ),
        ),
        internal_note="Osen vil gjerne vise løsningen på DigiTrøndelags høstsamling.",
        shared=True,
        roles=(
            RoleData(
                "5058",  # Åfjord
                "pilot",
                "Pilot fra start. Tar imot besøk fra kommuner som vurderer løsningen.",
            ),
            RoleData(
                "5054",  # Indre Fosen
                "follower",
                "Holder opplæringen for nattevakter i Fosen sammen med Osen.",
            ),
            RoleData("5057", "follower", "Deler erfaringer fra innføringen i en større kommune."),
        ),
        adoptions=(
            _adopt("trondelag", "5020", "in_use", 30, 24),  # Osen
            _adopt("trondelag", "5058", "in_use", 15, 11),  # Åfjord
            _adopt("trondelag", "5054", "in_use", 12, 8),  # Indre Fosen
            _adopt("trondelag", "5057", "in_progress", 5),  # Ørland
            _adopt("trondelag", "5049", "considering"),  # Flatanger
            _adopt(
                "trondelag",
                "5052",  # Leka
                "abandoned",
                9,
                reason=(
                    "Mobilnettet er for ustabilt på deler av øya til at sensorene varsler "
                    "sikkert. Kommunen tar saken opp igjen når dekningen er bedre."
                ),
            ),
            _adopt("vestland", "4629", "in_use", 10, 6),  # Modalen
            _adopt("vestland", "4636", "in_progress", 4),  # Solund
            _adopt("telemark", "4032", "planned"),  # Fyresdal
            _adopt("buskerud", "3320", "considering"),  # Flå
        ),
    ),
    InnovationData(
        key="chatbot-innbyggerdialog",
        workspace="trondelag",
        title="Felles chatbot for innbyggerspørsmål (demo)",
        problem=(
            "Sentralbordene får mange av de samme spørsmålene om åpningstider, renovasjon, "
            "eiendomsskatt og barnehageplass. Små kommuner har ikke folk til å svare utenom "
            "arbeidstid."
        ),
        solution=(
            "En felles chatbot på kommunenes nettsider svarer på vanlige spørsmål hele døgnet "
            "og sender resten videre til rett saksbehandler.\n\n"
            "- En felles svarbase, der hver kommune legger inn sine lokale svar\n"
            "- Samtalen kan gå over til et menneske i åpningstiden\n"
            "- Ingen personopplysninger lagres i loggen\n\n"
            "Statistikken viser hvilke spørsmål som bør få bedre svar på nettsiden."
        ),
        areas=("digitalisation",),
        origin_body="DigiTrøndelag",
        contact_name="Even Eggen (demo)",
        contact_email="even.eggen@digitrondelag.demo",
        phase="transition",
        adoption_cost=(
            "Årlig lisensandel etter innbyggertall, fra om lag 20 000 kroner. Kommunen må ha "
            "en svarbaseansvarlig, 2–4 timer i uka den første tiden."
        ),
        links=(
            LinkData("Slik fyller du svarbasen (eksempel)", "https://example.no/chatbot/veileder"),
        ),
        roles=(
            RoleData("5007", "pilot", "Har bygget opp den felles svarbasen og lærer opp nye."),
            RoleData("5037", "pilot", "Tester overgang fra chatbot til saksbehandler."),
            RoleData("5038", "follower"),
            RoleData("5006", "follower"),
            RoleData("5041", "follower"),
        ),
        adoptions=(
            _adopt("trondelag", "5007", "in_use", 26, 20),  # Namsos
            _adopt("trondelag", "5037", "in_use", 26, 19),  # Levanger
            _adopt("trondelag", "5038", "in_use", 14, 10),  # Verdal
            _adopt("trondelag", "5006", "in_progress", 6),  # Steinkjer
            _adopt("trondelag", "5041", "planned"),  # Snåsa
            _adopt(
                "trondelag",
                "5043",  # Røyrvik
                "abandoned",
                12,
                reason=(
                    "For få henvendelser til at det lønte seg. Å holde de lokale svarene "
                    "oppdatert tok mer tid enn chatboten sparte."
                ),
            ),
        ),
    ),
    InnovationData(
        key="byggesak-namdal",
        workspace="trondelag",
        title="Felles byggesaksløsning i Namdal (demo)",
        problem=(
            "Flere kommuner i Namdal har bare én byggesaksbehandler. Ferie, sykdom og nye "
            "regler gir lang behandlingstid, og søkerne møter ulik praksis fra kommune til "
            "kommune."
        ),
        solution=(
            "Kommunene bruker samme fagsystem for byggesak, med felles maler og sjekklister. "
            "Saksbehandlerne hjelper hverandre på tvers av kommunegrensene, mens vedtaket "
            "fattes i kommunen der tiltaket ligger.\n\n"
            "- Alle søknader kommer digitalt inn gjennom samme søknadsløsning\n"
            "- Et felles fagnettverk med saksgjennomgang hver måned\n"
            "- Vikarordning ved fravær\n\n"
            "Regionrådet følger behandlingstiden hvert halvår."
        ),
        areas=("digitalisation", "business"),
        origin_body="Namdal regionråd",
        contact_name="Astrid Aune (demo)",
        contact_email="astrid.aune@namdal.demo",
        phase="new_practice",
        adoption_cost=(
            "Om lag 80 000 kroner en gang for oppsett og overføring av gamle saker i en liten "
            "kommune. Deretter en lisensandel etter antall saker."
        ),
        internal_note="Nærøysund har bedt om et møte før budsjettbehandlingen.",
        roles=(
            RoleData("5007", "pilot", "Vertskommune for fagsystemet og fagnettverket."),
            RoleData("5047", "pilot", "Lagde de felles sjekklistene."),
            RoleData("5045", "follower"),
            RoleData("5046", "follower"),
            RoleData("5044", "follower", "Tar imot vikarhjelp og deler erfaringer som liten."),
            RoleData("5042", "follower"),
            RoleData("5043", "follower"),
            RoleData("5049", "follower"),
        ),
        adoptions=(
            _adopt("trondelag", "5007", "in_use", 36, 28),  # Namsos
            _adopt("trondelag", "5047", "in_use", 36, 28),  # Overhalla
            _adopt("trondelag", "5045", "in_use", 24, 18),  # Grong
            _adopt("trondelag", "5046", "in_use", 24, 17),  # Høylandet
            _adopt("trondelag", "5044", "in_use", 20, 14),  # Namsskogan
            _adopt("trondelag", "5042", "in_progress", 7),  # Lierne
            _adopt("trondelag", "5043", "in_progress", 7),  # Røyrvik
            _adopt("trondelag", "5049", "planned"),  # Flatanger
            _adopt("trondelag", "5060", "considering"),  # Nærøysund
        ),
    ),
    InnovationData(
        key="smarte-vannmalere",
        workspace="trondelag",
        title="Smarte vannmålere som varsler lekkasjer (demo)",
        problem=(
            "Kommunen mister mye drikkevann i lekkasjer, både på ledningsnettet og hos "
            "abonnentene. En lekkasje i en hytte som står tom, kan gå i ukevis før noen merker "
            "den."
        ),
        solution=(
            "Vannmålere som leses av automatisk hver time, sender data til driftssystemet.\n\n"
            "- Abonnenten får SMS når forbruket tyder på lekkasje\n"
            "- Driften ser unormalt nattforbruk per sone og finner lekkasjer raskere\n"
            "- Manuell avlesning og purring på målerkort faller bort\n\n"
            "Målerne byttes når de gamle uansett skal skiftes, så kostnaden spres over flere år."
        ),
        areas=("climate", "digitalisation"),
        origin="5056",  # Hitra
        contact_name="Hege Hamarvik (demo)",
        contact_email="hege.hamarvik@hitra.demo",
        phase="piloting",
        adoption_cost=(
            "Om lag 3 000 kroner per måler ferdig montert, pluss en årlig avgift for "
            "dataoverføring. Nettet må være delt inn i soner."
        ),
        roles=(
            RoleData("5014", "pilot", "Tester målerne i hytteområder og deler lekkasjetallene."),
            RoleData("5055", "follower"),
            RoleData("5059", "follower"),
        ),
        adoptions=(
            _adopt("trondelag", "5056", "in_use", 20, 14),  # Hitra
            _adopt("trondelag", "5014", "in_progress", 10),  # Frøya
            _adopt("trondelag", "5055", "considering"),  # Heim
            _adopt("trondelag", "5059", "planned"),  # Orkland
        ),
    ),
    InnovationData(
        key="ungdommens-tjenestelab",
        workspace="trondelag",
        title="Ungdommens tjenestelab (demo)",
        problem=(
            "Unge i Rindal bruker lite av tilbudene kommunen lager for dem, og mange flytter "
            "etter videregående. Kommunen visste lite om hva de unge selv trenger."
        ),
        solution=(
            "8–10 ungdommer møtes en ettermiddag i måneden med en tjenestedesigner fra "
            "kommunen. De ser på én tjeneste om gangen, for eksempel skyss til "
            "fritidsaktiviteter eller helsesykepleierens åpne kontor, og foreslår endringer som "
            "kommunen prøver ut.\n\n"
            "- Ungdommene får lønn som for en sommerjobb\n"
            "- Hver runde ender med en kort presentasjon for kommunestyret\n"
            "- Metodekortene er åpne for andre kommuner"
        ),
        areas=("innovation", "school"),
        origin="5061",  # Rindal
        contact_name="Jon Rindli (demo)",
        contact_email="jon.rindli@rindal.demo",
        phase="piloting",
        adoption_cost=(
            "Om lag 60 000 kroner i året til lønn og mat, og en ansatt som leder labben i "
            "10 prosent av stillingen."
        ),
        links=(
            LinkData("Metodekort for tjenestelaben (eksempel)", "https://example.no/rindal/lab"),
        ),
        roles=(
            RoleData("5026", "follower", "Prøver metoden på fritidstilbudet."),
            RoleData("5022", "follower"),
            RoleData("5033", "follower"),
        ),
        adoptions=(
            _adopt("trondelag", "5061", "in_use", 18, 12),  # Rindal
            _adopt("trondelag", "5026", "in_progress", 5),  # Holtålen
            _adopt("trondelag", "5022", "considering"),  # Rennebu
            _adopt("trondelag", "5033", "planned"),  # Tydal
        ),
    ),
    InnovationData(
        key="rekruttering-sykepleiere",
        workspace="trondelag",
        title="Rekrutteringspakke for sykepleiere i fjellregionen (demo)",
        problem=(
            "Hjemmetjenesten og sykehjemmet har sykepleierstillinger som står tomme. Mange "
            "nyutdannede velger byen fordi de ikke kjenner arbeidsplassen og boligmarkedet her."
        ),
        solution=(
            "Kommunen har en samlet pakke for sykepleierstudenter og nyutdannede:\n\n"
            "- Sommerjobb med veileder og betalt reise for studenter i siste studieår\n"
            "- Langvakter i turnus for dem som vil pendle\n"
            "- Kommunal utleiebolig det første året\n"
            "- Fadder på jobben og introduksjon til lokalmiljøet\n\n"
            "Kommunene markedsfører pakken sammen på studiestedene."
        ),
        areas=("health_care", "business"),
        origin="5025",  # Røros
        contact_name="Marit Haugan (demo)",
        contact_email="marit.haugan@roros.demo",
        phase="transition",
        adoption_cost=(
            "Mest leie av boliger og reise for studenter, om lag 150 000 kroner i året. "
            "Turnusordningen må drøftes med de tillitsvalgte."
        ),
        roles=(
            RoleData("5026", "pilot", "Deler turnusmodellen og fadderordningen."),
            RoleData("5021", "follower"),
            RoleData("5033", "follower"),
        ),
        adoptions=(
            _adopt("trondelag", "5025", "in_use", 28, 22),  # Røros
            _adopt("trondelag", "5026", "in_use", 16, 12),  # Holtålen
            _adopt("trondelag", "5021", "in_progress", 6),  # Oppdal
            _adopt("trondelag", "5033", "considering"),  # Tydal
        ),
    ),
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
            _adopt("vestland", "4633", "in_use", 22, 16),  # Fedje
            _adopt("vestland", "4629", "in_use", 22, 17),  # Modalen
            _adopt("vestland", "4634", "in_use", 12, 8),  # Masfjorden
            _adopt("vestland", "4632", "in_progress", 5),  # Austrheim
            _adopt("vestland", "4635", "planned"),  # Gulen
            _adopt("vestland", "4636", "considering"),  # Solund
            _adopt(
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
            _adopt("vestland", "4647", "in_use", 34, 26),  # Sunnfjord
            _adopt("vestland", "4646", "in_use", 14, 8),  # Fjaler
            _adopt("vestland", "4645", "in_progress", 6),  # Askvoll
            _adopt("vestland", "4648", "considering"),  # Bremanger
            _adopt("vestland", "4650", "planned"),  # Gloppen
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
            _adopt("vestland", "4640", "in_use", 30, 24),  # Sogndal
            _adopt("vestland", "4644", "in_use", 18, 12),  # Luster
            _adopt("vestland", "4642", "in_progress", 8),  # Lærdal
            _adopt("vestland", "4641", "planned"),  # Aurland
            _adopt("vestland", "4643", "considering"),  # Årdal
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
            _adopt("vestland", "4633", "in_use", 16, 10),  # Fedje
            _adopt("vestland", "4636", "in_use", 14, 10),  # Solund
            _adopt("vestland", "4625", "considering"),  # Austevoll
            _adopt("vestland", "4616", "planned"),  # Tysnes
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
            _adopt("buskerud", "3303", "in_use", 40, 34),  # Kongsberg
            _adopt("buskerud", "3334", "in_use", 28, 22),  # Flesberg
            _adopt("buskerud", "3336", "in_use", 26, 20),  # Rollag
            _adopt("buskerud", "3332", "in_use", 30, 26),  # Sigdal
            _adopt("buskerud", "3338", "in_progress", 8),  # Nore og Uvdal
            _adopt("telemark", "4005", "in_use", 40, 33),  # Notodden
            _adopt("telemark", "4026", "in_use", 24, 18),  # Tinn
            _adopt("telemark", "4024", "in_progress", 6),  # Hjartdal
            _adopt("telemark", "4028", "considering"),  # Kviteseid
            _adopt("trondelag", "5006", "in_progress", 7),  # Steinkjer
            _adopt("trondelag", "5020", "considering"),  # Osen
            _adopt("vestland", "4647", "planned"),  # Sunnfjord
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
            _adopt("buskerud", "3338", "in_use", 26, 20),  # Nore og Uvdal
            _adopt("buskerud", "3336", "in_use", 18, 13),  # Rollag
            _adopt("buskerud", "3334", "in_progress", 7),  # Flesberg
            _adopt("buskerud", "3332", "planned"),  # Sigdal
            _adopt("buskerud", "3318", "considering"),  # Krødsherad
            _adopt(
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
            _adopt("telemark", "4026", "in_use", 20, 14),  # Tinn
            _adopt("telemark", "4036", "in_progress", 8),  # Vinje
            _adopt("telemark", "4034", "considering"),  # Tokke
            _adopt("telemark", "4022", "planned"),  # Seljord
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
            _adopt("telemark", "4022", "in_use", 48, 42),  # Seljord
            _adopt("telemark", "4028", "in_use", 48, 42),  # Kviteseid
            _adopt("telemark", "4030", "in_use", 30, 24),  # Nissedal
            _adopt("telemark", "4032", "in_use", 30, 24),  # Fyresdal
            _adopt("telemark", "4034", "in_progress", 4),  # Tokke
            _adopt("telemark", "4036", "considering"),  # Vinje
        ),
    ),
]
