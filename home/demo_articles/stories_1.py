"""The demo's stories, first half (in the order seed_demo creates them)."""

from .people import AP, BBC, CNN, LISA, PRIYA, REUTERS, TOMAS

STORIES = [
    {
        "slug": "allies-weigh-how-to-refill-ammunition-stocks",
        "title": "Allies weigh how to refill depleted ammunition stocks",
        "section": "europe",
        "authors": [TOMAS],
        "tags": ["NATO", "Defence"],
        "days_ago": 9,
        "summary": "NATO members are sending shells faster than their factories can make "
        "them, and ministers are looking for ways to close the gap.",
        "source": ("Reuters", "https://www.reuters.com/world/europe/"),
        "image": {
            "title": "Artillery shells on a factory line",
            "caption": "Artillery shells on the production line at a European plant.",
            "credit": REUTERS,
            "colours": ("#7a5c3a", "#231a10"),
        },
        "body": [
            "Defence officials from across the alliance met this week to compare notes on a "
            "problem they all share: stockpiles of artillery shells that have shrunk faster "
            "than anyone planned for.",
            "Several governments have signed multi-year contracts so that manufacturers can "
            "hire staff and open new lines with some confidence that the orders will last.",
            "Industry groups say the bottleneck is no longer money but explosives, casings "
            "and skilled workers, all of which take time to scale up.",
            "Ministers are expected to return to the subject when they meet again next week.",
        ],
    },
    {
        "slug": "ocean-heat-hits-new-record",
        "title": "Ocean heat hits a new record for the third year running",
        "section": "science",
        "authors": [PRIYA],
        "tags": ["Climate", "Oceans"],
        "days_ago": 8,
        "summary": "The upper oceans stored more heat last year than ever measured, "
        "researchers report, with the North Atlantic warming fastest.",
        "source": ("BBC News", "https://www.bbc.co.uk/news/science_and_environment"),
        "image": {
            "title": "Research buoy in the North Atlantic",
            "caption": "A research buoy measuring water temperature in the North Atlantic.",
            "credit": BBC,
            "colours": ("#1f7a8c", "#022b3a"),
        },
        "body": [
            "The amount of heat stored in the top two kilometres of the world's oceans rose "
            "again last year, according to an international team that pools measurements "
            "from thousands of floats and ships.",
            "It is the third year in a row that the record has been broken. The oceans absorb "
            "most of the extra heat trapped by greenhouse gases, which is why scientists "
            "watch them as closely as air temperatures.",
            "Warmer water expands, adding to sea-level rise, and it feeds stronger storms "
            "and marine heatwaves that bleach coral reefs.",
        ],
    },
    {
        "slug": "monsoon-floods-cut-off-villages-in-bangladesh",
        "title": "Monsoon floods cut off villages in northern Bangladesh",
        "section": "asia",
        "authors": [TOMAS],
        "tags": ["Floods", "Bangladesh"],
        "days_ago": 8,
        "summary": "Late monsoon rains have swollen rivers in the north of the country, "
        "leaving hundreds of thousands of people stranded.",
        "source": ("AP News", "https://apnews.com/world-news"),
        "image": {
            "title": "Flooded village near Sylhet",
            "caption": "Villagers wade through floodwater near Sylhet.",
            "credit": AP,
            "colours": ("#5b8e7d", "#1b3a2f"),
        },
        "body": [
            "Rivers in northern Bangladesh burst their banks after days of heavy rain, "
            "cutting roads and isolating villages in several districts.",
            "Local officials said boats were being used to carry food and drinking water to "
            "families who had taken refuge on raised ground and in school buildings.",
            "Forecasters expect the rain to ease by the end of the week, but warn that water "
            "levels downstream will keep rising for several days.",
        ],
    },
    {
        "slug": "panama-canal-traffic-recovers",
        "title": "Panama Canal traffic recovers as rains refill Gatun Lake",
        "section": "americas",
        "authors": [LISA],
        "tags": ["Trade", "Drought"],
        "days_ago": 7,
        "summary": "After a drought forced limits on crossings, the canal is back to "
        "handling close to its usual number of ships a day.",
        "source": ("Reuters", "https://www.reuters.com/world/americas/"),
        "image": {
            "title": "Container ship in the Panama Canal locks",
            "caption": "A container ship passes through the canal's locks.",
            "credit": REUTERS,
            "colours": ("#2a9d8f", "#264653"),
        },
        "body": [
            "Ships are once again queuing in normal numbers at both ends of the Panama "
            "Canal, after a wet season refilled the lake that feeds its locks.",
            "During the drought the canal authority cut the number of daily crossings and "
            "the depth ships could sit in the water, pushing some shipping lines to go "
            "around South America instead.",
            "The authority is studying a new reservoir so that a single dry year does not "
            "throttle one of the world's busiest trade routes again.",
        ],
    },
    {
        "slug": "germany-to-double-military-aid-budget",
        "title": "Germany to double its budget for military aid next year",
        "section": "europe",
        "authors": [TOMAS],
        "tags": ["Germany", "Ukraine", "Defence"],
        "days_ago": 7,
        "summary": "The draft budget sets aside twice as much for weapons deliveries to "
        "partners, most of it earmarked for Ukraine's air defences.",
        "source": ("BBC News", "https://www.bbc.co.uk/news/world/europe"),
        "image": {
            "title": "The Bundestag in session",
            "caption": "Members of the Bundestag during the budget debate in Berlin.",
            "credit": BBC,
            "colours": ("#8d99ae", "#2b2d42"),
        },
        "body": [
            "Germany's government has proposed doubling the money it spends on military aid "
            "to partners next year, according to a draft budget presented in Berlin.",
            "Most of the increase is meant for air defence systems and the missiles they "
            "fire, which Ukraine has said are its most urgent need before winter.",
            "The budget still has to pass parliament, where opposition parties have called "
            "for more detail on how the money will be spent.",
        ],
    },
    {
        "slug": "kenya-switches-on-new-geothermal-plant",
        "title": "Kenya switches on a new geothermal plant in the Rift Valley",
        "section": "africa",
        "authors": [PRIYA],
        "tags": ["Energy", "Kenya"],
        "days_ago": 6,
        "summary": "The plant adds steady, low-carbon power to a grid that already gets most "
        "of its electricity from renewable sources.",
        "source": ("Reuters", "https://www.reuters.com/world/africa/"),
        "image": {
            "title": "Steam rising from a geothermal well",
            "caption": "Steam rises from a geothermal well in the Rift Valley.",
            "credit": REUTERS,
            "colours": ("#e9c46a", "#6b4f1d"),
        },
        "body": [
            "A new geothermal power station has started feeding electricity into Kenya's "
            "national grid, drawing on steam from deep beneath the Rift Valley.",
            "Unlike wind and solar, geothermal plants run day and night, which makes them "
            "valuable for keeping the lights on when demand peaks in the evening.",
            "Engineers say the region has enough heat to support several more plants, and "
            "neighbouring countries are studying the same approach.",
        ],
    },
    {
        "slug": "baltic-states-begin-building-defence-line",
        "title": "Baltic states begin building a defence line along their eastern borders",
        "section": "europe",
        "authors": [TOMAS],
        "tags": ["NATO", "Defence", "Baltics"],
        "days_ago": 6,
        "summary": "Estonia, Latvia and Lithuania have started work on bunkers and "
        "obstacles meant to slow any attack across their frontiers.",
        "source": ("AP News", "https://apnews.com/hub/europe"),
        "image": {
            "title": "Concrete obstacles near the Estonian border",
            "caption": "Concrete obstacles waiting to be placed near the border.",
            "credit": AP,
            "colours": ("#6c757d", "#212529"),
        },
        "body": [
            "Construction crews have started on the first stretches of a chain of bunkers, "
            "ditches and anti-tank obstacles along the eastern borders of the Baltic states.",
            "The three governments say the line is meant to deter, and to buy time for "
            "allied forces to arrive if deterrence fails.",
            "Much of the work will be done on private farmland and forest, and officials "
            "have begun talks with landowners over access and compensation.",
        ],
    },
    {
        "slug": "austin-rallies-allies-to-keep-weapons-flowing-to-ukraine",
        "title": "Austin rallies allies to keep weapons flowing to Ukraine",
        "section": "europe",
        "authors": [LISA, TOMAS],
        "tags": ["NATO", "Ukraine", "Defence"],
        "days_ago": 5,
        "summary": "At Ramstein, the Pentagon chief urged some fifty countries to keep "
        "sending air defences and ammunition, and to plan for the long haul.",
        "source": ("CNN", "https://edition.cnn.com/politics"),
        "image": {
            "title": "Lloyd Austin at Ramstein",
            "caption": "Secretary of Defense Lloyd Austin.",
            "credit": CNN,
            "colours": ("#3d5a80", "#1b263b"),
        },
        "related_story": "allies-weigh-how-to-refill-ammunition-stocks",
        "related": [
            "baltic-states-begin-building-defence-line",
            "germany-to-double-military-aid-budget",
        ],
        "body": [
            "US Secretary of Defense Lloyd Austin opened a meeting of the Ukraine Defense "
            "Contact Group at Ramstein Air Base in Germany, pressing partners to keep up "
            "their deliveries as winter approaches.",
            "Air defence topped the agenda. Ukrainian officials told the meeting that their "
            "cities and power plants face nightly attacks and that every additional battery "
            "saves lives.",
            {"image": "Defence ministers at the Ramstein meeting"},
            "Several countries announced new packages, while others pledged to help pay "
            "for weapons bought from industry rather than from their own stocks.",
            {
                "quote": "We will stand with Ukraine for as long as it takes.",
                "attribution": "Lloyd Austin",
            },
            "The group has met regularly since the spring of 2022. Its members will meet "
            "again next month, this time at NATO headquarters in Brussels.",
        ],
    },
]
