"""Words the demo data is made of: names, places, companies, products, and the text of
each channel. Plain constants; the generator picks from them with seeded indices."""

from __future__ import annotations

GIVEN_NAMES = (
    "Ada", "Alan", "Amara", "Amelia", "Anil", "Aoife", "Arjun", "Beatrix", "Ben", "Bronwen",
    "Callum", "Chloé", "Chidi", "Clara", "Connor", "Daniel", "Deepa", "Eilidh", "Elif", "Ella",
    "Emil", "Emma", "Ewan", "Fatima", "Finn", "Freya", "George", "Grace", "Hamza", "Hannah",
    "Harry", "Ibrahim", "Imogen", "Isla", "Jack", "James", "Jasmine", "Jonas", "José", "Kai",
    "Karen", "Kwame", "Laila", "Leah", "Liam", "Lucía", "Magnus", "Maja", "Marcus", "Maria",
    "Mei", "Mohammed", "Nadia", "Niamh", "Noah", "Olivia", "Omar", "Oscar", "Priya", "Rhys",
    "Rosa", "Ruth", "Sam", "Sian", "Sofia", "Søren", "Tariq", "Thomas", "Yusuf", "Zoë",
)
FAMILY_NAMES = (
    "Adeyemi", "Ahmed", "Anderson", "Baker", "Banerjee", "Bell", "Bennett", "Brown", "Campbell",
    "Chen", "Clarke", "Cohen", "Davies", "Doherty", "Edwards", "Evans", "Fischer", "Fraser",
    "García", "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson", "Jones", "Kaur",
    "Kelly", "Khan", "King", "Kowalski", "Lewis", "Lovelace", "MacDonald", "Martin", "Mensah",
    "Morgan", "Müller", "Murphy", "Nguyen", "Nowak", "O'Brien", "Okafor", "Patel", "Price",
    "Roberts", "Robinson", "Rossi", "Scott", "Shah", "Singh", "Smith", "Sørensen", "Taylor",
    "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson",
    "Wood", "Wright", "Yilmaz", "Young", "Zhang",
)
COMPANY_WORDS = (
    "Acorn", "Albion", "Anchor", "Apex", "Aurora", "Beacon", "Birch", "Bridge", "Cairn",
    "Cedar", "Clyde", "Copper", "Crown", "Delta", "Falcon", "Fenwick", "Granite", "Harbour",
    "Heron", "Highland", "Iona", "Juniper", "Kestrel", "Lark", "Linden", "Meridian", "Mersey",
    "Northwind", "Oak", "Orchard", "Pennine", "Quarry", "Raven", "Saltire", "Severn", "Solent",
    "Summit", "Tamar", "Thistle", "Trent", "Tyne", "Vale", "Willow", "Wren",
)
COMPANY_TRADES = (
    "Architects", "Bakery", "Builders", "Consulting", "Dental Care", "Engineering", "Foods",
    "Freight", "Garden Centre", "Health", "Hotels", "Joinery", "Labs", "Legal", "Logistics",
    "Media", "Motors", "Outdoor", "Pharmacy", "Print", "Property", "Software", "Studios",
    "Textiles", "Travel", "Veterinary", "Wholesale",
)
COMPANY_SUFFIXES = ("Ltd", "Limited", "LLP", "plc", "& Co", "Group", "")
STREETS = (
    "Abbey", "Albert", "Ash", "Back", "Bath", "Beech", "Bridge", "Broad", "Castle", "Chapel",
    "Church", "Clarence", "College", "Dale", "Duke", "Elm", "Farm", "Fore", "George", "Green",
    "Grove", "Hawthorn", "High", "Hill", "Holly", "King", "Kingsway", "Lime", "London", "Main",
    "Manor", "Market", "Meadow", "Mill", "Moor", "New", "North", "Oak", "Old", "Park",
    "Priory", "Queen", "Railway", "Regent", "River", "Rose", "School", "South", "Spring",
    "Station", "Victoria", "Water", "West", "Willow", "Windsor", "York",
)
STREET_TYPES = ("Street", "Road", "Lane", "Avenue", "Close", "Way", "Crescent", "Place")
# (town, postcode area); postcode districts are drawn per address.
TOWNS = (
    ("London", "N"), ("London", "SE"), ("Manchester", "M"), ("Leeds", "LS"),
    ("Birmingham", "B"), ("Glasgow", "G"), ("Edinburgh", "EH"), ("Cardiff", "CF"),
    ("Bristol", "BS"), ("Newcastle upon Tyne", "NE"), ("Liverpool", "L"), ("Sheffield", "S"),
    ("Nottingham", "NG"), ("Belfast", "BT"), ("Aberdeen", "AB"), ("Brighton", "BN"),
    ("Cambridge", "CB"), ("Oxford", "OX"), ("York", "YO"), ("Exeter", "EX"),
    ("Norwich", "NR"), ("Swansea", "SA"), ("Inverness", "IV"), ("Plymouth", "PL"),
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com",
                 "post.example.org")
