"""What a prescription says: people, dates, drugs and directions, each with the
text as printed and its normalised value (the ground truth)."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from .drugs import DrugPicker, Product, base_name, format_number
from .ids import make_dea, make_npi

FIRST_NAMES = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty
Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle
Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Laura
Edward Helen Jeffrey Sharon Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley
Jonathan Anna Larry Brenda Justin Pamela Scott Emma Brandon Nicole Benjamin Samantha Samuel Katherine
Gregory Christine Alexander Debra Patrick Rachel Frank Carolyn Raymond Janet Jack Maria Dennis Olivia
Jerry Heather Tyler Diane Aaron Julie Jose Joyce Adam Victoria Nathan Ruth Henry Virginia Zachary
Lauren Douglas Kelly Peter Christina Kyle Joan Noah Evelyn Ethan Judith Jeremy Andrea Walter Hannah
Christian Megan Keith Cheryl Roger Jacqueline Terry Martha Austin Madison Sean Teresa Gerald Gloria
Carl Sara Harold Janice Dylan Ann Arthur Kathryn Lawrence Abigail Jordan Sophia Jesse Frances Bryan
Jean Billy Alice Bruce Judy Gabriel Isabella Joe Julia Logan Grace Alan Amber Juan Denise Albert
Danielle Willie Marilyn Elijah Beverly Wayne Charlotte Randy Natalie Vincent Theresa Mason Diana
Roy Brittany Ralph Doris Bobby Kayla Russell Alexis Bradley Lori Philip Marie Eugene Priya Wei Ahmed
Fatima Carlos Mei Hiroshi Aisha Kwame Ingrid Mateo Lucia Rahul Anika Oluwaseun Dmitri Olga Yuki Omar
Leila Tomasz Agnieszka Nguyen Minh Siobhan Declan Ananya Arjun Chiara Giovanni Thandiwe Sipho""".split()

