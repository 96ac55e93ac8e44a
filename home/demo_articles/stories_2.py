"""The demo's stories, second half (in the order seed_demo creates them)."""

from .people import AP, BBC, CNN, LISA, PRIYA, REUTERS, TOMAS

STORIES = [
    {
        "slug": "drought-forces-iraq-to-ration-tigris-water",
        "title": "Drought forces Iraq to ration water from the Tigris",
        "section": "middle-east",
        "authors": [TOMAS],
        "tags": ["Drought", "Iraq", "Water"],
        "days_ago": 5,
        "summary": "With the river at its lowest in decades, farmers in the south have been "
        "told to plant half their usual area this season.",
        "source": ("AP News", "https://apnews.com/hub/middle-east"),
        "image": {
            "title": "Dry riverbed of the Tigris",
            "caption": "Cracked mud where the Tigris once ran, south of Baghdad.",
            "credit": AP,
            "colours": ("#d4a373", "#5e3b1c"),
        },
        "body": [
            "Iraq's water ministry has ordered cuts in the water released to farms along "
            "the Tigris, as a third dry winter leaves the river at record lows.",
            "Farmers in the south say they have been told to plant only half their usual "
            "fields of wheat and barley, and some are leaving the land altogether.",
            "Officials blame both low rainfall and dams upstream, and have asked "
            "neighbouring countries to release more water.",
            {
                "quote": "The river is the only reason anyone lives here.",
                "attribution": "A farmer near Kut",
            },
        ],
    },
    {
        "slug": "typhoon-forces-mass-evacuations-in-the-philippines",
        "title": "Typhoon forces mass evacuations in the northern Philippines",
        "section": "asia",
        "authors": [PRIYA],
        "tags": ["Storms", "Philippines"],
        "days_ago": 4,
        "summary": "Tens of thousands of people left coastal towns ahead of a typhoon "
        "carrying winds of more than 180 kilometres an hour.",
        "source": ("BBC News", "https://www.bbc.co.uk/news/world/asia"),
        "image": {
            "title": "Storm clouds over Luzon",
            "caption": "Storm clouds gather over the coast of northern Luzon.",
            "credit": BBC,
            "colours": ("#4a4e69", "#0b0c1a"),
        },
        "body": [
            "Authorities in the northern Philippines moved tens of thousands of people to "
            "evacuation centres as a powerful typhoon approached the island of Luzon.",
            "Schools and government offices were closed, flights were cancelled and fishing "
            "boats were ordered to stay in port.",
            "Forecasters warned of storm surges of up to three metres along exposed coasts "
            "and of landslides in the mountains inland.",
        ],
    },
    {
        "slug": "nigeria-central-bank-holds-rates",
        "title": "Nigeria's central bank holds rates as inflation eases",
        "section": "africa",
        "authors": [LISA],
        "tags": ["Economy", "Nigeria"],
        "days_ago": 3,
        "summary": "Policymakers kept borrowing costs unchanged after a third month of "
        "slowing price rises, but warned that food prices remain high.",
        "source": ("Reuters", "https://www.reuters.com/world/africa/"),
        "image": {
            "title": "Market stalls in Lagos",
            "caption": "Shoppers at a food market in Lagos.",
            "credit": REUTERS,
            "colours": ("#f4a261", "#7f3b08"),
        },
        "body": [
            "Nigeria's central bank left its main interest rate unchanged, saying it wanted "
            "to see whether the recent slowdown in inflation would last.",
            "Prices are still rising quickly, especially for food, but the pace has eased "
            "for three months in a row as the currency has steadied.",
            "Business groups had hoped for a cut to make loans cheaper, while some "
            "economists said holding was the safer choice for now.",
        ],
    },
    {
        "slug": "amazon-deforestation-falls-again",
        "title": "Amazon deforestation falls for a second year",
        "section": "americas",
        "authors": [PRIYA],
        "tags": ["Climate", "Brazil", "Forests"],
        "days_ago": 3,
        "summary": "Satellite data show forest clearing in Brazil's Amazon dropped again, "
        "although drought-driven fires are a growing worry.",
        "source": ("AP News", "https://apnews.com/hub/climate-and-environment"),
        "image": {
            "title": "Rainforest canopy from above",
            "caption": "The rainforest canopy in the state of Pará.",
            "credit": AP,
            "colours": ("#588157", "#1b2e1a"),
        },
        "related_story": "panama-canal-traffic-recovers",
        "body": [
            "The area of rainforest cleared in Brazil's Amazon fell for the second year in a "
            "row, according to the country's satellite monitoring agency.",
            "Officials credit stepped-up enforcement against illegal logging and ranching, "
            "and new limits on credit for farms on cleared land.",
            "Scientists caution that the same drought that hit shipping in Central America "
            "has dried out the forest, making fires more likely to spread.",
        ],
    },
    {
        "slug": "iraq-and-turkey-agree-to-share-river-data",
        "title": "Iraq and Turkey agree to share river flow data",
        "section": "middle-east",
        "authors": [TOMAS],
        "tags": ["Water", "Iraq", "Turkey"],
        "days_ago": 2,
        "summary": "The two neighbours will publish daily readings from dams on the Tigris "
        "and Euphrates, a small step in a long-running dispute over water.",
        "source": ("Reuters", "https://www.reuters.com/world/middle-east/"),
        "image": {
            "title": "Dam on the upper Tigris",
            "caption": "A hydroelectric dam on the upper Tigris.",
            "credit": REUTERS,
            "colours": ("#457b9d", "#1d3557"),
        },
        "related_story": "drought-forces-iraq-to-ration-tigris-water",
        "body": [
            "Iraq and Turkey have agreed to share daily data on how much water is held back "
            "and released by dams on the Tigris and Euphrates rivers.",
            "Iraqi officials have long argued that upstream dams leave too little water for "
            "farms and cities downstream. Turkey says its own needs are growing too.",
            "Experts say shared data will not settle the dispute, but will let both sides "
            "plan around the same numbers.",
        ],
    },
    {
        "slug": "coral-bleaching-spreads",
        "title": "Coral bleaching spreads to reefs in a fourth ocean basin",
        "section": "science",
        "authors": [PRIYA],
        "tags": ["Climate", "Oceans", "Coral"],
        "days_ago": 1,
        "summary": "Marine scientists say the global bleaching event has now reached reefs "
        "in the western Indian Ocean.",
        "source": ("BBC News", "https://www.bbc.co.uk/news/science_and_environment"),
        "image": {
            "title": "Bleached coral in shallow water",
            "caption": "Bleached coral on a shallow reef.",
            "credit": BBC,
            "colours": ("#ffb4a2", "#6d597a"),
        },
        "related_story": "ocean-heat-hits-new-record",
        "body": [
            "Reefs in the western Indian Ocean are now showing widespread bleaching, making "
            "it the fourth ocean basin hit in the current global event.",
            "Corals bleach when warm water makes them expel the algae that live in their "
            "tissue and give them food and colour. Many recover if the water cools in time.",
            "Researchers are tracking which reefs survive, hoping to learn which corals can "
            "best cope with warmer seas.",
        ],
    },
    {
        "slug": "bangladesh-reopens-schools-after-floods",
        "title": "Bangladesh reopens schools in flood-hit districts",
        "section": "asia",
        "authors": [LISA],
        "tags": ["Floods", "Bangladesh", "Education"],
        "days_ago": 0,
        "summary": "Classes resumed in most of the north as floodwater receded, though "
        "dozens of schools are still being used as shelters.",
        "source": ("AP News", "https://apnews.com/world-news"),
        "image": {
            "title": "Pupils returning to school in Sunamganj",
            "caption": "Pupils return to a school in Sunamganj district.",
            "credit": AP,
            "colours": ("#90be6d", "#2d4a1e"),
        },
        "related_story": "monsoon-floods-cut-off-villages-in-bangladesh",
        "body": [
            "Schools in most of northern Bangladesh reopened on Monday, two weeks after "
            "floods forced them to close.",
            "Teachers said attendance was lower than usual, as some families are still "
            "repairing homes or living with relatives in drier areas.",
            "Education officials plan extra classes before the end of term to make up for "
            "the lost time.",
        ],
    },
    {
        "slug": "eu-leaders-agree-to-jointly-buy-air-defences",
        "title": "EU leaders agree to jointly buy air defence systems",
        "section": "europe",
        "authors": [LISA],
        "tags": ["EU", "Defence", "Ukraine"],
        "days_ago": 0,
        "summary": "Pooling orders should cut prices and waiting times, leaders said, as "
        "they agreed a first joint purchase at a summit in Brussels.",
        "source": ("CNN", "https://edition.cnn.com/world/europe"),
        "image": {
            "title": "EU leaders at the Brussels summit",
            "caption": "EU leaders pose for a family photo at the Brussels summit.",
            "credit": CNN,
            "colours": ("#003399", "#0a1a4a"),
        },
        "related_story": "austin-rallies-allies-to-keep-weapons-flowing-to-ukraine",
        "body": [
            "European Union leaders agreed to buy air defence systems together, in the "
            "bloc's biggest joint defence purchase so far.",
            "Ordering as a group should bring down prices and shorten waiting times, "
            "supporters say, and make sure member states end up with equipment that works "
            "together.",
            "Part of the first order is expected to go to Ukraine. The rest will help member "
            "states replace systems they have already sent.",
        ],
    },
]
