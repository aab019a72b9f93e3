"""The demo's innovations in Trøndelag, as data (see ``demo_data.py`` for how it is read)."""

from __future__ import annotations

from app.innovations.demo_types import (
    AdoptionData,
    InnovationData,
    LinkData,
    RoleData,
)

TRONDELAG: list[InnovationData] = [
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
            AdoptionData("trondelag", "5020", "in_use", 30, 24),  # Osen
            AdoptionData("trondelag", "5058", "in_use", 15, 11),  # Åfjord
            AdoptionData("trondelag", "5054", "in_use", 12, 8),  # Indre Fosen
            AdoptionData("trondelag", "5057", "in_progress", 5),  # Ørland
            AdoptionData("trondelag", "5049", "considering"),  # Flatanger
            AdoptionData(
                "trondelag",
                "5052",  # Leka
                "abandoned",
                9,
                reason=(
                    "Mobilnettet er for ustabilt på deler av øya til at sensorene varsler "
                    "sikkert. Kommunen tar saken opp igjen når dekningen er bedre."
                ),
            ),
            AdoptionData("vestland", "4629", "in_use", 10, 6),  # Modalen
            AdoptionData("vestland", "4636", "in_progress", 4),  # Solund
            AdoptionData("telemark", "4032", "planned"),  # Fyresdal
            AdoptionData("buskerud", "3320", "considering"),  # Flå
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
            AdoptionData("trondelag", "5007", "in_use", 26, 20),  # Namsos
            AdoptionData("trondelag", "5037", "in_use", 26, 19),  # Levanger
            AdoptionData("trondelag", "5038", "in_use", 14, 10),  # Verdal
            AdoptionData("trondelag", "5006", "in_progress", 6),  # Steinkjer
            AdoptionData("trondelag", "5041", "planned"),  # Snåsa
            AdoptionData(
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
            AdoptionData("trondelag", "5007", "in_use", 36, 28),  # Namsos
            AdoptionData("trondelag", "5047", "in_use", 36, 28),  # Overhalla
            AdoptionData("trondelag", "5045", "in_use", 24, 18),  # Grong
            AdoptionData("trondelag", "5046", "in_use", 24, 17),  # Høylandet
            AdoptionData("trondelag", "5044", "in_use", 20, 14),  # Namsskogan
            AdoptionData("trondelag", "5042", "in_progress", 7),  # Lierne
            AdoptionData("trondelag", "5043", "in_progress", 7),  # Røyrvik
            AdoptionData("trondelag", "5049", "planned"),  # Flatanger
            AdoptionData("trondelag", "5060", "considering"),  # Nærøysund
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
            AdoptionData("trondelag", "5056", "in_use", 20, 14),  # Hitra
            AdoptionData("trondelag", "5014", "in_progress", 10),  # Frøya
            AdoptionData("trondelag", "5055", "considering"),  # Heim
            AdoptionData("trondelag", "5059", "planned"),  # Orkland
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
            AdoptionData("trondelag", "5061", "in_use", 18, 12),  # Rindal
            AdoptionData("trondelag", "5026", "in_progress", 5),  # Holtålen
            AdoptionData("trondelag", "5022", "considering"),  # Rennebu
            AdoptionData("trondelag", "5033", "planned"),  # Tydal
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
            AdoptionData("trondelag", "5025", "in_use", 28, 22),  # Røros
            AdoptionData("trondelag", "5026", "in_use", 16, 12),  # Holtålen
            AdoptionData("trondelag", "5021", "in_progress", 6),  # Oppdal
            AdoptionData("trondelag", "5033", "considering"),  # Tydal
        ),
    ),
]
