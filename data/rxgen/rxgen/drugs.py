"""Drug products from the FDA NDC directory product file (product.txt, tab-separated).

Only single-ingredient human prescription products in outpatient dosage forms are
kept. Each becomes a `Product` with a kind that decides how it is written on a
prescription (tablet, capsule, oral liquid, topical, eye drops, inhaler).
"""

from __future__ import annotations

import csv
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path

# FDA dosage form -> kind. Forms not listed are skipped (injections, kits, gases...).
FORM_KINDS = {
    "TABLET": "tablet",
    "TABLET, FILM COATED": "tablet",
    "TABLET, COATED": "tablet",
    "TABLET, CHEWABLE": "tablet",
    "TABLET, EXTENDED RELEASE": "tablet",
    "TABLET, FILM COATED, EXTENDED RELEASE": "tablet",
    "TABLET, DELAYED RELEASE": "tablet",
    "TABLET, ORALLY DISINTEGRATING": "tablet",
    "CAPSULE": "capsule",
    "CAPSULE, EXTENDED RELEASE": "capsule",
    "CAPSULE, DELAYED RELEASE": "capsule",
    "CAPSULE, GELATIN COATED": "capsule",
    "CAPSULE, LIQUID FILLED": "capsule",
    "SOLUTION": "liquid",
    "SUSPENSION": "liquid",
    "POWDER, FOR SUSPENSION": "liquid",
    "SYRUP": "liquid",
    "ELIXIR": "liquid",
    "CREAM": "topical",
    "OINTMENT": "topical",
    "GEL": "topical",
    "LOTION": "topical",
    "SOLUTION/ DROPS": "eye",
    "AEROSOL, METERED": "inhaler",
}
# How often each kind is drawn (real prescriptions are mostly oral solids).
KIND_WEIGHTS = {"tablet": 0.66, "capsule": 0.17, "liquid": 0.06, "topical": 0.05, "eye": 0.03, "inhaler": 0.03}
# The route that makes sense for each kind (the product row must agree).
KIND_ROUTES = {"tablet": "ORAL", "capsule": "ORAL", "liquid": "ORAL", "topical": "TOPICAL",
               "eye": "OPHTHALMIC", "inhaler": "RESPIRATORY (INHALATION)"}
SALTS = {
    "hydrochloride", "hcl", "sodium", "potassium", "calcium", "magnesium", "besylate", "maleate",
    "tartrate", "succinate", "mesylate", "fumarate", "citrate", "sulfate", "phosphate", "acetate",
    "hyclate", "monohydrate", "dihydrate", "hydrobromide", "bromide", "bitartrate", "dipropionate",
    "propionate", "furoate", "tromethamine", "disodium", "dimesylate", "hemifumarate", "malate",
}
# Unit of ACTIVE_INGRED_UNIT -> (printed unit, unit code) for the kinds we print directly.
UNITS = {
    "mg/1": "mg", "ug/1": "mcg", "g/1": "g", "meq/1": "mEq",
    "mg/mL": "mg/mL", "mg/5mL": "mg/5 mL", "ug/mL": "mcg/mL", "g/15mL": "g/15 mL",
    "mg/g": "%", "g/100g": "%", "g/g": "%",
}
MAX_NAME_LEN = 34


