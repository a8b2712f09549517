"""The story the synthetic data tell, as parameters (all dates relative to `end`).

* **Tideway Goods** (Big-P: "Help people buy less, better") runs three brands:
  `verde` (sustainability: repair, recycled packaging), `gala` (occasions and
  gifts) and `kern` (expert service). Two years of weekly orders in every
  brand, ~35 % yearly growth, a December peak (strongest for `gala`), a Black
  Friday bump, Valentine's and Mother's Day for `gala`, a summer dip
  (the shape of the year is in `calendar.py`).
* Every customer has a latent "purpose achieved" trait. It drives their survey
  answers (purpose_achieved, NPS, CSAT, effort), whether their deliveries
  arrive on time, *and* how often they come back, so customers who say their
  purpose was achieved, and those delivered on time, repeat far more often
  (the Drivers page); gala's unsatisfied customers come back least, so its
  gap is the largest.
* `gala` runs clearly below its targets (returning orders, on-time delivery,
  NPS, CSAT, return rate, eNPS ...); `verde` and `kern` are mostly green/amber.
* Initiatives that visibly move their KPI: company-wide "Plastic-free
  packaging" (~40 weeks before `end`, recycled_packaging_share +20 points,
  lower scope-3 emissions per order), gala's "Gift-date guarantee" (~24 weeks
  before, on_time_delivery_rate +9), verde's "Repair & care service" (~60 weeks
  before, returning_order_share +6) and kern's "Ask-an-expert chat" (~32
  weeks before, first_contact_resolution +9).
* Suppression: gala's customer surveys are capped at 6 responses in three
  ISO weeks (a survey-tool migration: the weeks starting 6 and 5 weeks before
  `end`, and week 30 of the history); the employee pulse pauses from
  15 December to 4 January; the company-wide `legal` team has 3 people.

Arrays are indexed by brand: verde, gala, kern. Changing a number here
changes the data set (and `sample_data/`, which is generated with the
defaults: 30,000 orders, seed 7, `DEFAULT_END`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

DEFAULT_END = dt.date(2026, 11, 23)  # a Monday: the history ends with a whole ISO week

COMPANY = {
    "name": "Tideway Goods",
    "purpose_statement": "Help people buy less, better, and make every purchase do some good.",
    "vision": "A world where every purchase leaves people and planet better off.",
    "mission": "Sell fewer, better things through brands that repair, celebrate and serve with care.",
    "currency": "EUR",
}

BRANDS = ("verde", "gala", "kern")
VERDE, GALA, KERN = 0, 1, 2
BRAND_ROWS = (
    (
        "verde",
        "Verde",
        "Make the sustainable choice the easy one: products built to last, repaired "
        "rather than replaced, shipped in recycled packaging.",
    ),
    (
        "gala",
        "Gala",
        "Help people celebrate the moments that matter with thoughtful gifts that arrive on time.",
    ),
    (
        "kern",
        "Kern",
        "Give every customer expert service that solves the problem they came with, the first time.",
    ),
)

SHARE = np.array([0.38, 0.27, 0.35])  # of orders
GROWTH_PER_YEAR = 0.30  # continuous rate: ~35 % a year
XMAS_AMP = np.array([0.55, 1.50, 0.45])
BLACK_FRIDAY_AMP = np.array([0.35, 0.40, 0.50])

P_GUEST = np.array([0.06, 0.13, 0.06])
# Steady-state share of a brand's known orders placed by a returning customer.
P_RETURNING = np.array([0.62, 0.41, 0.66])
RETURNING_RAMP_WEEKS = 8.0  # the history starts with no earlier orders
REPAIR_AND_CARE_LIFT = 0.065  # verde's returning-order share, once the repair service runs
P_CROSS_BRAND = 0.08  # a new-to-brand order by a customer of another brand
P_SATISFIED = np.array([0.80, 0.50, 0.82])  # latent: "we help them do what they came for"
# Relative repeat propensity of unsatisfied customers, by brand: gala's come
# back least, so its purpose gap (and revenue at stake) is the largest.
UNSATISFIED_ACCEPT = np.array([0.30, 0.08, 0.30])
RECENCY_SHARE = 0.6  # returning picks weighted to recent customers; the rest uniform
RECENCY_MEAN_DAYS = 80.0
P_OPT_IN = np.array([0.66, 0.55, 0.62])

SEGMENTS = ("value", "core", "premium")
SEGMENT_P = np.array([0.35, 0.45, 0.17, 0.03])  # last: NULL
SEGMENT_PRICE = np.array([0.82, 1.0, 1.45, 1.0])
SEGMENT_RETURN = np.array([1.1, 1.0, 0.75, 1.0])
REGIONS = ("north", "south", "east", "west", "central")
REGION_P = np.array([0.22, 0.24, 0.18, 0.26, 0.08, 0.02])
REGION_ON_TIME = np.array([-0.05, 0.0, -0.01, 0.01, 0.02, 0.0])

CHANNELS = ("web", "app", "marketplace", "store")
CHANNEL_MIX = np.array(
    [
        [0.55, 0.25, 0.12, 0.08],
        [0.50, 0.20, 0.25, 0.05],
        [0.40, 0.25, 0.10, 0.25],
    ]
)
STORE = 3
MARKETPLACE = 2
P_CANCEL = np.array([0.035, 0.05, 0.035])
EXTRA_UNITS = np.array([0.9, 0.6, 0.8])  # units = 1 + Poisson(this)
UNIT_PRICE = np.array([29.0, 36.0, 52.0])  # median, before segment and discount
PROMISE_DAYS = np.array([4, 3, 2])
P_ON_TIME = np.array([0.93, 0.80, 0.955])
# Satisfied customers' orders arrive on time more often, unsatisfied ones'
# less (each brand's mean unchanged: lift × P_SATISFIED = drop × (1 − P_SATISFIED)),
# so the on-time driver shows customers delivered on time come back more.
ON_TIME_SATISFIED_LIFT = np.array([0.03, 0.15, 0.025])
ON_TIME_UNSATISFIED_DROP = ON_TIME_SATISFIED_LIFT * P_SATISFIED / (1 - P_SATISFIED)
GIFT_GUARANTEE_LIFT = 0.09
XMAS_ON_TIME_DROP = 0.07
P_RETURN_UNIT = np.array([0.045, 0.085, 0.055])
RECYCLED_SHARE = np.array([0.62, 0.36, 0.45])
PLASTIC_FREE_LIFT = 0.21
P_DONATE = np.array([0.16, 0.07, 0.10])
DONATIONS = np.array([1.0, 2.0, 2.5, 5.0])
DONATION_P = np.array([0.35, 0.30, 0.20, 0.15])
CAUSES = (
    ("ocean_cleanup", "reforestation"),
    ("childrens_hospitals", "food_banks"),
    ("repair_cafes", "digital_inclusion"),
)
SHIPPING_FACTOR = np.array([0.8, 1.05, 1.0])  # verde ships by cargo bike in cities

P_SURVEY = np.array([0.18, 0.17, 0.18])  # of completed orders (a one-tap in-app survey)
SPARSE_SURVEY_CAP = 6  # gala responses kept in each sparse week
PURPOSES = ("gift", "replace", "sustainable_choice", "explore")
PURPOSE_P = np.array(
    [
        [0.10, 0.30, 0.40, 0.15, 0.05],
        [0.60, 0.10, 0.05, 0.20, 0.05],
        [0.12, 0.45, 0.13, 0.25, 0.05],
    ]
)
NPS_P = {  # scores 0..10
    True: np.array([0, 0, 0, 0, 0, 0.01, 0.02, 0.07, 0.18, 0.32, 0.40]),
    False: np.array([0.04, 0.04, 0.06, 0.08, 0.10, 0.14, 0.16, 0.16, 0.12, 0.06, 0.04]),
}
CSAT_P = {True: np.array([0.01, 0.02, 0.06, 0.34, 0.57]), False: np.array([0.12, 0.20, 0.30, 0.26, 0.12])}
EFFORT_P = {
    True: np.array([0.01, 0.02, 0.04, 0.08, 0.20, 0.35, 0.30]),
    False: np.array([0.06, 0.10, 0.16, 0.22, 0.22, 0.16, 0.08]),
}
COMMENTS = {
    "good": (
        "Arrived early and beautifully packed.",
        "Exactly what I needed, thank you!",
        "Great advice from the team, problem solved.",
        'Perfect gift - she said it was "just right".',
        "Très bien, livraison rapide.",
        "Love that the box is recycled, and no plastic.",
    ),
    "bad": (
        "Arrived two days after the birthday, too late.",
        "Hard to reach anyone, three calls to get an answer.",
        "Item was not as described, returning it.",
        "Packaging was huge for such a small item.",
        "Lieferung kam zu spät, schade.",
    ),
    "neutral": (
        "OK, nothing special.",
        "Fine, but delivery could be faster.",
        "Good product, average service.",
    ),
}
ALL_COMMENTS = COMMENTS["good"] + COMMENTS["bad"] + COMMENTS["neutral"]

P_TICKET = np.array([0.025, 0.04, 0.025])
P_FCR = np.array([0.74, 0.62, 0.75])
EXPERT_CHAT_LIFT = 0.09
RESOLUTION_HOURS = np.array([16.0, 26.0, 8.0])  # median time to resolve a one-contact ticket

MESSAGES_PER_ORDER = 0.5
SEND_SLOT = ((3, 8), (4, 10), (1, 7))  # (weekday, hour UTC) of the weekly campaign
P_OPEN = np.array([0.38, 0.30, 0.35])
P_CLICK_GIVEN_OPEN = np.array([0.15, 0.11, 0.13])
P_UNSUB_GIVEN_OPEN = np.array([0.004, 0.016, 0.005])

# Teams: (brand or None for company-wide, team, headcount at 30k orders).
TEAMS = (
    (VERDE, "operations", 28),
    (VERDE, "customer_care", 14),
    (VERDE, "repair_studio", 10),
    (GALA, "operations", 30),
    (GALA, "customer_care", 12),
    (GALA, "creative", 8),
    (KERN, "operations", 24),
    (KERN, "service_desk", 20),
    (None, "technology", 18),
    (None, "finance", 9),
    (None, "people", 6),
    (None, "legal", 3),  # small on purpose: never 5 answers a month
)
FIXED_TEAMS = {"legal"}
TEAM_NAMES = tuple(dict.fromkeys(team for _, team, _ in TEAMS))
TEAM_VOLUNTARY = {VERDE: 0.009, GALA: 0.022, KERN: 0.010, None: 0.008}
TEAM_TRAINING = {VERDE: 2.6, GALA: 1.2, KERN: 3.1, None: 2.0}
TEAM_ENGAGED = {VERDE: 0.74, GALA: 0.42, KERN: 0.70, None: 0.62}
# The always-on pulse invites everyone twice a month (fixed teams once);
# this share answers.
PULSE_RESPONSE = 0.55
ENPS_P = {
    True: np.array([0, 0, 0, 0, 0, 0.01, 0.04, 0.13, 0.20, 0.32, 0.30]),
    False: np.array([0.02, 0.03, 0.05, 0.07, 0.10, 0.13, 0.15, 0.17, 0.20, 0.06, 0.02]),
}
ALIGN_P = {True: np.array([0.02, 0.04, 0.12, 0.44, 0.38]), False: np.array([0.10, 0.20, 0.34, 0.26, 0.10])}

# Monthly ledger, per completed order unless said otherwise.
KWH_PER_ORDER = np.array([1.5, 2.0, 1.8])
RENEWABLE = np.array([[0.82, 0.95], [0.30, 0.46], [0.52, 0.70]])  # at start, at end
SHARED_RENEWABLE = (0.45, 0.75)
SCOPE1_KG = np.array([0.10, 0.28, 0.25])
GOODS_KG = np.array([1.6, 2.3, 2.1])
TRANSPORT_KG = 1.1
PACKAGING_KG_CO2 = 1.0
PLASTIC_FREE_PACKAGING_CUT = 0.5
WASTE_KG = np.array([0.30, 0.42, 0.36])
DIVERSION = np.array([[0.86, 0.92], [0.58, 0.64], [0.70, 0.78]])
COMMUNITY_SHARE = np.array([0.011, 0.004, 0.008])  # of net revenue
LOCAL_SHARE = np.array([0.32, 0.14, 0.24])
GRID_KG_PER_KWH = 0.35

# Targets: metric -> (company, verde, gala, kern) for the first and the
# second target year. A brand has only its own targets
# (docs/metrics.md#targets-and-status).
TARGETS = {
    "returning_order_share": ((55, 58, 50, 60), (58, 62, 52, 63)),
    "repeat_customer_rate": ((55, 58, 52, 60), (58, 62, 55, 63)),
    "on_time_delivery_rate": ((90, 90, 92, 93), (92, 92, 95, 94)),
    "nps": ((35, 40, 30, 45), (40, 45, 35, 50)),
    "csat": ((78, 80, 78, 82), (80, 82, 80, 84)),
    "purpose_achieved_rate": ((70, 72, 72, 75), (72, 75, 75, 78)),
    "return_rate": ((6, 5, 6, 6), (5.5, 5, 6, 5.5)),
    "recycled_packaging_share": ((50, 65, 45, 50), (65, 80, 60, 65)),
    "enps": ((15, 25, 15, 20), (18, 28, 20, 25)),
    "first_contact_resolution": ((70, 70, 72, 75), (72, 72, 75, 80)),
}
# The initiatives, by the name the initiatives table gives them.
REPAIR_AND_CARE = "Repair & care service"
PLASTIC_FREE = "Plastic-free packaging"
EXPERT_CHAT = "Ask-an-expert chat"
GIFT_DATE_GUARANTEE = "Gift-date guarantee"
INITIATIVES = (
    # (brand, name, weeks before end, metric, expected change)
    (VERDE, REPAIR_AND_CARE, 60, "returning_order_share", 5.0),
    (None, "Purpose week for all staff", 48, None, None),
    (None, PLASTIC_FREE, 40, "recycled_packaging_share", 20.0),
    (KERN, EXPERT_CHAT, 32, "first_contact_resolution", 8.0),
    (GALA, GIFT_DATE_GUARANTEE, 24, "on_time_delivery_rate", 8.0),
)

# Weeks an initiative takes to reach its full effect after its launch.
RAMP_WEEKS = {REPAIR_AND_CARE: 8, PLASTIC_FREE: 4, EXPERT_CHAT: 3, GIFT_DATE_GUARANTEE: 3}
