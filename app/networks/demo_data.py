"""Real-world membership data for the demo networks, plus fictional demo contacts.

All municipality numbers are the 2024 numbers (SSB classification 131, see
app/counties/data/municipalities.csv). Memberships were checked against public sources in
2024-era form; where a membership could not be confirmed, a comment says so.
"""

from __future__ import annotations

# --- Trøndelag (county 50): the seven cooperation regions -------------------------------------
#
# Keys follow the names the issue uses. Sources: the regions' own web pages (Fosenregionen IKPR,
# Trøndelag Sør IPR, Trøndelag sørvest IPR, Innherred regionråd, Trondheimsregionen), NRK and
# local newspapers (Namdalsavisa, Fosna-Folket, Innherred, Trønderbladet) and the Wikipedia
# article "Trondheim Region".
#
# Notes on names and history:
# - "Inn-Trøndelag" and "Midt-Trøndelag" are the 2018-2021 regional councils. In April 2021 they
#   were replaced by Innherred regionråd (Levanger, Verdal, Inderøy, Steinkjer, Snåsa); Stjørdal
#   is not a member of Innherred. The demo keeps the two older regions as the issue asks.
# - "Orkdalsregionen" has been called "Trøndelag sørvest" (interkommunalt politisk råd) since
#   2021. It also has Aure (Møre og Romsdal, 1576) as a member; Aure is left out because it is
#   not in Trøndelag.
#
# Municipalities in more than one region (overlaps are normal, several councils say so):
# - Osen (5020): Namdal regionråd (since its start in 2018) and Fosen.
# - Melhus (5028), Midtre Gauldal (5027): Trondheimsregionen and Trøndelag sør.
# - Skaun (5029), Orkland (5059): Trondheimsregionen and Orkdalsregionen.
# - Stjørdal (5035): Trondheimsregionen and Midt-Trøndelag.
# - Indre Fosen (5054): Trondheimsregionen and Fosen.
# - Ørland (5057): Fosen and Orkdalsregionen (joined Trøndelag sørvest in 2021).
# - Rennebu (5022): Trøndelag sør and Orkdalsregionen (full member again from 2020).
#
# Not in any of the seven regions: Selbu (5032), Tydal (5033), Meråker (5034) and Frosta (5036).
# They cooperate through Værnesregionen (with Stjørdal and Malvik), which is not one of the seven.
# No source was found that puts them in one of the seven, so they are left out rather than
# guessed. (Wikipedia's "Trondheim Region" table lists Selbu with a footnote, but
# Trondheimsregionen itself says it has eight member municipalities, which are the eight below.)
TRONDELAG_REGIONS: dict[str, list[str]] = {
    # Namdal regionråd, founded 2018; Osen joined from the start (Namdalsavisa, Fosna-Folket).
    "Namdal": [
        "5007",  # Namsos
        "5020",  # Osen
        "5042",  # Lierne
        "5043",  # Røyrvik
        "5044",  # Namsskogan
        "5045",  # Grong
        "5046",  # Høylandet
        "5047",  # Overhalla
        "5049",  # Flatanger
        "5052",  # Leka
        "5060",  # Nærøysund
    ],
    # Inn-Trøndelag regionråd: Snåsa, Inderøy, Steinkjer (Verran merged into Steinkjer in 2020)
    # (Mid-Norway European Office member list).
    "Inn-Trøndelag": [
        "5006",  # Steinkjer
        "5041",  # Snåsa
        "5053",  # Inderøy
    ],
    # Midt-Trøndelag regionråd: Stjørdal, Levanger, Verdal (NRK and Innherred, 2017).
    "Midt-Trøndelag": [
        "5035",  # Stjørdal
        "5037",  # Levanger
        "5038",  # Verdal
    ],
    # Fosenregionen interkommunalt politisk råd: four municipalities (fosenregionen.no).
    "Fosen": [
        "5020",  # Osen
        "5054",  # Indre Fosen
        "5057",  # Ørland
        "5058",  # Åfjord
    ],
    # Trondheimsregionen: eight municipalities (trondheimsregionen.no; Wikipedia "Trondheim
    # Region"; Malvik kommune).
    "Trondheimsregionen": [
        "5001",  # Trondheim
        "5027",  # Midtre Gauldal
        "5028",  # Melhus
        "5029",  # Skaun
        "5031",  # Malvik
        "5035",  # Stjørdal
        "5054",  # Indre Fosen
        "5059",  # Orkland
    ],
    # Orkdalsregionen / Trøndelag sørvest IPR (orkdalsregionen.no meeting minutes 2020;
    # trondelagsorvest.no, 2021, on Ørland joining). Aure (Møre og Romsdal) left out, see above.
    "Orkdalsregionen": [
        "5014",  # Frøya
        "5022",  # Rennebu
        "5029",  # Skaun
        "5055",  # Heim
        "5056",  # Hitra
        "5057",  # Ørland
        "5059",  # Orkland
        "5061",  # Rindal
    ],
    # Trøndelag Sør interkommunalt politisk råd, founded 2017 (regiontrondelagsor.com).
    "Trøndelag sør": [
        "5021",  # Oppdal
        "5022",  # Rennebu
        "5025",  # Røros
        "5026",  # Holtålen
        "5027",  # Midtre Gauldal
        "5028",  # Melhus
    ],
}

