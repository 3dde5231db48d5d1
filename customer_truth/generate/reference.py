"""Reference data the simulated people and the company are drawn from: names, places, products.

Places carry real postal code shapes and real area codes, so phones validate with
`phonenumbers` and addresses look like the country they are in. Everything here is a constant:
the world's randomness comes from `rng`, never from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# The company whose systems these are
# ---------------------------------------------------------------------------------------------

COMPANY_DOMAIN = "northwind-outfitters.com"
COMPANY_PHONE = (
    "+18884376693"  # the contact-center number; agents sometimes type it as the customer's
)
COMPANY_PHONE_TYPED = ("(888) 437-6693", "1-888-437-6693", "888.437.6693", "8884376693")
SUPPORT_EMAIL = "help@" + COMPANY_DOMAIN
SHOP_URL = "https://www." + COMPANY_DOMAIN

# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

# given name -> nicknames people (and agents) use instead
MALE: dict[str, tuple[str, ...]] = {
    "James": ("Jim", "Jimmy", "Jamie"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "John": ("Jack", "Johnny"),
    "Michael": ("Mike", "Mikey"),
    "William": ("Bill", "Will", "Billy"),
    "David": ("Dave",),
    "Richard": ("Rick", "Rich", "Dick"),
    "Joseph": ("Joe", "Joey"),
    "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Donald": ("Don",),
    "Steven": ("Steve",),
    "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",),
    "Kenneth": ("Ken", "Kenny"),
    "Kevin": (),
    "Brian": (),
    "George": (),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Ronald": ("Ron",),
    "Timothy": ("Tim",),
    "Jason": (),
    "Jeffrey": ("Jeff",),
    "Ryan": (),
    "Jacob": ("Jake",),
    "Gary": (),
    "Nicholas": ("Nick",),
    "Eric": (),
    "Jonathan": ("Jon",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Alexander": ("Alex",),
    "Patrick": ("Pat",),
    "Peter": ("Pete",),
    "Luis": (),
    "Carlos": (),
    "José": ("Pepe",),
    "Jürgen": (),
    "Lukas": (),
    "Oliver": ("Ollie",),
    "Harry": (),
    "Mohammed": ("Mo",),
    "Wei": (),
    "Raj": (),
    "Liam": (),
    "Noah": (),
    "Ethan": (),
}
FEMALE: dict[str, tuple[str, ...]] = {
    "Mary": (),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Jennifer": ("Jen", "Jenny"),
    "Linda": (),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Barbara": ("Barb",),
    "Susan": ("Sue",),
    "Jessica": ("Jess",),
    "Sarah": (),
    "Karen": (),
    "Nancy": (),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Lisa": (),
    "Sandra": ("Sandy",),
    "Ashley": (),
    "Kimberly": ("Kim",),
    "Emily": ("Em",),
    "Donna": (),
    "Michelle": ("Shelly",),
    "Carol": (),
    "Amanda": ("Mandy",),
    "Melissa": ("Mel",),
    "Deborah": ("Deb", "Debbie"),
    "Stephanie": ("Steph",),
    "Rebecca": ("Becky", "Becca"),
    "Laura": (),
    "Sharon": (),
    "Cynthia": ("Cindy",),
    "Kathleen": ("Kathy",),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Amy": (),
    "Angela": ("Angie",),
    "Helen": (),
    "Anna": (),
    "Christine": ("Chris", "Chrissy"),
    "Samantha": ("Sam",),
    "Victoria": ("Vicky", "Tori"),
    "Alexandra": ("Alex", "Sasha"),
    "Sophie": (),
    "Charlotte": ("Charlie",),
    "Emma": (),
    "Olivia": ("Liv",),
    "Chloé": (),
    "Zoë": (),
    "María": (),
    "Sofía": (),
    "Priya": (),
    "Mei": (),
    "Anja": (),
    "Grace": (),
}

SURNAMES: tuple[str, ...] = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "O'Brien",
    "O'Connor",
    "McDonald",
    "MacLeod",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Schäfer",
    "Krüger",
    "Lehmann",
    "Smith-Jones",
    "García",
    "Núñez",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Singh",
    "Kumar",
    "Shah",
    "Ahmed",
    "Khan",
    "Ali",
    "Nowak",
    "Kowalski",
    "Rossi",
    "Russo",
    "Bianchi",
    "Dubois",
    "Lefèvre",
    "van der Berg",
    "de Vries",
    "Jansen",
    "Okafor",
    "Mensah",
    "Nakamura",
    "Tanaka",
    "Sato",
    "Fitzgerald",
    "Sullivan",
    "Brennan",
    "Larsen",
    "Johansson",
    "Novak",
)
SALUTATIONS_M = ("Mr.", "Mr.", "Dr.", "")
SALUTATIONS_F = ("Ms.", "Mrs.", "Ms.", "Dr.", "")

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    city: str
    region: str  # state/province code (US, CA, DE) or nation (GB)
    postal_codes: tuple[str, ...]
    area_codes: tuple[str, ...]  # national destination codes for landlines (and NANP mobiles)
    zone: str
    country: str


def _us(city: str, st: str, zips: str, areas: str, zone: str) -> Place:
    return Place(city, st, tuple(zips.split()), tuple(areas.split()), zone, "US")


_NY, _CHI, _DEN, _PHX, _LA = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)
PLACES_US: tuple[Place, ...] = (
    _us("New York", "NY", "10001 10011 10024 10128 10003", "212 646 917", _NY),
    _us("Brooklyn", "NY", "11201 11215 11238", "718 347 929", _NY),
    _us("Boston", "MA", "02108 02116 02130", "617 857", _NY),
    _us("Philadelphia", "PA", "19103 19104 19147", "215 267", _NY),
    _us("Pittsburgh", "PA", "15213 15222", "412", _NY),
    _us("Baltimore", "MD", "21201 21224", "410 443", _NY),
    _us("Washington", "DC", "20001 20009", "202", _NY),
    _us("Atlanta", "GA", "30303 30309", "404 678 470", _NY),
    _us("Miami", "FL", "33101 33130", "305 786", _NY),
    _us("Orlando", "FL", "32801 32803", "407 321", _NY),
    _us("Tampa", "FL", "33602 33606", "813", _NY),
    _us("Charlotte", "NC", "28202 28205", "704 980", _NY),
    _us("Raleigh", "NC", "27601 27603", "919 984", _NY),
    _us("Nashville", "TN", "37203 37206", "615 629", _CHI),
    _us("Chicago", "IL", "60601 60614 60657", "312 773 872", _CHI),
    _us("Detroit", "MI", "48201 48226", "313", _NY),
    _us("Columbus", "OH", "43215 43201", "614", _NY),
    _us("Cleveland", "OH", "44113 44102", "216", _NY),
    _us("Minneapolis", "MN", "55401 55408", "612", _CHI),
    _us("St. Louis", "MO", "63101 63110", "314", _CHI),
    _us("Kansas City", "MO", "64105 64111", "816", _CHI),
    _us("Milwaukee", "WI", "53202", "414", _CHI),
    _us("Dallas", "TX", "75201 75204", "214 469 972", _CHI),
    _us("Houston", "TX", "77002 77006", "713 281 832", _CHI),
    _us("Austin", "TX", "78701 78704", "512 737", _CHI),
    _us("San Antonio", "TX", "78205", "210", _CHI),
    _us("New Orleans", "LA", "70112 70115", "504", _CHI),
    _us("Denver", "CO", "80202 80206", "303 720", _DEN),
    _us("Salt Lake City", "UT", "84101 84105", "801 385", _DEN),
    _us("Phoenix", "AZ", "85004 85016", "602 480", _PHX),
    _us("Albuquerque", "NM", "87102", "505", _DEN),
    _us("Las Vegas", "NV", "89101 89109", "702 725", _LA),
    _us("Los Angeles", "CA", "90012 90026 90045", "213 323 310 424", _LA),
    _us("San Diego", "CA", "92101 92103", "619 858", _LA),
    _us("San Francisco", "CA", "94103 94110 94117", "415 628", _LA),
    _us("Oakland", "CA", "94607 94610", "510", _LA),
    _us("San Jose", "CA", "95112 95126", "408 669", _LA),
    _us("Sacramento", "CA", "95814", "916", _LA),
    _us("Portland", "OR", "97201 97214", "503 971", _LA),
    _us("Seattle", "WA", "98101 98115", "206", _LA),
)
PLACES_CA: tuple[Place, ...] = (
    Place(
        "Toronto", "ON", ("M5V 2T6", "M4C 1B5", "M6K 3P6"), ("416", "647"), "America/Toronto", "CA"
    ),
    Place("Ottawa", "ON", ("K1P 5G4", "K2P 1L4"), ("613",), "America/Toronto", "CA"),
    Place("Montréal", "QC", ("H2X 1Y4", "H3B 2Y5"), ("514", "438"), "America/Toronto", "CA"),
    Place("Vancouver", "BC", ("V6B 1A1", "V5K 0A1"), ("604", "778"), "America/Vancouver", "CA"),
    Place("Calgary", "AB", ("T2P 1J9", "T3A 0E2"), ("403", "587"), "America/Denver", "CA"),
)
PLACES_GB: tuple[Place, ...] = (
    Place(
        "London",
        "England",
        ("SW1A 1AA", "E1 6AN", "N1 9GU", "SE1 7PB"),
        ("20",),
        "Europe/London",
        "GB",
    ),
    Place("Manchester", "England", ("M1 1AE", "M4 5JD"), ("161",), "Europe/London", "GB"),
    Place("Birmingham", "England", ("B1 1BB", "B5 4BU"), ("121",), "Europe/London", "GB"),
    Place("Leeds", "England", ("LS1 4AP", "LS6 2AB"), ("113",), "Europe/London", "GB"),
    Place("Glasgow", "Scotland", ("G1 1XQ", "G12 8QQ"), ("141",), "Europe/London", "GB"),
    Place("Bristol", "England", ("BS1 4DJ", "BS8 1TH"), ("117",), "Europe/London", "GB"),
)
PLACES_DE: tuple[Place, ...] = (
    Place("Berlin", "BE", ("10115", "10405", "10999"), ("30",), "Europe/Berlin", "DE"),
    Place("München", "BY", ("80331", "80469"), ("89",), "Europe/Berlin", "DE"),
    Place("Hamburg", "HH", ("20095", "22767"), ("40",), "Europe/Berlin", "DE"),
    Place("Köln", "NW", ("50667", "50823"), ("221",), "Europe/Berlin", "DE"),
    Place("Frankfurt am Main", "HE", ("60311", "60594"), ("69",), "Europe/Berlin", "DE"),
)
PLACES: dict[str, tuple[Place, ...]] = {
    "US": PLACES_US,
    "CA": PLACES_CA,
    "GB": PLACES_GB,
    "DE": PLACES_DE,
}
# share of persons per country
COUNTRY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("US", 0.86),
    ("CA", 0.05),
    ("GB", 0.06),
    ("DE", 0.03),
)
CURRENCY = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR"}

STREETS_US = (
    "Main St",
    "Oak Ave",
    "Maple Ave",
    "Cedar St",
    "Pine St",
    "Elm St",
    "Washington Ave",
    "Lake Dr",
    "Hill Rd",
    "Park Ave",
    "2nd St",
    "3rd Ave",
    "Sunset Blvd",
    "Broadway",
    "Highland Ave",
    "Lincoln Ave",
    "Church St",
    "Walnut St",
    "Chestnut St",
    "Spruce St",
    "River Rd",
    "Forest Dr",
    "Meadow Ln",
    "Willow Way",
    "Jefferson St",
    "Madison Ave",
    "Franklin St",
    "Market St",
    "Center St",
    "Union St",
    "Grove St",
    "Prospect Pl",
)
STREETS_GB = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Park Road",
    "Mill Lane",
    "King Street",
    "Queen's Road",
    "The Crescent",
    "Manor Close",
    "Green Lane",
    "London Road",
)
STREETS_DE = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Schulstraße",
    "Gartenstraße",
    "Dorfstraße",
    "Bergstraße",
    "Lindenstraße",
    "Goethestraße",
    "Schillerstraße",
    "Kirchweg",
    "Am Markt",
    "Ringstraße",
)
# how agents and forms abbreviate street suffixes (the same address, typed differently)
STREET_LONG = {
    "St": "Street",
    "Ave": "Avenue",
    "Dr": "Drive",
    "Rd": "Road",
    "Blvd": "Boulevard",
    "Ln": "Lane",
    "Pl": "Place",
}

# ---------------------------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------------------------

PERSONAL_DOMAINS: dict[str, tuple[tuple[str, int], ...]] = {
    "US": (
        ("gmail.com", 45),
        ("yahoo.com", 12),
        ("icloud.com", 10),
        ("outlook.com", 8),
        ("hotmail.com", 8),
        ("aol.com", 3),
        ("comcast.net", 3),
        ("proton.me", 2),
        ("me.com", 2),
    ),
    "CA": (
        ("gmail.com", 45),
        ("hotmail.com", 15),
        ("outlook.com", 10),
        ("rogers.com", 6),
        ("shaw.ca", 6),
        ("icloud.com", 8),
    ),
    "GB": (
        ("gmail.com", 40),
        ("btinternet.com", 12),
        ("hotmail.co.uk", 12),
        ("yahoo.co.uk", 10),
        ("outlook.com", 8),
    ),
    "DE": (("gmail.com", 30), ("web.de", 25), ("gmx.de", 25), ("t-online.de", 12)),
}
EMPLOYERS: tuple[tuple[str, str], ...] = (
    ("Acme Corporation", "acmecorp.com"),
    ("Brightline Logistics", "brightlinelogistics.com"),
    ("Cobalt Analytics", "cobaltanalytics.io"),
    ("Harbor Bank", "harborbank.com"),
    ("Pinecrest Medical", "pinecrestmed.org"),
    ("Summit Insurance", "summitins.com"),
    ("Redwood Software", "redwoodsoftware.com"),
    ("Bluewater Energy", "bluewaterenergy.com"),
    ("Ironclad Security", "ironcladsec.com"),
    ("Lakeside University", "lakeside.edu"),
    ("Meridian Partners", "meridianpartners.com"),
    ("Northstar Consulting", "northstarco.com"),
    ("Silverline Telecom", "silverlinetel.com"),
    ("Tidewater Foods", "tidewaterfoods.com"),
    ("Vertex Labs", "vertexlabs.ai"),
    ("Keystone Legal", "keystonelegal.com"),
    ("Granite Health", "granitehealth.org"),
    ("Oakridge Public Schools", "oakridge.k12.us"),
    ("Thames Valley Trust", "tvtrust.co.uk"),
    ("Rheinwerk Maschinen", "rheinwerk.de"),
)
PLACEHOLDER_EMAILS = (
    "test@test.com",
    "none@none.com",
    "noemail@noemail.com",
    "N/A",
    "unknown",
    "na@na.com",
    "no@email.com",
)
PLACEHOLDER_PHONES = ("0000000000", "N/A", "unknown", "000-000-0000", "1111111111", "none")

# ---------------------------------------------------------------------------------------------
# Catalogue, web and service
# ---------------------------------------------------------------------------------------------

PRODUCTS: tuple[tuple[str, str, int], ...] = (
    ("NW-TENT-2P", "Ridgeline 2-Person Tent", 24900),
    ("NW-BAG-20F", "Alpine 20°F Sleeping Bag", 18900),
    ("NW-PACK-45", "Trailhead 45L Backpack", 15900),
    ("NW-JKT-RAIN-M", "Stormfront Rain Jacket (M)", 12900),
    ("NW-JKT-RAIN-W", "Stormfront Rain Jacket (W)", 12900),
    ("NW-FLEECE-M", "Summit Fleece (M)", 7900),
    ("NW-FLEECE-W", "Summit Fleece (W)", 7900),
    ("NW-BOOT-HIKE", "Switchback Hiking Boots", 16900),
    ("NW-SOCK-3PK", "Merino Hiking Socks, 3-pack", 2900),
    ("NW-HAT-SUN", "Wide-Brim Sun Hat", 3400),
    ("NW-BOTTLE-1L", "Insulated Bottle 1L", 3900),
    ("NW-STOVE-CMP", "Compact Camp Stove", 6900),
    ("NW-LAMP-HEAD", "Headlamp 400lm", 4500),
    ("NW-POLE-PR", "Carbon Trekking Poles (pair)", 11900),
    ("NW-MAT-INSUL", "Insulated Sleeping Pad", 9900),
    ("NW-CHAIR-LT", "Ultralight Camp Chair", 8900),
    ("NW-KIT-FIRST", "First-Aid Kit", 3200),
    ("NW-GLOVE-WARM", "Thermal Gloves", 4200),
    ("NW-TEE-MERINO", "Merino Tee", 5900),
    ("NW-SHORT-TRAIL", "Trail Shorts", 5400),
    ("NW-CUP-TI", "Titanium Mug", 2700),
    ("NW-FILTER-H2O", "Water Filter", 4900),
    ("NW-GAITER", "Trail Gaiters", 3600),
    ("NW-DUFFEL-60", "Expedition Duffel 60L", 13900),
)
CARRIERS: tuple[tuple[str, float], ...] = (("USPS", 0.55), ("UPS", 0.3), ("FedEx", 0.15))

HELP_ARTICLES: dict[str, tuple[tuple[str, str], ...]] = {
    "where_is_my_order": (
        ("where-is-my-order", "Where is my order?"),
        ("delivery-delays", "Delivery delays and what you can do"),
    ),
    "billing_issue": (
        ("failed-payment", "Why did my payment fail?"),
        ("update-payment-method", "Update your payment method"),
    ),
    "return_request": (("returns-policy", "Returns and refunds"),),
    "product_question": (("size-guide", "Size guide"), ("tent-care", "Caring for your tent")),
    "membership": (("northwind-plus-faq", "Northwind Plus: questions and answers"),),
}
PAGES: tuple[tuple[str, str], ...] = (
    ("Home", "/"),
    ("Tents", "/collections/tents"),
    ("Jackets", "/collections/jackets"),
    ("Footwear", "/collections/footwear"),
    ("Sale", "/collections/sale"),
    ("Northwind Plus", "/pages/plus"),
    ("Stores", "/pages/stores"),
)
USER_AGENTS = {
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/122.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.3 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    ),
    "mobile": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/122.0.0.0 Mobile Safari/537.36",
    ),
}

INTENTS = (
    "where_is_my_order",
    "billing_issue",
    "return_request",
    "product_question",
    "account_update",
    "membership",
)
QUEUES = {
    "where_is_my_order": "Orders",
    "billing_issue": "Billing",
    "return_request": "Returns",
    "product_question": "BasicQueue",
    "account_update": "BasicQueue",
    "membership": "Billing",
}
AGENT_NAMES: tuple[str, ...] = (
    "alice.nguyen",
    "ben.okafor",
    "carla.ruiz",
    "dev.patel",
    "erin.walsh",
    "femi.adeyemi",
    "grace.kim",
    "hugo.martin",
    "isla.brown",
    "jonas.weber",
    "kara.singh",
    "leo.rossi",
    "maya.cohen",
    "nate.jones",
    "olga.novak",
    "paul.evans",
    "quinn.lee",
    "rosa.garcia",
    "sam.taylor",
    "tara.obrien",
)
TICKET_SUBJECTS: dict[str, tuple[str, ...]] = {
    "where_is_my_order": (
        "Where is my order {order}?",
        "Order {order} not delivered",
        "Package late - {order}",
        "Tracking hasn't updated",
    ),
    "billing_issue": (
        "Payment failed",
        "Charged twice?",
        "Card declined on membership renewal",
        "Question about my invoice",
    ),
    "return_request": (
        "Return for order {order}",
        "Wrong size - need exchange",
        "Refund not received",
    ),
    "product_question": (
        "Tent pole broke",
        "Which sleeping bag for winter?",
        "Jacket zipper stuck",
        "Warranty question",
    ),
    "account_update": ("Update my address", "Change email on my account", "Can't log in"),
    "membership": ("Cancel Northwind Plus", "How do I use my Plus discount?"),
}