LAST_NAMES = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez
Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz
Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson
Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins
Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero
Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant
Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez
McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford
Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer
Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels
Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kowalski Okafor Lindqvist Tanaka
Ferreira Abdullahi Novak Mensah Haddad Virtanen Oyelaran Schultz O'Brien Nakamura Singh Khan Dubois
Rossi Muller Johansson Petrov Yilmaz Kaur Osei Mbeki Fitzgerald MacLeod Gallagher Chaudhry""".split()

CLINIC_PLACES = """Riverside Maple Grove Lakeview Summit Oak Hill Bayside Cedar Valley Northgate Pinecrest
Harbor Willow Creek Fairview Brookside Hillcrest Parkview Meadowbrook Westfield Eastside Highland
Stonebridge Greenwood Silver Lake Sunnyvale Clearwater Foothills Valley Crossroads Redwood Bridgeport
Mountain View Prairie Heritage Cornerstone Evergreen Liberty Union Lakeshore""".split("\n")
CLINIC_PLACES = [w for line in CLINIC_PLACES for w in line.split()]
CLINIC_PLACES_MULTI = ["Maple Grove", "Oak Hill", "Cedar Valley", "Willow Creek", "Silver Lake",
                       "Mountain View", "Stone Bridge", "Pine Ridge", "Spring Valley", "Fox Run"]
CLINIC_KINDS = ["Family Medicine", "Medical Group", "Health Center", "Internal Medicine", "Pediatrics",
                "Clinic", "Urgent Care", "Primary Care Associates", "Medical Associates", "Family Practice",
                "Community Health Center", "Physicians Group", "Women's Health", "Cardiology Associates",
                "Dermatology", "Medical Center"]
STREETS = ["Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Church",
           "Market", "Franklin", "Highland", "Jefferson", "Lincoln", "Madison", "Ridge", "Spring", "Sunset",
           "Walnut", "Chestnut", "Mill", "River", "Center", "Broad", "Court", "Prospect", "Union", "Locust"]
STREET_TYPES = ["St", "St.", "Street", "Ave", "Ave.", "Avenue", "Rd", "Road", "Blvd", "Dr", "Drive", "Ln",
                "Way", "Pkwy", "Ct"]
CITIES = [("Springfield", "IL"), ("Columbus", "OH"), ("Madison", "WI"), ("Franklin", "TN"),
          ("Salem", "OR"), ("Fairfield", "CA"), ("Bristol", "CT"), ("Clinton", "IA"), ("Greenville", "SC"),
          ("Georgetown", "TX"), ("Arlington", "VA"), ("Dayton", "OH"), ("Burlington", "VT"), ("Dover", "DE"),
          ("Lexington", "KY"), ("Auburn", "AL"), ("Rochester", "MN"), ("Plymouth", "MA"), ("Jackson", "MS"),
          ("Aurora", "CO"), ("Lancaster", "PA"), ("Eugene", "OR"), ("Boise", "ID"), ("Tucson", "AZ"),
          ("Raleigh", "NC"), ("Albany", "NY"), ("Portland", "ME"), ("Omaha", "NE"), ("Tulsa", "OK"),
          ("Reno", "NV")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ROMAN_SMALL = {1: "i", 2: "ii", 3: "iii", 4: "iv"}


def number_words(n: int) -> str:
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    raise ValueError(n)


def pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), list(weighted.values()))[0]


# --- people and places -----------------------------------------------------------

@dataclass
class Person:
    first: str
    middle: str  # initial or ""
    last: str

    def full(self) -> str:
        return " ".join(p for p in (self.first, f"{self.middle}." if self.middle else "", self.last) if p)


@dataclass
class Prescriber:
    person: Person
    credential: str   # MD, DO, NP, PA-C
    npi: str
    dea: str
    specialty: str
    printed: str      # the name as printed in the header, e.g. "Jane A. Doe, M.D."


@dataclass
class Clinic:
    name: str
    street: str
    city_line: str
    phone: str
    fax: str


def make_person(rng: random.Random) -> Person:
    middle = rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.35 else ""
    return Person(rng.choice(FIRST_NAMES), middle, rng.choice(LAST_NAMES))


def phone_number(rng: random.Random) -> str:
    area = rng.randrange(201, 990)
    line = rng.randrange(100, 200)  # 555-0100..0199 is reserved for fiction
    return rng.choice([f"({area}) 555-0{line}", f"{area}-555-0{line}", f"{area}.555.0{line}"])


def make_clinic(rng: random.Random) -> Clinic:
    place = rng.choice(CLINIC_PLACES + CLINIC_PLACES_MULTI)
    name = f"{place} {rng.choice(CLINIC_KINDS)}"
    city, state = rng.choice(CITIES)
    suite = rng.choice(["", "", "", f", Suite {rng.randrange(100, 450)}", f", Ste {rng.randrange(1, 30)}"])
    street = f"{rng.randrange(12, 9800)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}{suite}"
    return Clinic(name=name, street=street, city_line=f"{city}, {state} {rng.randrange(10000, 99950):05d}",
                  phone=phone_number(rng), fax=phone_number(rng))


def make_prescriber(rng: random.Random, clinic: Clinic) -> Prescriber:
    person = make_person(rng)
    credential = pick(rng, {"MD": 0.6, "DO": 0.15, "NP": 0.15, "PA-C": 0.1})
    midlevel = credential in ("NP", "PA-C")
    cred_text = {"MD": rng.choice(["MD", "M.D."]), "DO": rng.choice(["DO", "D.O."])}.get(credential, credential)
    style = rng.random()
    if style < 0.3 and not midlevel:
        printed = f"Dr. {person.full()}"
    elif style < 0.45:
        printed = f"{person.first[0]}. {person.last}, {cred_text}"
    else:
        printed = f"{person.full()}, {cred_text}"
    specialty = rng.choice(["Family Medicine", "Internal Medicine", "Pediatrics", "General Practice",
                            "Cardiology", "Dermatology", "Obstetrics & Gynecology", "Psychiatry"])
    return Prescriber(person=person, credential=credential, npi=make_npi(rng),
                      dea=make_dea(rng, person.last, midlevel), specialty=specialty, printed=printed)


def patient_printed(rng: random.Random, p: Person) -> str:
    style = rng.random()
    middle = f" {p.middle}." if p.middle else ""
    if style < 0.45:
        return p.full()
    if style < 0.75:
        return f"{p.last}, {p.first}{middle}"
    if style < 0.9:
        return f"{p.last.upper()}, {p.first.upper()}{' ' + p.middle if p.middle else ''}"
    return p.full().upper()


# --- dates ----------------------------------------------------------------------

WRITTEN_FROM = dt.date(2024, 1, 2)
WRITTEN_DAYS = 1030  # up to late 2026


def date_printed(rng: random.Random, d: dt.date, allow_short_year: bool) -> str:
    styles = {
        "mm/dd/yyyy": 0.4, "m/d/yyyy": 0.2, "mm/dd/yy": 0.1 if allow_short_year else 0.0,
        "m-d-yyyy": 0.05, "month d, yyyy": 0.1, "mon d, yyyy": 0.06, "dd-mon-yyyy": 0.05, "iso": 0.04,
    }
    style = pick(rng, styles)
    mon = MONTHS[d.month - 1]
    return {
        "mm/dd/yyyy": f"{d.month:02d}/{d.day:02d}/{d.year}",
        "m/d/yyyy": f"{d.month}/{d.day}/{d.year}",
        "mm/dd/yy": f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
        "m-d-yyyy": f"{d.month}-{d.day}-{d.year}",
        "month d, yyyy": f"{mon} {d.day}, {d.year}",
        "mon d, yyyy": f"{mon[:3]} {d.day}, {d.year}",
        "dd-mon-yyyy": f"{d.day:02d}-{mon[:3]}-{d.year}",
        "iso": d.isoformat(),
    }[style]


def mmddyyyy(d: dt.date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


# --- directions -------------------------------------------------------------------

# code: (doses per day at most, English forms, Latin/abbreviated forms)
FREQUENCIES = {
    "QD": (1, ["daily", "once daily", "once a day", "every day"], ["qd", "QD", "q.d.", "od", "q24h"]),
    "BID": (2, ["twice daily", "twice a day", "2 times a day"], ["bid", "BID", "b.i.d.", "bis in die", "2x daily"]),
    "TID": (3, ["three times daily", "three times a day"], ["tid", "TID", "t.i.d.", "ter in die", "3x/day"]),
    "QID": (4, ["four times daily", "four times a day"], ["qid", "QID", "q.i.d.", "quater in die"]),
    "Q4H": (6, ["every 4 hours"], ["q4h", "q 4 h", "q.4.h."]),
    "Q6H": (4, ["every 6 hours"], ["q6h", "q 6h", "q.6.h."]),
    "Q8H": (3, ["every 8 hours"], ["q8h", "q 8h", "q.8.h."]),
    "Q12H": (2, ["every 12 hours"], ["q12h", "q 12h", "q.12.h."]),
    "Q4-6H": (6, ["every 4 to 6 hours", "every 4-6 hours"], ["q4-6h", "q 4-6 h", "q4-6 hrs"]),
    "QHS": (1, ["at bedtime", "nightly at bedtime", "every night at bedtime"], ["qHS", "qhs", "hs", "h.s.", "nocte"]),
    "QAM": (1, ["every morning", "in the morning"], ["qAM", "qam", "q.a.m.", "mane"]),
    "QPM": (1, ["every evening", "in the evening"], ["qPM", "qpm"]),
    "QOD": (0.5, ["every other day"], ["every other day", "q48h"]),
    "QWK": (1 / 7, ["once weekly", "once a week"], ["q week", "qwk", "1x/week"]),
}
FREQ_WEIGHTS = {
    "tablet": {"QD": 34, "BID": 22, "TID": 10, "QID": 3, "Q4H": 1, "Q6H": 4, "Q8H": 3, "Q12H": 3, "Q4-6H": 3,
               "QHS": 8, "QAM": 4, "QPM": 1, "QOD": 1, "QWK": 1},
    "liquid": {"QD": 10, "BID": 25, "TID": 25, "QID": 10, "Q6H": 10, "Q8H": 10, "Q4-6H": 5, "Q12H": 5},
    "topical": {"QD": 30, "BID": 50, "TID": 15, "QHS": 5},
    "eye": {"QD": 15, "BID": 30, "TID": 15, "QID": 25, "QHS": 10, "Q6H": 5},
    "inhaler": {"Q4-6H": 50, "Q4H": 10, "Q6H": 15, "BID": 20, "QID": 5},
}
FREQ_WEIGHTS["capsule"] = FREQ_WEIGHTS["tablet"]
PRN_REASONS = {"tablet": ["pain", "nausea", "sleep", "anxiety", "headache", "fever", "muscle spasm", "itching"],
               "liquid": ["cough", "fever", "pain", "nausea"], "topical": ["itching", "rash"],
               "eye": ["itching", "dryness"], "inhaler": ["wheezing", "SOB", "shortness of breath", "cough"]}
PRN_REASONS["capsule"] = PRN_REASONS["tablet"]
MEALS = {"ac": (["before meals"], ["ac", "a.c."]), "pc": (["after meals"], ["pc", "p.c."]),
         "with_food": (["with food", "with meals"], ["with food", "with meals"])}
ROUTES = {  # kind: (route code, English forms, Latin/abbreviated forms)
    "tablet": ("oral", ["by mouth", "orally"], ["po", "PO", "p.o.", "per os"]),
    "liquid": ("oral", ["by mouth", "orally"], ["po", "PO", "p.o."]),
    "topical": ("topical", ["to affected area", "topically"], ["to aa", "top", "topically"]),
    "eye": ("ophthalmic", [], []),  # the eye is written instead
    "inhaler": ("inhalation", ["by inhalation", "by mouth"], ["inh", "INH", "via MDI"]),
}
ROUTES["capsule"] = ROUTES["tablet"]
SOLID_NOUNS = {"tablet": (["tablet", "tab"], ["tablets", "tabs"]), "capsule": (["capsule", "cap"], ["capsules", "caps"])}


@dataclass
class Sig:
    text: str
    dose: float | None
    unit: str
    frequency_code: str
    duration_days: int | None
    prn: bool
    route: str
    meal: str | None = None
    prn_reason: str | None = None
    eye: str | None = None

    def norm(self) -> dict:
        out = {"dose": self.dose, "unit": self.unit, "frequency_code": self.frequency_code,
               "duration_days": self.duration_days, "prn": self.prn, "route": self.route}
        if self.meal:
            out["meal"] = self.meal
        if self.prn_reason:
            out["prn_reason"] = self.prn_reason
        if self.eye:
            out["eye"] = self.eye
        return out


def _solid_dose(rng: random.Random, kind: str, latin: bool) -> tuple[float, str]:
    dose = float(pick(rng, {"1": 62, "2": 20, "0.5": 8 if kind == "tablet" else 0, "1.5": 2 if kind == "tablet" else 0,
                            "3": 2, "4": 1}))
    singular, plural = SOLID_NOUNS[kind]
    noun = rng.choice(singular if dose <= 1 else plural)
    if dose == 0.5:
        number = rng.choice(["1/2", "0.5", "ss"] if latin else ["1/2", "one-half", "half a"])
    elif dose == 1.5:
        number = rng.choice(["1.5", "1 1/2"])
    elif latin and dose in ROMAN_SMALL and rng.random() < 0.6:
        number = ROMAN_SMALL[int(dose)]
    elif not latin and rng.random() < 0.3:
        number = ONES[int(dose)]
    else:
        number = format_number(dose)
    if number == "half a":
        noun = singular[0]
    return dose, f"{number} {noun}"


def _duration(rng: random.Random, latin: bool) -> tuple[int, str]:
    days = int(pick(rng, {"3": 8, "5": 18, "7": 28, "10": 22, "14": 14, "21": 3, "30": 7}))
    english = [f"for {days} days", f"x {days} days", f"for {ONES[days] if days < 20 else days} days"]
    latin_forms = [f"x{days}d", f"x {days}d", f"for {days}/7", f"x {days}/7", f"x{days} days"]
    if days % 7 == 0 and days <= 21:
        weeks = days // 7
        english.append(f"for {weeks} week{'s' if weeks > 1 else ''}")
        latin_forms.append(f"x{weeks} wk{'s' if weeks > 1 else ''}")
    if days == 30:
        english.append("for 1 month")
    return days, rng.choice(latin_forms if latin else english)


def make_sig(rng: random.Random, kind: str) -> Sig:
    latin = rng.random() < 0.5
    words = lambda pair: rng.choice(pair[1] if latin and pair[1] else pair[0])  # noqa: E731
    code = pick(rng, FREQ_WEIGHTS[kind])
    freq = words(FREQUENCIES[code][1:])
    prn = code in ("Q4-6H", "Q4H") or (code in ("Q6H", "Q8H", "QD", "BID", "TID", "QID", "QHS") and rng.random() < 0.12)
    if kind == "inhaler" and code == "BID":
        prn = False
    reason = rng.choice(PRN_REASONS[kind]) if prn and rng.random() < 0.6 else None
    meal = None
    if kind in ("tablet", "capsule", "liquid") and not prn and code in ("QD", "BID", "TID", "QID") and rng.random() < 0.15:
        meal = rng.choice(list(MEALS))
    duration = None
    dur_text = ""
    if kind in ("tablet", "capsule", "liquid", "eye") and code != "QWK" and rng.random() < (0.4 if kind != "eye" else 0.5):
        duration, dur_text = _duration(rng, latin)
    route_code, route_en, route_la = ROUTES[kind]
    route = rng.choice(route_la if latin else route_en) if route_en else ""
    eye = None

    verb = ""
    if kind in ("tablet", "capsule"):
        dose, dose_text = _solid_dose(rng, kind, latin)
        unit = "tablet" if kind == "tablet" else "capsule"
        verb = rng.choice(["", "", "Take"]) if latin else rng.choice(["Take", "Take", "take", ""])
    elif kind == "liquid":
        dose = float(pick(rng, {"2.5": 10, "5": 45, "7.5": 10, "10": 25, "15": 10}))
        tsp = {5.0: "1 tsp", 10.0: "2 tsp", 2.5: "1/2 tsp", 15.0: "1 tbsp"}
        if dose in tsp and rng.random() < 0.2:
            dose_text = tsp[dose]
        else:
            dose_text = f"{format_number(dose)} {rng.choice(['mL', 'mL', 'ml'])}"
        unit = "mL"
        verb = rng.choice(["", "Take", "Give"]) if latin else rng.choice(["Take", "Give", "take"])
    elif kind == "topical":
        dose, unit = None, "application"
        dose_text = rng.choice(["a thin layer", "a thin film", "sparingly", ""])
        verb = "Apply"
    elif kind == "eye":
        dose = float(pick(rng, {"1": 80, "2": 20}))
        unit = "drop"
        eye = pick(rng, {"OU": 60, "OD": 20, "OS": 20})
        if latin:
            dose_text = f"{format_number(dose)} gtt{'s' if dose > 1 and rng.random() < 0.5 else ''}"
            route = eye
        else:
            dose_text = f"{ONES[int(dose)] if rng.random() < 0.3 else format_number(dose)} drop{'s' if dose > 1 else ''}"
            route = {"OU": "in both eyes", "OD": "in the right eye", "OS": "in the left eye"}[eye]
            if rng.random() < 0.4:
                route = {"OU": "in each eye", "OD": "in right eye (OD)", "OS": "in left eye (OS)"}[eye]
        verb = rng.choice(["Instill", "Place", ""]) if latin else rng.choice(["Instill", "Place", "Put"])
    else:  # inhaler
        dose = float(pick(rng, {"1": 20, "2": 80}))
        unit = "puff"
        dose_text = f"{ONES[int(dose)] if not latin and rng.random() < 0.3 else format_number(dose)} puff{'s' if dose > 1 else ''}"
        verb = rng.choice(["", "Inhale"]) if latin else rng.choice(["Inhale", "Inhale", "Use"])

    parts = [verb, dose_text]
    if kind == "topical" and route:
        parts = ["Apply", dose_text, route]
    elif route:
        if latin and kind in ("tablet", "capsule") and rng.random() < 0.15:
            parts = [verb, route, dose_text]  # "po 1 tab bid"
        else:
            parts.append(route)
    parts.append(freq)
    if meal:
        parts.append(words(MEALS[meal]))
    if prn:
        prn_word = rng.choice(["prn", "PRN", "p.r.n."]) if latin else "as needed"
        if reason:
            parts.append(f"{prn_word} {reason}" if latin else f"{prn_word} for {reason}")
        else:
            parts.append(prn_word)
    if dur_text:
        parts.append(dur_text)
    text = " ".join(p for p in parts if p)
    first = text.split(" ")[0]
    if first not in ("i", "ii", "iii", "iv", "ss") and rng.random() < 0.8:
        text = text[0].upper() + text[1:]
    return Sig(text=text, dose=dose, unit=unit, frequency_code=code, duration_days=duration, prn=prn,
               route=route_code, meal=meal, prn_reason=reason, eye=eye)


# --- quantity and refills ------------------------------------------------------------

def solid_quantity(rng: random.Random, sig: Sig) -> int:
    per_day = FREQUENCIES[sig.frequency_code][0] * (sig.dose or 1)
    if sig.duration_days:
        return max(1, math.ceil(per_day * sig.duration_days))
    if sig.prn:
        return int(pick(rng, {"10": 2, "12": 1, "20": 3, "30": 4, "60": 1}))
    days = int(pick(rng, {"30": 70, "90": 25, "60": 5}))
    return max(1, min(360, math.ceil(per_day * days)))


def quantity_text(rng: random.Random, n: int, noun: str) -> str:
    word = number_words(n)
    forms = {f"#{n}": 30, f"# {n}": 6, f"No. {n}": 14, f"{word} ({n})": 14, f"{word.capitalize()} ({n})": 6,
             f"{n} ({word})": 6, f"#{n} ({word})": 6, f"{n} {noun}": 10, f"#{n} {noun}": 8}
    return pick(rng, forms)


def make_dispense(rng: random.Random, kind: str, sig: Sig) -> tuple[str, float, str]:
    """Printed quantity (without a 'Disp:' label), quantity, unit."""
    if kind in ("tablet", "capsule"):
        n = solid_quantity(rng, sig)
        noun = rng.choice(SOLID_NOUNS[kind][1] if n > 1 else SOLID_NOUNS[kind][0])
        return quantity_text(rng, n, noun), float(n), kind
    if kind == "liquid":
        per_day = FREQUENCIES[sig.frequency_code][0] * (sig.dose or 5)
        need = per_day * (sig.duration_days or 10)
        ml = next((b for b in (50, 100, 120, 150, 200, 240, 300, 473) if b >= need), 473)
        ml_text = rng.choice(["mL", "ml"])
        return pick(rng, {f"{ml} {ml_text}": 50, f"#{ml} {ml_text}": 15, f"1 bottle ({ml} {ml_text})": 20,
                          f"{number_words(ml)} ({ml}) {ml_text}": 15}), float(ml), "mL"
    if kind == "topical":
        grams = rng.choice([15, 30, 30, 45, 60, 80])
        if rng.random() < 0.3:
            return rng.choice(["1 tube", "#1 tube", "one (1) tube"]), 1.0, "tube"
        return rng.choice([f"{grams} g", f"{grams} gm", f"#{grams} g", f"1 tube ({grams} g)"]), float(grams), "g"
    if kind == "eye":
        ml = rng.choice([5, 5, 10, 15, 2.5])
        if rng.random() < 0.35:
            return rng.choice(["1 bottle", "#1 bottle", "one (1) bottle"]), 1.0, "bottle"
        return rng.choice([f"{format_number(ml)} mL", f"{format_number(ml)} ml", f"#{format_number(ml)} mL"]), float(ml), "mL"
    n = rng.choice([1, 1, 1, 2])
    noun = "inhaler" if n == 1 else "inhalers"
    return pick(rng, {f"#{n}": 25, f"No. {n}": 15, f"{number_words(n)} ({n}) {noun}": 20,
                      f"{n} {noun}": 25, f"#{n} {noun}": 15}), float(n), "inhaler"


def make_refills(rng: random.Random, controlled_ii: bool) -> tuple[str, int]:
    n = 0 if controlled_ii else int(pick(rng, {"0": 42, "1": 14, "2": 12, "3": 12, "5": 10, "11": 6, "4": 4}))
    if n == 0:
        return pick(rng, {"NR": 30, "Refills: 0": 20, "Refills: none": 10, "No refills": 10, "Refills: NR": 10,
                          "RF: 0": 8, "Refills: zero (0)": 6, "0 refills": 6}), 0
    return pick(rng, {f"Refills: {n}": 32, f"Rpt x{n}": 14, f"Refill x{n}": 10, f"RF: {n}": 10,
                      f"{n} refill{'s' if n > 1 else ''}": 10, f"Refills: {number_words(n)} ({n})": 12,
                      f"Repeats: {n}": 6, f"Refills x {n}": 6}), n


# --- drugs ---------------------------------------------------------------------

FORM_TEXT = {
    "tablet": ["tab", "tab", "tablet", "tabs", "TAB", ""],
    "capsule": ["cap", "cap", "capsule", "caps", "CAP", ""],
    "topical": None,  # from the dosage form
    "eye": ["ophth soln", "eye drops", "ophthalmic solution", "ophth sol"],
    "inhaler": ["inhaler", "HFA inhaler", "MDI", "inhaler"],
}


def _form_text(rng: random.Random, p: Product) -> str:
    form = p.dosage_form
    if p.kind in ("tablet", "capsule"):
        text = rng.choice(FORM_TEXT[p.kind])
        noun = text or ("tab" if p.kind == "tablet" else "cap")
        if "extended release" in form:
            return f"{rng.choice(['ER', 'XR', 'ER', 'SR'])} {noun}"
        if "delayed release" in form:
            return f"DR {noun}"
        if "orally disintegrating" in form:
            return "ODT"
        if "chewable" in form:
            return f"chewable {noun}"
        return text
    if p.kind == "liquid":
        if "suspension" in form:
            return rng.choice(["oral susp", "suspension", "susp", "oral suspension"])
        if form in ("syrup", "elixir"):
            return form
        return rng.choice(["oral solution", "oral soln", "solution"])
    if p.kind == "topical":
        return {"cream": rng.choice(["cream", "cream", "crm"]), "ointment": rng.choice(["ointment", "oint"]),
                "gel": "gel", "lotion": "lotion"}.get(form, form)
    return rng.choice(FORM_TEXT[p.kind])


def _case(rng: random.Random, name: str, upper_bias: float) -> str:
    r = rng.random()
    if r < upper_bias:
        return name.upper()
    if r < upper_bias + 0.25:
        return name.lower()
    return " ".join(w[:1].upper() + w[1:].lower() for w in name.split(" "))


@dataclass
class Item:
    product: Product
    name: str
    brand: bool
    strength: str
    form: str
    sig: Sig
    disp: str
    disp_qty: float
    disp_unit: str
    refills: str
    refills_n: int
    ndc: str
    daw: bool

    def heading(self) -> str:
        return " ".join(p for p in (self.name, self.strength, self.form) if p)

    def truth(self) -> dict:
        p = self.product
        return {
            "name": self.name, "strength": self.strength, "sig": self.sig.text, "disp": self.disp,
            "refills": self.refills, "ndc": self.ndc,
            "generic": p.generic, "brand_name": self.brand, "form": self.form, "dosage_form": p.dosage_form,
            "route": self.sig.route, "strength_value": p.strength_value, "strength_unit": p.strength_unit,
            "sig_norm": self.sig.norm(), "disp_qty": self.disp_qty, "disp_unit": self.disp_unit,
            "refills_n": self.refills_n, "product_ndc": p.ndc, "dea_schedule": p.schedule,
        }


def make_item(rng: random.Random, drugs: DrugPicker, p: Product, upper_bias: float) -> Item:
    style = rng.random()
    brand = False
    branded = drugs.brand_listing(rng, p) if style < 0.2 else None
    if branded is not None:
        p, brand = branded, True
        name = p.brand if rng.random() < 0.6 else _case(rng, p.brand, upper_bias)
    elif style < 0.55:
        name = _case(rng, base_name(p.generic), upper_bias)
    else:
        name = _case(rng, p.generic, upper_bias)
    sig = make_sig(rng, p.kind)
    disp, qty, unit = make_dispense(rng, p.kind, sig)
    refills, n = make_refills(rng, p.schedule == "CII")
    strength = p.strength
    if rng.random() < 0.15 and p.strength_unit in ("mg", "mcg", "g"):
        strength = strength.replace(" ", "")  # "500mg"
    return Item(product=p, name=name, brand=brand, strength=strength, form=_form_text(rng, p), sig=sig,
                disp=disp, disp_qty=qty, disp_unit=unit, refills=refills, refills_n=n,
                ndc=p.ndc if rng.random() < 0.22 else "", daw=rng.random() < 0.1)


# --- the prescription ------------------------------------------------------------------

@dataclass
class Prescription:
    clinic: Clinic
    prescriber: Prescriber
    patient: Person
    patient_printed: str
    sex: str
    dob: dt.date
    dob_printed: str
    written: dt.date
    written_printed: str
    address: str
    items: list[Item] = field(default_factory=list)

    def fields(self) -> dict:
        pr = self.prescriber
        return {
            "patient": self.patient_printed, "dob": mmddyyyy(self.dob), "date": mmddyyyy(self.written),
            "drugs": [i.truth() for i in self.items],
            "patient_first": self.patient.first, "patient_last": self.patient.last,
            "dob_printed": self.dob_printed, "date_printed": self.written_printed,
            "prescriber": pr.printed, "prescriber_first": pr.person.first, "prescriber_last": pr.person.last,
            "credential": pr.credential, "npi": pr.npi, "dea": pr.dea,
            "clinic": self.clinic.name, "clinic_phone": self.clinic.phone,
        }


def make_prescription(rng: random.Random, drugs: DrugPicker, upper_bias: float = 0.2) -> Prescription:
    clinic = make_clinic(rng)
    prescriber = make_prescriber(rng, clinic)
    patient = make_person(rng)
    written = WRITTEN_FROM + dt.timedelta(days=rng.randrange(WRITTEN_DAYS))
    age_days = int(365.25 * rng.choice([rng.uniform(1, 17), rng.uniform(18, 64), rng.uniform(18, 64),
                                        rng.uniform(65, 95)]))
    dob = written - dt.timedelta(days=age_days)
    city, state = rng.choice(CITIES)
    address = f"{rng.randrange(3, 9900)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}, {city}, {state}"
    n_items = int(pick(rng, {"1": 55, "2": 30, "3": 15}))
    items: list[Item] = []
    seen: set[str] = set()
    for _ in range(n_items):
        product = drugs.pick(rng, seen)
        seen.add(product.generic)
        items.append(make_item(rng, drugs, product, upper_bias))
    return Prescription(
        clinic=clinic, prescriber=prescriber, patient=patient, patient_printed=patient_printed(rng, patient),
        sex=rng.choice("MF"), dob=dob, dob_printed=date_printed(rng, dob, allow_short_year=False),
        written=written, written_printed=date_printed(rng, written, allow_short_year=True),
        address=address, items=items,
    )