# --- Kongsbergregionen (Buskerud 33 and Telemark 40) ------------------------------------------
#
# (municipality number, join date as ISO date or None). None means a member since before the
# demo's history: the regional council was founded in 2005 by the seven original municipalities
# (Notodden kommune's strategy page; Telemarksforsking's evaluation).
# Sigdal: its municipal council voted unanimously on 20 February 2020 to leave Midt-Buskerud and
# join; formal entry needed all members to change the statutes, expected May/June 2020
# (sigdal.no, "Sigdal – en del av Kongsbergregionen"). The year 2020 is sourced; the exact day
# (1 June) is a demo assumption.
KONGSBERGREGIONEN: list[tuple[str, str | None]] = [
    ("3336", None),  # Rollag
    ("3338", None),  # Nore og Uvdal
    ("3303", None),  # Kongsberg
    ("3334", None),  # Flesberg
    ("3332", "2020-06-01"),  # Sigdal (year sourced, day assumed)
    ("4024", None),  # Hjartdal
    ("4005", None),  # Notodden
    ("4026", None),  # Tinn
]

# --- DigiVestland: all 43 municipalities of Vestland (county 46) ------------------------------
#
# Taken from SSB classification 131 for 2024 (municipalities.csv, county 46).
DIGIVESTLAND: list[str] = [
    "4601",  # Bergen
    "4602",  # Kinn
    "4611",  # Etne
    "4612",  # Sveio
    "4613",  # Bømlo
    "4614",  # Stord
    "4615",  # Fitjar
    "4616",  # Tysnes
    "4617",  # Kvinnherad
    "4618",  # Ullensvang
    "4619",  # Eidfjord
    "4620",  # Ulvik
    "4621",  # Voss
    "4622",  # Kvam
    "4623",  # Samnanger
    "4624",  # Bjørnafjorden
    "4625",  # Austevoll
    "4626",  # Øygarden
    "4627",  # Askøy
    "4628",  # Vaksdal
    "4629",  # Modalen
    "4630",  # Osterøy
    "4631",  # Alver
    "4632",  # Austrheim
    "4633",  # Fedje
    "4634",  # Masfjorden
    "4635",  # Gulen
    "4636",  # Solund
    "4637",  # Hyllestad
    "4638",  # Høyanger
    "4639",  # Vik
    "4640",  # Sogndal
    "4641",  # Aurland
    "4642",  # Lærdal
    "4643",  # Årdal
    "4644",  # Luster
    "4645",  # Askvoll
    "4646",  # Fjaler
    "4647",  # Sunnfjord
    "4648",  # Bremanger
    "4649",  # Stad
    "4650",  # Gloppen
    "4651",  # Stryn
]