@dataclass(frozen=True)
class Product:
    ndc: str              # product NDC, labeler-product, as in the directory
    generic: str          # nonproprietary name, lower case
    brand: str            # proprietary name as listed (may equal the generic)
    dosage_form: str      # FDA dosage form name
    kind: str             # tablet, capsule, liquid, topical, eye, inhaler
    strength: str         # printed strength, e.g. "500 mg", "250 mg/5 mL", "0.1%"
    strength_value: float
    strength_unit: str    # mg, mcg, g, mEq, mg/mL, mg/5 mL, mcg/mL, %, mcg/actuation
    schedule: str         # DEA schedule (CII..CV) or ""


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def format_number(value: float) -> str:
    """0.05 -> '0.05', 5.0 -> '5', 12.50 -> '12.5' (always a leading zero)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text


def _strength(kind: str, value_text: str, unit_text: str) -> tuple[str, float, str] | None:
    value = _number(value_text)
    if value is None:
        return None
    if kind == "inhaler":
        if unit_text != "ug/1":
            return None
        return f"{format_number(value)} mcg/actuation", value, "mcg/actuation"
    unit = UNITS.get(unit_text)
    if unit is None:
        return None
    if unit == "%":
        percent = value / 10 if unit_text == "mg/g" else value if unit_text == "g/100g" else value * 100
        if not 0.001 <= percent <= 20:
            return None
        return f"{format_number(percent)}%", percent, "%"
    if kind in ("tablet", "capsule") and unit not in ("mg", "mcg", "g", "mEq"):
        return None
    if kind in ("liquid", "eye") and "/" not in unit:
        return None
    if kind == "topical" and unit != "%":
        return None
    return f"{format_number(value)} {unit}", value, unit


def _clean_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


def load_products(path: Path) -> list[Product]:
    products = []
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("PRODUCTTYPENAME") != "HUMAN PRESCRIPTION DRUG" or row.get("ENDMARKETINGDATE"):
                continue
            kind = FORM_KINDS.get(row.get("DOSAGEFORMNAME", ""))
            if kind is None or row.get("ROUTENAME") != KIND_ROUTES[kind]:
                continue
            value, unit = row.get("ACTIVE_NUMERATOR_STRENGTH", ""), row.get("ACTIVE_INGRED_UNIT", "")
            if ";" in value or ";" in unit:
                continue  # combination products
            generic = _clean_name(row.get("NONPROPRIETARYNAME", "")).lower()
            brand = _clean_name(row.get("PROPRIETARYNAME", ""))
            if not generic or not generic.isascii() or not brand.isascii():
                continue
            if len(generic) > MAX_NAME_LEN or not re.fullmatch(r"[a-z][a-z \-]*[a-z]", generic):
                continue
            if " and " in generic or "," in generic or " kit" in generic:
                continue
            strength = _strength(kind, value, unit)
            if strength is None:
                continue
            products.append(Product(
                ndc=row.get("PRODUCTNDC", ""), generic=generic, brand=brand,
                dosage_form=row.get("DOSAGEFORMNAME", "").lower(), kind=kind,
                strength=strength[0], strength_value=strength[1], strength_unit=strength[2],
                schedule=row.get("DEASCHEDULE", ""),
            ))
    if not products:
        raise ValueError(f"{path}: no usable prescription products (is this the NDC product.txt?)")
    return products


MIN_LISTINGS = 2  # a generic listed only once is often a typo in the directory


class DrugPicker:
    """Draws products: kind by KIND_WEIGHTS, then a generic name weighted by the
    square root of its number of listings (common drugs are common, the long tail
    still shows up), then one of that generic's listings."""

    def __init__(self, products: list[Product]):
        listings: dict[str, int] = {}
        for p in products:
            listings[p.generic] = listings.get(p.generic, 0) + 1
        by_kind: dict[str, dict[str, list[Product]]] = {}
        for p in products:
            if listings[p.generic] < MIN_LISTINGS:
                continue
            by_kind.setdefault(p.kind, {}).setdefault(p.generic, []).append(p)
        self.kinds = [k for k in KIND_WEIGHTS if k in by_kind]
        self.kind_weights = [KIND_WEIGHTS[k] for k in self.kinds]
        self.generics = {k: sorted(v) for k, v in by_kind.items()}
        self.listings = by_kind
        self.generic_weights = {k: [math.sqrt(len(by_kind[k][g])) for g in self.generics[k]] for k in self.kinds}

    def brand_listing(self, rng: random.Random, p: Product) -> Product | None:
        """Another listing of the same generic and kind sold under a real brand name
        (one that does not merely repeat the generic name), if there is one."""
        base = base_name(p.generic).split()[0]
        brands = [q for q in self.listings[p.kind][p.generic] if base not in q.brand.lower()
                  and len(q.brand) <= 24 and q.brand.replace(" ", "").replace("-", "").isalpha()]
        return rng.choice(brands) if brands else None

    def pick(self, rng: random.Random, exclude: set[str]) -> Product:
        for _ in range(100):
            kind = rng.choices(self.kinds, self.kind_weights)[0]
            generic = rng.choices(self.generics[kind], self.generic_weights[kind])[0]
            if generic not in exclude:
                return rng.choice(self.listings[kind][generic])
        raise RuntimeError("could not draw a distinct drug")


def base_name(generic: str) -> str:
    """Generic name without its salt: 'amlodipine besylate' -> 'amlodipine'."""
    words = generic.split()
    while len(words) > 1 and words[-1] in SALTS:
        words.pop()
    return " ".join(words)
