"""Dutch story templates: (title, body, labels). Slots in braces are filled by `generate.py`."""

from __future__ import annotations

TEMPLATES: list[tuple[str, str, tuple[str, ...]]] = [
    ("Kabinet breidt exportcontrole op chipmachines uit",
     "Het kabinet breidt de exportcontrole op geavanceerde lithografiemachines van ASML uit, schrijft "
     "minister "
     "{nlmin} {day} aan de Tweede Kamer. Bedrijven hebben voortaan een vergunning nodig.",
     ("export-controls", "lithography-equipment", "semiconductor-industry")),
    ("ASML verwacht hogere omzet door vraag naar EUV",
     "ASML verwacht dit jaar een omzetgroei van {pct} procent, vooral door de vraag naar EUV-machines van "
     "chipfabrikanten in {country}, zei de topman {day} in Veldhoven.",
     ("lithography-equipment", "semiconductor-industry")),
    ("ASM ziet orders stijgen bij geheugenchipmakers",
     "ASM International zag de orders in het {quarter} kwartaal met {pct} procent stijgen, vooral door "
     "bestellingen van geheugenchipmakers in Zuid-Korea.",
     ("lithography-equipment", "semiconductor-industry")),
    ("Nederland en Zuid-Korea tekenen overeenkomst over halfgeleiders",
     "Nederland en Zuid-Korea hebben {day} in {city} een overeenkomst ondertekend om samen te werken aan "
     "onderzoek en opleidingen in de halfgeleidersector.",
     ("nl-kr-semiconductor-cooperation", "semiconductor-industry", "government-visits")),
    ("Minister {nlmin} met handelsmissie naar Seoel",
     "Minister {nlmin} van Economische Zaken gaat van {dates} met een handelsmissie naar Seoel. Op het "
     "programma staan bezoeken aan chipbedrijven en een seminar over samenwerking in de chipsector.",
     ("nl-kr-semiconductor-cooperation", "semiconductor-industry", "government-visits")),
    ("Nederlands paviljoen op SEMICON Korea",
     "Op SEMICON Korea staat dit jaar een Nederlands paviljoen met {n} bedrijven uit de Brainport-regio, "
     "meldt de RVO.",
     ("trade-fairs", "semiconductor-industry")),
    ("Chipsector vraagt om meer technisch personeel",
     "De Nederlandse halfgeleiderindustrie heeft de komende jaren {n} duizend extra technici nodig, "
     "waarschuwt brancheorganisatie FHI {day}.",
     ("semiconductor-industry",)),
    ("Europese chipwet: miljarden voor nieuwe chipfabrieken",
     "De Europese Commissie keurt {n} miljard euro staatssteun goed voor nieuwe chipfabrieken in "
     "{eucountry}, "
     "als onderdeel van de Europese chipwet.",
     ("semiconductor-industry",)),
    ("Samsung Electronics investeert in nieuwe geheugenchipfabriek",
     "Samsung Electronics investeert {n} miljard dollar in een nieuwe fabriek voor geheugenchips en HBM in "
     "Pyeongtaek, meldt het Koreaanse persbureau Yonhap.",
     ("memory-hbm", "semiconductor-industry")),
    ("POSCO en Nederlandse partner bouwen waterstoffabriek",
     "Het Zuid-Koreaanse staalconcern POSCO gaat met een Nederlandse partner in {nlcity} groene waterstof "
     "produceren voor de staalindustrie.",
     ("materials-posco",)),
    ("Kabinet presenteert strategie voor economische veiligheid",
     "Het kabinet wil de economische veiligheid versterken met een investeringstoets en strengere regels "
     "voor de export van kritieke technologie zoals halfgeleiders.",
     ("export-controls", "semiconductor-industry")),
    # hard negatives
    ("Prijs van chips en frisdrank stijgt",
     "Een zak chips kost in de supermarkt inmiddels {price} euro, {pct} procent meer dan vorig jaar, "
     "meldt de "
     "Consumentenbond {day}.",
     ()),
    ("Chipsfabriek in {nlcity} breidt productie uit",
     "De chipsfabriek van snackmaker Lay's in {nlcity} breidt de productie uit met een nieuwe lijn voor "
     "paprikachips en zoutjes.",
     ()),
    ("Chipaandelen stijgen op de beurs",
     "Chipaandelen stegen {day} op de beurs in Amsterdam nadat beleggers positief reageerden op de "
     "rentebesluiten van de ECB.",
     ()),
    ("Oranje wint oefenduel van Zuid-Korea",
     "Het Nederlands elftal won {day} in {city} een oefenwedstrijd van Zuid-Korea met {score}. De "
     "samenwerking op het middenveld verliep uitstekend.",
     ()),
    ("Lithografie van Escher geveild",
     "Een lithografie van M.C. Escher is {day} in {city} geveild voor {n} duizend euro.",
     ()),
    ("Motie over stikstof aangenomen",
     "De Tweede Kamer heeft {day} een motie aangenomen die het kabinet vraagt de stikstofregels voor boeren "
     "te versoepelen.",
     ()),
    ("Koning brengt staatsbezoek aan Japan",
     "Koning Willem-Alexander brengt van {dates} een staatsbezoek aan Japan, samen met een handelsmissie "
     "van {n} bedrijven.",
     ()),
]

SLOTS: dict[str, list[str]] = {
    "nlmin": ["Beljaarts", "Klever", "Bruins"],
    "day": ["dinsdag", "woensdag", "vrijdag"],
    "dates": ["19 tot 21 februari", "3 tot 5 juni", "10 tot 12 oktober"],
    "country": ["Taiwan", "Zuid-Korea", "de Verenigde Staten"],
    "quarter": ["eerste", "tweede", "derde"],
    "city": ["Amsterdam", "Den Haag", "Seoel", "Eindhoven"],
    "nlcity": ["Broek op Langedijk", "Rotterdam", "Delfzijl"],
    "eucountry": ["Duitsland", "Italië", "Frankrijk"],
    "price": ["2,99", "3,15", "2,79"],
    "score": ["2-1", "3-0", "1-0"],
    "pct": ["12", "20", "7"],
    "n": ["40", "120", "15"],
}