# --- Demo contact persons ----------------------------------------------------------------------
#
# Fictional people: every name ends with " (demo)" and every address is on the demo domain.
# "region" names the Trøndelag region (a key of TRONDELAG_REGIONS) that the person represents in
# DigiTrøndelag's working committee, one per region; it is None outside Trøndelag.
# Areas come from: digitalisation, health_care, school, climate, business, finance,
# procurement, innovation, other.
DEMO_CONTACTS: list[dict[str, object]] = [
    {
        "name": "Siri Strand (demo)",
        "email": "siri.strand@demo.samspill.no",
        "phone": "+47 400 00 001",
        "municipality": "5020",  # Osen
        "title": "Digitaliseringsrådgiver",
        "areas": ["digitalisation"],
        "region": "Fosen",
    },
    {
        "name": "Nils Namsen (demo)",
        "email": "nils.namsen@demo.samspill.no",
        "phone": "+47 400 00 002",
        "municipality": "5007",  # Namsos
        "title": "Digitaliseringsleder",
        "areas": ["digitalisation", "innovation"],
        "region": "Namdal",
    },
    {
        "name": "Ingrid Innset (demo)",
        "email": "ingrid.innset@demo.samspill.no",
        "phone": "+47 400 00 003",
        "municipality": "5006",  # Steinkjer
        "title": "Kommunalsjef helse og velferd",
        "areas": ["health_care", "digitalisation"],
        "region": "Inn-Trøndelag",
    },
    {
        "name": "Magnus Midtbø (demo)",
        "email": "magnus.midtbo@demo.samspill.no",
        "phone": "+47 400 00 004",
        "municipality": "5037",  # Levanger
        "title": "IKT-sjef",
        "areas": ["digitalisation", "procurement"],
        "region": "Midt-Trøndelag",
    },
    {
        "name": "Tone Tiller (demo)",
        "email": "tone.tiller@demo.samspill.no",
        "phone": "+47 400 00 005",
        "municipality": "5001",  # Trondheim
        "title": "Innovasjonsleder",
        "areas": ["innovation", "digitalisation", "climate"],
        "region": "Trondheimsregionen",
    },
    {
        "name": "Håkon Hitterdal (demo)",
        "email": "hakon.hitterdal@demo.samspill.no",
        "phone": "+47 400 00 006",
        "municipality": "5056",  # Hitra
        "title": "Næringssjef",
        "areas": ["business", "digitalisation"],
        "region": "Orkdalsregionen",
    },
    {
        "name": "Randi Rugeldal (demo)",
        "email": "randi.rugeldal@demo.samspill.no",
        "phone": "+47 400 00 007",
        "municipality": "5025",  # Røros
        "title": "Rektor og skolefaglig rådgiver",
        "areas": ["school", "digitalisation"],
        "region": "Trøndelag sør",
    },
    {
        "name": "Kjetil Kobberud (demo)",
        "email": "kjetil.kobberud@demo.samspill.no",
        "phone": "+47 400 00 008",
        "municipality": "3303",  # Kongsberg
        "title": "Økonomisjef",
        "areas": ["finance", "procurement"],
        "region": None,
    },
    {
        "name": "Nora Nesland (demo)",
        "email": "nora.nesland@demo.samspill.no",
        "phone": "+47 400 00 009",
        "municipality": "4005",  # Notodden
        "title": "Klimarådgiver",
        "areas": ["climate", "other"],
        "region": None,
    },
    {
        "name": "Bjørn Bryggen (demo)",
        "email": "bjorn.bryggen@demo.samspill.no",
        "phone": "+47 400 00 010",
        "municipality": "4601",  # Bergen
        "title": "Direktør for digitalisering",
        "areas": ["digitalisation", "innovation"],
        "region": None,
    },
    {
        "name": "Marte Modal (demo)",
        "email": "marte.modal@demo.samspill.no",
        "phone": "+47 400 00 011",
        "municipality": "4629",  # Modalen
        "title": "Kommunedirektør",
        "areas": ["digitalisation", "health_care", "other"],
        "region": None,
    },
    {
        "name": "Frode Fjeld (demo)",
        "email": "frode.fjeld@demo.samspill.no",
        "phone": "+47 400 00 012",
        "municipality": "4633",  # Fedje
        "title": "Rådgiver digitalisering og innkjøp",
        "areas": ["digitalisation", "procurement"],
        "region": None,
    },
]