# Where staff meet customers (meeting metadata).
MEETING_PLACES = ("Customer's office", "Our office, meeting room 2", "Video call",
                  "Café near the station", "Trade fair stand", "Phone conference")
CALL_DISPOSITIONS = ("answered", "answered", "answered", "voicemail", "no_answer", "busy",
                     "callback_requested")
CAMPAIGNS = ("spring-sale", "summer-newsletter", "autumn-webinar", "winter-clearance",
             "loyalty-rewards", "product-launch", "customer-survey", "reactivation")
CAMPAIGN_RESPONSES = ("opened", "clicked", "clicked", "replied", "registered", "converted",
                      "unsubscribed")
UTM_SOURCES = (("newsletter", "email"), ("google", "cpc"), ("linkedin", "social"),
               ("partner-site", "referral"), ("facebook", "social"))
WEB_PAGES = ("/", "/pricing", "/products", "/products/{sku}", "/support", "/support/returns",
             "/blog/choosing-a-supplier", "/contact", "/account/orders", "/checkout")
CHAT_TOPICS = ("delivery date", "an invoice", "a discount code", "a product size",
               "opening hours", "a return", "their account password", "bulk pricing")
# (category, product names); SKUs are derived from the position.
CATALOGUE = (
    ("Office", ("A4 paper, 5 reams", "Desk organiser", "Ergonomic chair", "Standing desk",
                "Whiteboard", "Notebook pack")),
    ("Technology", ("Wireless keyboard", "27-inch monitor", "USB-C dock", "Noise-cancelling "
                    "headset", "Webcam HD", "Laptop stand", "Portable SSD 1 TB")),
    ("Home", ("Coffee grinder", "Cast-iron pan", "Linen bedding set", "Table lamp",
              "Wool throw", "Kettle")),
    ("Outdoor", ("Rain jacket", "Walking boots", "Trekking poles", "Tent, 2 person",
                 "Sleeping bag", "Head torch")),
    ("Services", ("Installation visit", "Extended warranty", "Annual maintenance plan",
                  "Training session", "Priority support")),
    ("Consumables", ("Printer ink, black", "Printer ink, colour", "Coffee beans 1 kg",
                     "Cleaning kit", "Batteries, 12 pack")),
)
EMAIL_SUBJECTS = (
    "Your order {order}", "Quote for {product}", "Question about {product}",
    "Invoice {invoice}", "Delivery of {product}", "Renewal of your maintenance plan",
    "Meeting next week", "Feedback on our service", "Price list for {year}",
    "Returns: {product}", "Welcome to Accord Supplies", "Your account details",
)
EMAIL_OPENERS = ("Hello {name},", "Dear {name},", "Hi {name},", "Good morning {name},")
EMAIL_BODIES = (
    "Thank you for your message. The {product} is in stock and can ship this week.",
    "Please find the quote attached; prices are valid for thirty days.",
    "Could you confirm the delivery address before we dispatch?",
    "We have received your return and will refund you within five working days.",
    "As discussed, I have set up the maintenance visit for next Tuesday.",
    "I wanted to follow up on your order and check everything arrived safely.",
    "Our new price list is out; your usual items are unchanged.",
    "Sorry for the delay: the {product} is now back from the supplier.",
)
INBOUND_BODIES = (
    "Can you tell me when my {product} will arrive?",
    "I'd like a quote for ten more of the {product}.",
    "The invoice shows the wrong VAT number, could you correct it?",
    "Thanks, that works for us.",
    "Is the {product} compatible with what we bought last year?",
    "We would like to renew for another year.",
)
SMS_OUTBOUND = ("Your order {order} has shipped and arrives tomorrow.",
                "Reminder: your appointment is tomorrow at 10:00.",
                "Your return has been received. Refund on its way.",
                "Your code for the spring sale: SPRING15")
SMS_INBOUND = ("Thanks!", "Can we move it to 11?", "Received, thank you.", "STOP",
               "Is the shop open on Sunday?")
NOTE_TEXTS = ("Prefers to be called in the afternoon.", "Asked about volume discounts.",
              "Unhappy with the last delivery; offered a voucher.",
              "Decision maker for purchasing.", "Moving office in spring; update address then.",
              "Interested in the maintenance plan.")
LETTER_TEXTS = ("Contract renewal enclosed for signature.", "Annual statement of account.",
                "Written complaint about a late delivery.", "Signed order form returned.",
                "Change of company address.")
# Best to worst: survey comments follow the score.
SURVEY_COMMENTS = ("Very helpful staff on the phone.", "Great service, quick delivery.",
                   "Fine overall.", "Prices went up too much.",
                   "Delivery was late twice this year.", "Hard to reach anyone by phone.")
