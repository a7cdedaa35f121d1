"""English story templates: (title, body, labels). Slots in braces are filled by `generate.py`."""

from __future__ import annotations

TEMPLATES: list[tuple[str, str, tuple[str, ...]]] = [
    ("{memco} starts mass production of {hbm}",
     "{memco} said on {day} it has begun mass production of {hbm}, the high-bandwidth memory used in AI "
     "accelerators, and expects memory revenue to rise {pct} percent next quarter.",
     ("memory-hbm", "semiconductor-industry")),
    ("DRAM prices climb as {memco} trims output",
     "Contract prices for DRAM rose {pct} percent in {month} after {memco} cut wafer starts at its memory "
     "fabs, analysts at TrendForce said.",
     ("memory-hbm", "semiconductor-industry")),
    ("{eqco} orders jump on demand for advanced chipmaking tools",
     "{eqco} reported a {pct} percent rise in bookings as chipmakers in Taiwan and Korea ordered more "
     "lithography and deposition equipment for 2-nanometre production.",
     ("lithography-equipment", "semiconductor-industry")),
    ("ASML ships High-NA EUV system to {chipco}",
     "ASML has delivered its newest High-NA EUV lithography machine to {chipco}, the company said from "
     "Veldhoven on {day}. Each system costs more than 350 million euros.",
     ("lithography-equipment", "semiconductor-industry")),
    ("Netherlands tightens export controls on chip machines",
     "The Dutch government will require licences for the export of more ASML DUV immersion systems, trade "
     "minister {nlmin} told parliament on {day}, citing national security.",
     ("export-controls", "lithography-equipment", "semiconductor-industry")),
    ("US adds {n} Chinese firms to entity list",
     "Washington added {n} Chinese companies to its entity list on {day}, restricting their access to "
     "American semiconductor technology and chipmaking equipment.",
     ("export-controls", "lithography-equipment", "semiconductor-industry")),
    ("Korea and the Netherlands sign chip alliance",
     "South Korea and the Netherlands signed a memorandum of understanding on semiconductor cooperation in "
     "{city} on {day}, covering joint research, talent exchange and supply chains.",
     ("nl-kr-semiconductor-cooperation", "semiconductor-industry", "government-visits")),
    ("Dutch minister visits Seoul to deepen chip ties",
     "Dutch economy minister {nlmin} arrives in Seoul on {day} for talks with his Korean counterpart on "
     "cooperation in semiconductors, quantum technology and photonics.",
     ("nl-kr-semiconductor-cooperation", "semiconductor-industry", "government-visits")),
    ("Holland Pavilion returns to SEMICON Korea",
     "More than {n} Dutch suppliers will exhibit at the Holland Pavilion at SEMICON Korea in Seoul, the "
     "largest semiconductor trade fair in the country.",
     ("trade-fairs", "semiconductor-industry")),
    ("SEMICON West opens with record number of exhibitors",
     "SEMICON West opened in San Francisco on {day} with {n} exhibitors showing equipment and materials for "
     "chipmakers.",
     ("trade-fairs", "semiconductor-industry")),
    ("POSCO Future M to build new cathode plant",
     "POSCO Future M will invest {n} billion won in a cathode materials plant for electric vehicle batteries "
     "in {kcity}, the company said on {day}.",
     ("materials-posco",)),
    ("China curbs exports of gallium and germanium",
     "Beijing will require export licences for gallium and germanium, two metals used in semiconductors, "
     "from {month}, the commerce ministry said.",
     ("materials-posco", "export-controls", "semiconductor-industry")),
    ("{chipco} warns of chip shortage for carmakers",
     "{chipco} said the chip shortage could last until {month} as demand from carmakers and data centers "
     "outstrips supply of mature-node semiconductors.",
     ("semiconductor-industry",)),
    ("TSMC to open second fab in {fabcity}",
     "TSMC confirmed on {day} that it will build a second fab in {fabcity}, raising its investment in "
     "the region to {n} billion dollars.",
     ("semiconductor-industry",)),
    ("Economic security strategy names chips as critical technology",
     "The government's new economic security strategy lists semiconductors, AI and quantum as critical "
     "technologies and proposes investment screening for foreign takeovers.",
     ("export-controls", "semiconductor-industry")),
    # hard negatives
    ("Potato chip prices rise after poor harvest",
     "Snack makers raised prices of potato chips by {pct} percent in {month} after a poor potato harvest in "
     "{region}, retailers said.",
     ()),
    ("Chocolate chip cookie wins baking contest",
     "A chocolate chip cookie with sea salt won the {city} baking contest on {day}; the baker used {n} grams "
     "of dark chocolate chips.",
     ()),
    ("ASM meeting draws microbiologists to {uscity}",
     "The ASM Microbe meeting of the American Society for Microbiology opened in {uscity} on {day} with "
     "{n} scientists presenting research on antibiotic resistance.",
     ()),
    ("Iron foundry in {region} to close",
     "The last iron foundry in {region} will close in {month}, ending {n} years of casting for the "
     "shipbuilding industry.",
     ()),
    ("Samsung unveils new foldable phones",
     "Samsung Electronics unveiled two foldable smartphones in {city} on {day}, with thinner hinges and "
     "brighter screens, priced from {n} dollars.",
     ()),
    ("Korean foreign minister visits Tokyo",
     "South Korea's foreign minister visited Tokyo on {day} for talks on regional security and historical "
     "issues with his Japanese counterpart.",
     ()),
    ("Golfer's chip shot seals victory",
     "A delicate chip shot on the 18th hole gave the Dutch golfer a one-stroke win in {city} on {day}.",
     ()),
    ("Lithographs by Escher sold at auction",
     "A set of {n} lithographs by M.C. Escher sold for a record price at an auction in {city} on {day}.",
     ()),
]

SLOTS: dict[str, list[str]] = {
    "memco": ["SK hynix", "Samsung Electronics", "Micron"],
    "hbm": ["HBM3E", "12-layer HBM3E", "HBM4"],
    "eqco": ["ASM International", "ASML", "Applied Materials"],
    "chipco": ["TSMC", "Intel", "Samsung Electronics", "NXP"],
    "nlmin": ["Beljaarts", "Klever", "Bruins"],
    "city": ["Amsterdam", "Seoul", "The Hague", "Eindhoven"],
    "kcity": ["Pohang", "Gwangyang", "Sejong"],
    "fabcity": ["Arizona", "Kumamoto", "Dresden"],
    "uscity": ["Atlanta", "Houston", "Chicago"],
    "region": ["Idaho", "Flanders", "Groningen"],
    "day": ["Tuesday", "Wednesday", "Friday"],
    "month": ["March", "June", "October"],
    "pct": ["12", "20", "7"],
    "n": ["40", "120", "15"],
}
