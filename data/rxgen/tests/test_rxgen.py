"""Unit tests for the prescription generator: data/rxgen/run --test"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tempfile
import unittest
from pathlib import Path

import numpy as np

from rxgen.content import FREQUENCIES, make_prescription, number_words
from rxgen.drugs import DrugPicker, base_name, load_products
from rxgen.fonts import available_families
from rxgen.ids import dea_valid, luhn_check_digit, make_dea, make_npi, npi_valid
from rxgen.photo import photograph
from rxgen.render import render

HEADER = ("PRODUCTID\tPRODUCTNDC\tPRODUCTTYPENAME\tPROPRIETARYNAME\tPROPRIETARYNAMESUFFIX\tNONPROPRIETARYNAME\t"
          "DOSAGEFORMNAME\tROUTENAME\tSTARTMARKETINGDATE\tENDMARKETINGDATE\tMARKETINGCATEGORYNAME\tAPPLICATIONNUMBER\t"
          "LABELERNAME\tSUBSTANCENAME\tACTIVE_NUMERATOR_STRENGTH\tACTIVE_INGRED_UNIT\tPHARM_CLASSES\tDEASCHEDULE\t"
          "NDC_EXCLUDE_FLAG\tLISTING_RECORD_CERTIFIED_THROUGH")
# (ndc, brand, generic, form, route, strength, unit, schedule)
ROWS = [
    ("0001-0001", "Amoxil", "Amoxicillin", "CAPSULE", "ORAL", "500", "mg/1", ""),
    ("0001-0002", "Amoxicillin", "Amoxicillin", "CAPSULE", "ORAL", "250", "mg/1", ""),
    ("0001-0003", "Lisinopril", "Lisinopril", "TABLET", "ORAL", "10", "mg/1", ""),
    ("0001-0004", "Zestril", "lisinopril", "TABLET", "ORAL", "20", "mg/1", ""),
    ("0001-0005", "Norvasc", "Amlodipine Besylate", "TABLET", "ORAL", "5", "mg/1", ""),
    ("0001-0006", "Amlodipine", "amlodipine besylate", "TABLET", "ORAL", "10", "mg/1", ""),
    ("0001-0007", "Amox", "amoxicillin", "POWDER, FOR SUSPENSION", "ORAL", "250", "mg/5mL", ""),
    ("0001-0008", "Amoxi", "amoxicillin", "POWDER, FOR SUSPENSION", "ORAL", "400", "mg/5mL", ""),
    ("0001-0009", "Kenalog", "triamcinolone acetonide", "CREAM", "TOPICAL", "1", "mg/g", ""),
    ("0001-0010", "Triderm", "triamcinolone acetonide", "OINTMENT", "TOPICAL", "5", "mg/g", ""),
    ("0001-0011", "Timoptic", "timolol maleate", "SOLUTION/ DROPS", "OPHTHALMIC", "5", "mg/mL", ""),
    ("0001-0012", "Timolol", "timolol maleate", "SOLUTION/ DROPS", "OPHTHALMIC", "2.5", "mg/mL", ""),
    ("0001-0013", "ProAir", "albuterol sulfate", "AEROSOL, METERED", "RESPIRATORY (INHALATION)", "90", "ug/1", ""),
    ("0001-0014", "Ventolin", "albuterol sulfate", "AEROSOL, METERED", "RESPIRATORY (INHALATION)", "108", "ug/1", ""),
    ("0001-0015", "Oxy", "oxycodone hydrochloride", "TABLET", "ORAL", "5", "mg/1", "CII"),
    ("0001-0016", "Oxy", "oxycodone hydrochloride", "TABLET", "ORAL", "10", "mg/1", "CII"),
    ("0001-0017", "Combo", "a and b", "TABLET", "ORAL", "5; 10", "mg/1; mg/1", ""),           # skipped: combination
    ("0001-0018", "Shot", "ceftriaxone", "INJECTION", "INTRAMUSCULAR", "1", "g/1", ""),       # skipped: injection
]


def write_products(path: Path) -> None:
    lines = [HEADER]
    for ndc, brand, generic, form, route, strength, unit, sched in ROWS:
        lines.append("\t".join([f"{ndc}_x", ndc, "HUMAN PRESCRIPTION DRUG", brand, "", generic, form, route,
                                "20200101", "", "ANDA", "ANDA000000", "Labeler", generic.upper(), strength, unit,
                                "", sched, "N", "20251231"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Identifiers(unittest.TestCase):
    def test_npi_luhn(self):
        self.assertTrue(npi_valid("1234567893"))  # the CMS worked example
        self.assertFalse(npi_valid("1234567890"))
        rng = random.Random(3)
        for _ in range(500):
            npi = make_npi(rng)
            self.assertTrue(npi_valid(npi), npi)
            self.assertEqual(luhn_check_digit("80840" + npi[:9]), int(npi[9]))

    def test_dea_checksum_and_letters(self):
        self.assertTrue(dea_valid("AB1234563", "Brown"))
        self.assertFalse(dea_valid("AB1234564"))
        self.assertFalse(dea_valid("AB1234563", "Smith"))
        rng = random.Random(5)
        for _ in range(300):
            dea = make_dea(rng, "Okafor", midlevel=False)
            self.assertTrue(dea_valid(dea, "Okafor"), dea)
            self.assertIn(dea[0], "ABFG")
            self.assertEqual(dea[1], "O")
            self.assertEqual(make_dea(rng, "Nash", midlevel=True)[0], "M")


class Content(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        path = Path(cls.tmp.name) / "product.txt"
        write_products(path)
        cls.products = load_products(path)
        cls.drugs = DrugPicker(cls.products)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_product_filter_and_strengths(self):
        by_ndc = {p.ndc: p for p in self.products}
        self.assertNotIn("0001-0017", by_ndc)
        self.assertNotIn("0001-0018", by_ndc)
        self.assertEqual(by_ndc["0001-0001"].strength, "500 mg")
        self.assertEqual(by_ndc["0001-0007"].strength, "250 mg/5 mL")
        self.assertEqual(by_ndc["0001-0009"].strength, "0.1%")
        self.assertEqual(by_ndc["0001-0013"].strength, "90 mcg/actuation")
        self.assertEqual(base_name("amlodipine besylate"), "amlodipine")

    def test_number_words(self):
        self.assertEqual(number_words(30), "thirty")
        self.assertEqual(number_words(21), "twenty-one")
        self.assertEqual(number_words(120), "one hundred twenty")

    def test_prescriptions_are_consistent(self):
        for seed in range(200):
            rx = make_prescription(random.Random(seed), self.drugs)
            f = rx.fields()
            self.assertRegex(f["dob"], r"^\d\d/\d\d/\d{4}$")
            self.assertRegex(f["date"], r"^\d\d/\d\d/\d{4}$")
            self.assertLess(rx.dob, rx.written)
            self.assertTrue(1 <= len(f["drugs"]) <= 3)
            for d in f["drugs"]:
                self.assertTrue(d["sig"].isascii() and d["name"].isascii())
                norm = d["sig_norm"]
                self.assertIn(norm["frequency_code"], FREQUENCIES)
                if d["dea_schedule"] == "CII":
                    self.assertEqual(d["refills_n"], 0)
                if d["disp_unit"] in ("tablet", "capsule") and norm["duration_days"]:
                    per_day = FREQUENCIES[norm["frequency_code"]][0] * norm["dose"]
                    self.assertGreaterEqual(d["disp_qty"], per_day * norm["duration_days"] - 1e-9)
                m = re.search(r"\d+", d["refills"])
                if m and "(" not in d["refills"]:
                    self.assertEqual(int(m.group()), d["refills_n"])

    def test_render_and_photo_are_deterministic(self):
        fonts = available_families()

        def once():
            rx = make_prescription(random.Random("t/content"), self.drugs)
            page, lines, _ = render(rx, random.Random("t/layout"), fonts, dpi=100)
            photo, info = photograph(page, np.random.default_rng([1, 2]), (300, 400))
            return (json.dumps([ln["text"] for ln in lines]), hashlib.sha256(page.tobytes()).hexdigest(),
                    hashlib.sha256(photo.tobytes()).hexdigest(), info["rotation_deg"])

        a, b = once(), once()
        self.assertEqual(a, b)
        self.assertTrue(2 <= abs(a[3]) <= 6)


if __name__ == "__main__":
    unittest.main()
