"""Lay a prescription out on a page and record every printed line.

Text is placed in rows: runs of text sharing a baseline. Runs that follow each
other at about a word space (a label and its value) form one reference line;
runs further apart (two fields on one row, table cells, the clinic name and a
phone number at the other margin) are separate lines. Lines are ordered top to
bottom by baseline, then left to right; whitespace inside a line is one space.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont

from .content import Item, Prescription
from .fonts import Family

DPI = 200
GAP_SPLIT_EM = 0.6  # a gap wider than this many font sizes separates two lines
BLACK_INKS = [(18, 18, 18), (30, 30, 34), (10, 10, 10), (28, 30, 48)]
PAD_INKS = [(20, 40, 110), (15, 80, 90), (110, 25, 35), (25, 85, 45), (60, 60, 60), (40, 40, 40), (70, 40, 100)]
PAPER_TINTS = [(255, 255, 255), (255, 255, 255), (250, 251, 255), (242, 247, 252), (245, 250, 244), (253, 250, 238)]
PEN_INKS = [(20, 30, 110), (15, 15, 25), (30, 40, 80)]


class Overflow(Exception):
    """The content does not fit on the page at this scale."""


@dataclass
class Run:
    x: float
    text: str
    font: ImageFont.FreeTypeFont
    fill: tuple[int, int, int]
    align: str = "left"  # left, right, center


@dataclass
class Canvas:
    width: int
    height: int
    paper: tuple[int, int, int]
    image: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)
    rows: list[tuple[float, list[tuple[float, float, str, tuple[int, int, int, int]]]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", (self.width, self.height), self.paper)
        self.draw = ImageDraw.Draw(self.image)

    def width_of(self, text: str, font: ImageFont.FreeTypeFont) -> float:
        return self.draw.textlength(text, font=font)

    def row(self, baseline: float, runs: list[Run]) -> None:
        placed = []
        for r in runs:
            if not r.text:
                continue
            w = self.width_of(r.text, r.font)
            x = r.x if r.align == "left" else r.x - w if r.align == "right" else r.x - w / 2
            if x < 0 or x + w > self.width:
                raise Overflow(f"run outside the page: {r.text!r}")
            self.draw.text((x, baseline), r.text, font=r.font, fill=r.fill, anchor="ls")
            bbox = self.draw.textbbox((x, baseline), r.text, font=r.font, anchor="ls")
            placed.append((x, x + w, r.text, bbox, r.font.size))
        if placed:
            placed.sort()
            self.rows.append((baseline, placed))

    def lines(self) -> list[dict]:
        out = []
        for baseline, placed in sorted(self.rows, key=lambda r: r[0]):
            group: list = []
            for run in placed:
                if group and run[0] - group[-1][1] > GAP_SPLIT_EM * max(run[4], group[-1][4]):
                    out.append(_merge(group, baseline))
                    group = []
                group.append(run)
            out.append(_merge(group, baseline))
        return out


def _merge(group: list, baseline: float) -> dict:
    x0 = min(r[3][0] for r in group)
    y0 = min(r[3][1] for r in group)
    x1 = max(r[3][2] for r in group)
    y1 = max(r[3][3] for r in group)
    return {"text": " ".join(" ".join(r[2] for r in group).split()), "bbox": [int(x0), int(y0), int(x1), int(y1)],
            "baseline": round(baseline)}


def wrap(canvas: Canvas, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    words = text.split(" ")
    lines, cur = [], ""
    for w in words:
        trial = f"{cur} {w}" if cur else w
        if cur and canvas.width_of(trial, font) > width:
            lines.append(cur)
            cur = w
        else:
            cur = trial
    lines.append(cur)
    return lines


@dataclass
class Style:
    """Per-document typographic choices."""
    body: Family
    label: Family
    header: Family
    rx: Family
    size: float            # body text size in px
    ink: tuple[int, int, int]
    pad_ink: tuple[int, int, int]
    leading: float         # line spacing as a multiple of size

    def f(self, scale: float = 1.0, style: str = "regular", family: Family | None = None) -> ImageFont.FreeTypeFont:
        return (family or self.body).font(self.size * scale, style)

    @property
    def line(self) -> float:
        return self.size * self.leading


class Layout:
    """Shared drawing helpers for the templates."""

    def __init__(self, rng: random.Random, canvas: Canvas, style: Style, margin: float):
        self.rng = rng
        self.c = canvas
        self.s = style
        self.left = margin
        self.right = canvas.width - margin
        self.y = margin  # top of the next row
        self.bottom = canvas.height - margin

    # -- rows ------------------------------------------------------------------
    def advance(self, font_px: float, extra: float = 0.0) -> float:
        """Reserve a row for text of `font_px`; returns its baseline."""
        baseline = self.y + font_px * 0.95
        self.y += font_px * self.s.leading + extra
        if self.y > self.bottom:
            raise Overflow("page full")
        return baseline

    def text_row(self, runs: list[Run], px: float, extra: float = 0.0) -> None:
        self.c.row(self.advance(px, extra), runs)

    def labelled(self, x: float, label: str, value: str, px: float, value_font=None, label_font=None) -> list[Run]:
        """'Label: value' as two runs (label in pad ink, value in printer ink)."""
        lf = label_font or self.s.f(px / self.s.size, family=self.s.label)
        vf = value_font or self.s.f(px / self.s.size)
        runs = [Run(x, label, lf, self.s.pad_ink)] if label else []
        vx = x + (self.c.width_of(label, lf) + self.c.width_of(" ", vf) if label else 0)
        runs.append(Run(vx, value, vf, self.s.ink))
        return runs

    def paragraph(self, x: float, text: str, font, fill, width: float, px: float, first_prefix: list[Run] | None = None,
                  indent: float = 0.0) -> None:
        """Wrapped text; `first_prefix` runs (e.g. a label) precede the first line."""
        prefix_w = 0.0
        if first_prefix:
            prefix_w = max(r.x + self.c.width_of(r.text, r.font) for r in first_prefix) - x + self.c.width_of(" ", font)
        lines = wrap(self.c, text, font, width - prefix_w)
        first = lines[0]
        rest = " ".join(lines[1:])
        runs = list(first_prefix or []) + [Run(x + prefix_w, first, font, fill)]
        self.text_row(runs, px)
        if rest:
            for line in wrap(self.c, rest, font, width - indent):
                self.text_row([Run(x + indent, line, font, fill)], px)

    # -- graphics --------------------------------------------------------------
    def rule(self, width_px: float = 2, color=None, gap: float = 0.5) -> None:
        y = self.y + self.s.size * gap * 0.5
        self.c.draw.line([(self.left, y), (self.right, y)], fill=color or self.s.pad_ink, width=max(1, round(width_px)))
        self.y += self.s.size * gap

    def checkbox(self, x: float, baseline: float, px: float, checked: bool) -> float:
        side = px * 0.75
        top = baseline - side
        self.c.draw.rectangle([x, top, x + side, baseline], outline=self.s.pad_ink, width=max(1, round(px / 14)))
        if checked:
            ink = self.rng.choice(PEN_INKS)
            self.c.draw.line([(x + 2, top + 2), (x + side - 2, baseline - 2)], fill=ink, width=3)
            self.c.draw.line([(x + 2, baseline - 2), (x + side - 2, top + 2)], fill=ink, width=3)
        return x + side + px * 0.4

    def signature(self, x0: float, x1: float, baseline: float) -> None:
        """A cursive-looking pen scribble above a signature line: a capital loop,
        then a run of small loops (a prolate cycloid) of varying height, then a tail."""
        self.c.draw.line([(x0, baseline), (x1, baseline)], fill=self.s.pad_ink, width=2)
        rng = self.rng
        ink = rng.choice(PEN_INKS)
        pen = rng.choice([2, 3, 3, 4])
        h = self.s.size * rng.uniform(0.7, 1.1)
        x = x0 + (x1 - x0) * rng.uniform(0.03, 0.15)
        y_mid = baseline - h * 0.7
        pts: list[tuple[float, float]] = []
        # capital: one tall loop
        cap_h = h * rng.uniform(1.3, 1.9)
        for k in range(60):
            t = 2 * math.pi * k / 59
            pts.append((x + cap_h * 0.35 * math.sin(t) + k * 0.4, y_mid - cap_h * 0.5 * (1 - math.cos(t)) * 0.8 + h * 0.3))
        x = pts[-1][0]
        n_letters = rng.randrange(5, 11)
        width = min((x1 - x) * rng.uniform(0.6, 0.9), n_letters * h * 0.9)
        step = width / n_letters
        for j in range(n_letters):
            amp = h * rng.choice([0.35, 0.4, 0.45, 0.9, 1.1]) * rng.uniform(0.8, 1.2)
            r = step * rng.uniform(0.35, 0.6)
            for k in range(24):
                t = 2 * math.pi * k / 23
                pts.append((x + step * k / 23 - r * math.sin(t), y_mid + h * 0.25 - amp * (1 - math.cos(t)) / 2))
            x += step
        tail = rng.uniform(0.5, 1.5) * step
        pts.append((x + tail, y_mid + h * rng.uniform(-0.1, 0.4)))
        self.c.draw.line(pts, fill=ink, width=pen, joint="curve")
        if rng.random() < 0.5:  # underline flourish
            fy = baseline - h * 0.15
            self.c.draw.line([(x0 + (x1 - x0) * 0.05, fy + 3), (x + tail * 0.5, fy - 5)], fill=ink, width=pen - 1)

    def rx_symbol(self, x: float, px: float) -> None:
        font = self.s.rx.font(px, "bold" if self.rng.random() < 0.5 else "italic")
        self.text_row([Run(x, "Rx", font, self.s.pad_ink)], px, extra=px * 0.1)


# --- templates ------------------------------------------------------------------

@dataclass
class ItemStyle:
    """Choices shared by all items of one document (a form prints them the same way)."""
    kind: str          # stacked, inline, labelled
    indent: float      # left offset of the item block, px
    bold_heading: bool
    sig_label: str
    disp_label: str
    med_label: str
    ndc_prefix: str
    numbered: bool


def item_style(rng: random.Random, kind: str, px: float, n_items: int, numbered: bool | None = None) -> ItemStyle:
    return ItemStyle(
        kind=kind, indent=px * rng.choice([0.0, 0.5, 1.0, 2.0]), bold_heading=rng.random() < 0.5,
        sig_label=rng.choice(["Sig:", "Sig:", "SIG:", "Directions:", "Sig"]),
        disp_label=rng.choice(["Disp:", "Disp:", "Dispense:", "Qty:", "Quantity:", "Mitte:", "Disp"]),
        med_label=rng.choice(["Medication:", "Drug:", "Rx:", "Medication:"]),
        ndc_prefix=rng.choice(["NDC", "NDC:", "NDC#"]),
        numbered=numbered if numbered is not None else (n_items > 1 or rng.random() < 0.3),
    )


def _item_block(lay: Layout, item: Item, number: int, st: ItemStyle, px: float) -> None:
    s, c, rng = lay.s, lay.c, lay.rng
    body = s.f(px / s.size)
    bold = s.f(px / s.size, "bold") if st.bold_heading else body
    x = lay.left + st.indent
    width = lay.right - x
    prefix = f"{number}." if st.numbered and st.kind != "labelled" else ""
    head = item.heading()
    ndc = f"{st.ndc_prefix} {item.ndc}" if item.ndc else ""
    indent = c.width_of(prefix + " ", body) if prefix else 0.0

    if st.kind == "labelled":
        lab = s.f(px / s.size, family=s.label)
        lay.paragraph(x, head, bold, s.ink, width, px, first_prefix=[Run(x, st.med_label, lab, s.pad_ink)])
        lay.paragraph(x, item.sig.text, body, s.ink, width, px, first_prefix=[Run(x, st.sig_label, lab, s.pad_ink)])
        runs = lay.labelled(x, st.disp_label, item.disp, px)
        rx0 = x + max(c.width_of(f"{st.disp_label} {item.disp}", body) + s.size * 2, width * 0.45)
        runs += [Run(rx0, item.refills, body, s.ink)]
        lay.text_row(runs, px)
        if ndc:
            lay.text_row([Run(x, ndc, body, s.ink)], px)
    elif st.kind == "inline":
        # one dense line: heading, quantity, directions, refills (wrapped when long)
        text = f"{head} {st.disp_label} {item.disp} {st.sig_label} {item.sig.text} {item.refills}"
        if ndc:
            text += f" {ndc}"
        first = [Run(x, prefix, body, s.ink)] if prefix else None
        lay.paragraph(x, text, body, s.ink, width, px, first_prefix=first, indent=indent)
    else:  # "stacked": heading / Sig / Disp + refills
        first = [Run(x, prefix, bold, s.ink)] if prefix else None
        head_text = f"{head} ({ndc})" if ndc and rng.random() < 0.4 else head
        lay.paragraph(x, head_text, bold, s.ink, width, px, first_prefix=first, indent=indent)
        sx = x + indent
        lay.paragraph(sx, item.sig.text, body, s.ink, lay.right - sx, px,
                      first_prefix=[Run(sx, st.sig_label, body, s.ink)])
        runs = [Run(sx, f"{st.disp_label} {item.disp}", body, s.ink)]
        rx0 = sx + max(c.width_of(f"{st.disp_label} {item.disp}", body) + s.size * 1.5, (lay.right - sx) * 0.5)
        runs.append(Run(rx0, item.refills, body, s.ink))
        lay.text_row(runs, px)
        if ndc and ndc not in head_text:
            lay.text_row([Run(sx, ndc, body, s.ink)], px)
    lay.y += px * rng.uniform(0.3, 0.9)


def _footer(lay: Layout, rx: Prescription, px: float, daw: bool) -> None:
    """Substitution boxes, signature and printed name, anchored to the page bottom."""
    s, c, rng = lay.s, lay.c, lay.rng
    small = s.f(0.8 * px / s.size, family=s.label)
    boxes = rng.random() < 0.7
    label1 = rng.choice(["Substitution permitted", "Generic substitution permitted", "Product selection permitted"])
    label2 = rng.choice(["Dispense as written", "Do not substitute", "Brand medically necessary"])
    box_w = px * 0.8 * 1.15  # checkbox side plus its gap (see Layout.checkbox)
    x2 = max(lay.left + (lay.right - lay.left) * 0.55, lay.left + box_w + c.width_of(label1, small) + px * 1.5)
    two_rows = x2 + box_w + c.width_of(label2, small) > lay.right
    rows = (2 if two_rows else 1) if boxes else 0
    need = px * (1.8 + s.leading * (1.8 + 0.8 * rows))  # exactly what the rows below advance, plus 0.2 em
    top = lay.bottom - need
    if lay.y > top:
        raise Overflow("no room for the footer")
    lay.y = top
    if boxes:
        baseline = lay.advance(px * 0.8)
        x = lay.checkbox(lay.left, baseline, px * 0.8, checked=not daw and rng.random() < 0.3)
        runs = [Run(x, label1, small, s.pad_ink)]
        if two_rows:
            c.row(baseline, runs)
            baseline = lay.advance(px * 0.8)
            x2 = lay.left
            runs = []
        x2b = lay.checkbox(x2, baseline, px * 0.8, checked=daw)
        runs.append(Run(x2b, label2, small, s.pad_ink))
        c.row(baseline, runs)
    lay.y += px * 1.6
    sig_base = lay.advance(px)
    label = rng.choice(["Signature", "Prescriber signature", "Signature:", "Prescriber's Signature", "Sign:"])
    x0 = max(lay.left + (lay.right - lay.left) * rng.uniform(0.3, 0.45), lay.left + c.width_of(label, small) + px)
    lay.signature(x0, lay.right, sig_base)
    c.row(sig_base, [Run(lay.left, label, small, s.pad_ink)])
    pr = rx.prescriber
    under = rng.choice([pr.printed, f"{pr.printed}  NPI {pr.npi}", pr.printed])
    lay.text_row([Run(x0, under, small, s.pad_ink)], px * 0.8)


def template_pad(rx: Prescription, lay: Layout) -> None:
    """Pre-printed prescription pad: centred letterhead, fill-in fields, Rx symbol."""
    s, c, rng = lay.s, lay.c, lay.rng
    px = s.size
    mid = c.width / 2
    hdr = s.header
    cl, pr = rx.clinic, rx.prescriber
    name_px = px * rng.uniform(1.35, 1.7)
    lay.text_row([Run(mid, pr.printed if rng.random() < 0.35 else cl.name, hdr.font(name_px, "bold"), s.pad_ink,
                      "center")], name_px)
    small = s.f(0.85, family=hdr)
    if rng.random() < 0.5:
        lay.text_row([Run(mid, pr.specialty, s.f(0.9, "italic", hdr), s.pad_ink, "center")], px * 0.9)
    lay.text_row([Run(mid, cl.street, small, s.pad_ink, "center")], px * 0.85)
    lay.text_row([Run(mid, cl.city_line, small, s.pad_ink, "center")], px * 0.85)
    lay.text_row([Run(mid, f"Tel {cl.phone}" + (f"   Fax {cl.fax}" if rng.random() < 0.5 else ""), small, s.pad_ink,
                      "center")], px * 0.85)
    ids = [f"NPI: {pr.npi}", f"DEA: {pr.dea}"] if rng.random() < 0.5 else [f"NPI {pr.npi}", f"DEA# {pr.dea}"]
    if rng.random() < 0.5:
        lay.text_row([Run(mid, "   ".join(ids), small, s.pad_ink, "center")], px * 0.85)
    else:
        lay.text_row([Run(lay.left, ids[0], small, s.pad_ink), Run(lay.right, ids[1], small, s.pad_ink, "right")],
                     px * 0.85)
    lay.y += px * 0.2
    lay.rule(width_px=rng.choice([2, 3, 4]))
    lay.y += px * 0.4
    label = s.f(0.9, family=s.label)
    value = s.f(1.0)
    underline = rng.random() < 0.6

    def field_row(items: list[tuple[float, str, str]]) -> None:
        runs: list[Run] = []
        for x, lab, val in items:
            runs += lay.labelled(x, lab, val, px, value_font=value, label_font=label)
        baseline = lay.advance(px, extra=px * 0.25)
        c.row(baseline, runs)
        if underline:
            for r in runs[1::2]:
                x1 = r.x + max(c.width_of(r.text, r.font) + px, (lay.right - lay.left) * 0.25)
                c.draw.line([(r.x - 4, baseline + px * 0.22), (min(x1, lay.right), baseline + px * 0.22)],
                            fill=s.pad_ink, width=1)

    right = lay.left + (lay.right - lay.left) * rng.uniform(0.6, 0.66)
    field_row([(lay.left, rng.choice(["Name:", "Patient:", "Patient Name:", "For:"]), rx.patient_printed),
               (right, "Date:", rx.written_printed)])
    if rng.random() < 0.6:
        field_row([(lay.left, rng.choice(["Address:", "Addr:"]), rx.address)])
    dob_label = rng.choice(["DOB:", "D.O.B.", "Date of Birth:", "DOB"])
    field_row([(lay.left, dob_label, rx.dob_printed)] +
              ([(right, "Sex:", rx.sex)] if rng.random() < 0.3 else []))
    lay.y += px * 0.5
    lay.rx_symbol(lay.left, px * rng.uniform(2.0, 2.8))
    st = item_style(rng, rng.choice(["stacked", "stacked", "inline", "labelled"]), px, len(rx.items))
    for n, item in enumerate(rx.items, 1):
        _item_block(lay, item, n, st, px)
    _footer(lay, rx, px, any(i.daw for i in rx.items))


def template_letterhead(rx: Prescription, lay: Layout) -> None:
    """Clinic letterhead printed from a practice system: two-column header, patient box."""
    s, c, rng = lay.s, lay.c, lay.rng
    px = s.size
    cl, pr = rx.clinic, rx.prescriber
    hdr = s.header
    name_px = px * rng.uniform(1.6, 2.1)
    small = s.f(0.85, family=hdr)
    lay.text_row([Run(lay.left, cl.name, hdr.font(name_px, "bold"), s.pad_ink),
                  Run(lay.right, f"Phone: {cl.phone}", small, s.pad_ink, "right")], name_px)
    lay.text_row([Run(lay.left, cl.street, small, s.pad_ink),
                  Run(lay.right, f"Fax: {cl.fax}", small, s.pad_ink, "right")], px * 0.9)
    lay.text_row([Run(lay.left, cl.city_line, small, s.pad_ink)], px * 0.9)
    lay.rule(width_px=rng.choice([3, 5, 6]), gap=0.8)
    lay.y += px * 0.3
    lay.text_row(lay.labelled(lay.left, rng.choice(["Prescriber:", "Provider:", "Physician:"]), pr.printed, px), px)
    lay.text_row([Run(lay.left, f"NPI: {pr.npi}", s.f(0.9), s.ink),
                  Run(lay.left + (lay.right - lay.left) * 0.4, f"DEA: {pr.dea}", s.f(0.9), s.ink)], px * 0.9)
    lay.y += px * 0.6
    if rng.random() < 0.6:
        title = rng.choice(["PRESCRIPTION", "Prescription", "OUTPATIENT PRESCRIPTION", "Rx ORDER"])
        lay.text_row([Run(c.width / 2, title, s.f(1.3, "bold", hdr), s.ink, "center")], px * 1.3, extra=px * 0.3)
    # patient box
    box_top = lay.y
    lay.y += px * 0.5
    inner = lay.left + px * 0.6
    right = lay.left + (lay.right - lay.left) * 0.58
    lay.text_row(lay.labelled(inner, rng.choice(["Patient:", "Patient Name:", "Name:"]), rx.patient_printed, px) +
                 lay.labelled(right, rng.choice(["DOB:", "Date of Birth:", "D.O.B.:"]), rx.dob_printed, px), px,
                 extra=px * 0.2)
    if rng.random() < 0.7:
        lay.text_row(lay.labelled(inner, "Address:", rx.address, px), px, extra=px * 0.2)
    lay.text_row(lay.labelled(inner, rng.choice(["Date:", "Date Written:", "Rx Date:", "Issued:"]),
                              rx.written_printed, px) +
                 (lay.labelled(right, "Sex:", rx.sex, px) if rng.random() < 0.5 else []), px)
    lay.y += px * 0.3
    c.draw.rectangle([lay.left, box_top, lay.right, lay.y], outline=s.pad_ink, width=2)
    lay.y += px * 0.8
    if rng.random() < 0.5:
        lay.rx_symbol(lay.left, px * rng.uniform(1.8, 2.4))
    st = item_style(rng, rng.choice(["labelled", "labelled", "stacked"]), px, len(rx.items), numbered=True)
    for n, item in enumerate(rx.items, 1):
        _item_block(lay, item, n, st, px)
    _footer(lay, rx, px, any(i.daw for i in rx.items))


def template_ehr(rx: Prescription, lay: Layout) -> None:
    """Dense electronic-record printout with a medication table."""
    s, c, rng = lay.s, lay.c, lay.rng
    px = s.size
    cl, pr = rx.clinic, rx.prescriber
    bold = s.f(1.0, "bold")
    lay.text_row([Run(lay.left, cl.name.upper() if rng.random() < 0.5 else cl.name, s.f(1.25, "bold"), s.ink)],
                 px * 1.25)
    lay.text_row([Run(lay.left, f"{cl.street}, {cl.city_line}", s.f(0.9), s.ink)], px * 0.9)
    lay.text_row([Run(lay.left, f"Tel {cl.phone}  Fax {cl.fax}", s.f(0.9), s.ink)], px * 0.9)
    lay.rule(width_px=2, color=s.ink, gap=0.8)
    col2 = lay.left + (lay.right - lay.left) * 0.5
    col3 = lay.left + (lay.right - lay.left) * 0.78
    lay.text_row(lay.labelled(lay.left, "Patient:", rx.patient_printed, px, label_font=bold) +
                 lay.labelled(col2 + px * 2, "DOB:", rx.dob_printed, px, label_font=bold) +
                 lay.labelled(col3 + px * 2, "Sex:", rx.sex, px, label_font=bold), px)
    if rng.random() < 0.5:
        lay.text_row(lay.labelled(lay.left, "Address:", rx.address, px, label_font=bold), px)
    lay.text_row(lay.labelled(lay.left, "Prescriber:", pr.printed, px, label_font=bold), px)
    lay.text_row(lay.labelled(lay.left, "NPI:", pr.npi, px, label_font=bold) +
                 lay.labelled(col2 - px * 4, "DEA:", pr.dea, px, label_font=bold), px)
    lay.text_row(lay.labelled(lay.left, rng.choice(["Date written:", "Date:", "Written:"]), rx.written_printed, px,
                              label_font=bold), px)
    lay.rule(width_px=1, color=s.ink, gap=0.8)
    # table: Medication | Directions | Qty | Refills
    cols = [lay.left, lay.left + (lay.right - lay.left) * 0.34, lay.left + (lay.right - lay.left) * 0.70,
            lay.left + (lay.right - lay.left) * 0.83]
    widths = [cols[1] - cols[0] - px, cols[2] - cols[1] - px, cols[3] - cols[2] - px * 0.5, lay.right - cols[3]]
    heads = ["Medication", "Directions", "Qty", "Refills"]
    lay.text_row([Run(x, h, bold, s.ink) for x, h in zip(cols, heads)], px)
    lay.rule(width_px=1, color=s.ink, gap=0.4)
    body = s.f(0.95)
    for item in rx.items:
        cells = [item.heading() + (f" NDC {item.ndc}" if item.ndc else ""), item.sig.text, item.disp, item.refills]
        wrapped = [wrap(c, t, body, w) for t, w in zip(cells, widths)]
        if any(lay.c.width_of(line, body) > w for ws, w in zip(wrapped, widths) for line in ws):
            raise Overflow("table cell too narrow")
        for k in range(max(len(w) for w in wrapped)):
            lay.text_row([Run(x, w[k], body, s.ink) for x, w in zip(cols, wrapped) if k < len(w)], px * 0.95)
        lay.y += px * 0.5
    lay.rule(width_px=1, color=s.ink, gap=0.6)
    _footer(lay, rx, px, any(i.daw for i in rx.items))


TEMPLATES = {"pad": template_pad, "letterhead": template_letterhead, "ehr": template_ehr}
# template: (weight, page size in inches, body font classes)
TEMPLATE_CHOICES = {
    "pad": (0.45, [(5.5, 8.5), (4.25, 5.5), (5.5, 7.5)], ["sans", "serif", "mono"]),
    "letterhead": (0.35, [(8.5, 11.0)], ["sans", "serif"]),
    "ehr": (0.2, [(8.5, 11.0), (8.5, 7.0)], ["mono", "sans"]),
}


def render(rx: Prescription, rng: random.Random, fonts: dict[str, list[Family]], dpi: int = DPI) -> tuple[Image.Image, list[dict], dict]:
    """Render on the first page size and text scale that fits; returns (image, lines, layout info)."""
    name = rng.choices(list(TEMPLATE_CHOICES), [v[0] for v in TEMPLATE_CHOICES.values()])[0]
    _, sizes, classes = TEMPLATE_CHOICES[name]
    size_in = rng.choice(sizes)
    body_cls = rng.choice(classes)
    body = rng.choice(fonts[body_cls])
    style = Style(
        body=body,
        label=body if rng.random() < 0.5 else rng.choice(fonts[rng.choice(["sans", "serif"])]),
        header=rng.choice(fonts[rng.choice(["sans", "serif"])]),
        rx=rng.choice(fonts["serif"]),
        size=rng.uniform(10.0, 12.5) * dpi / 72 * (0.9 if size_in[0] < 5 else 1.0),
        ink=rng.choice(BLACK_INKS),
        pad_ink=rng.choice(PAD_INKS) if name != "ehr" else rng.choice(BLACK_INKS),
        leading=rng.uniform(1.3, 1.6),
    )
    paper = rng.choice(PAPER_TINTS)
    state = rng.getstate()
    for attempt in range(8):
        rng.setstate(state)
        w, h = round(size_in[0] * dpi), round(size_in[1] * dpi)
        canvas = Canvas(w, h, paper)
        if paper != (255, 255, 255) and name == "pad":
            _security_tint(canvas, rng, style.pad_ink)
        margin = dpi * rng.uniform(0.35, 0.6)
        lay = Layout(rng, canvas, style, margin)
        try:
            TEMPLATES[name](rx, lay)
        except Overflow:
            if attempt % 2 == 0 and style.size > 8 * dpi / 72:
                style.size *= 0.9
                style.leading = max(1.2, style.leading * 0.95)
            else:
                size_in = (8.5, 11.0)
            continue
        info = {"template": name, "page_in": list(size_in), "dpi": dpi, "body_font": style.body.name,
                "label_font": style.label.name, "header_font": style.header.name,
                "body_px": round(style.size, 1), "paper": list(paper)}
        return canvas.image, canvas.lines(), info
    raise RuntimeError("prescription does not fit on a page")


def _security_tint(canvas: Canvas, rng: random.Random, ink: tuple[int, int, int]) -> None:
    """Faint diagonal hatching, like the tinted background of a security pad."""
    paper = canvas.paper
    color = tuple(int(p * 0.93 + i * 0.07) for p, i in zip(paper, ink))
    step = rng.choice([14, 18, 24])
    for k in range(-canvas.height, canvas.width, step):
        canvas.draw.line([(k, 0), (k + canvas.height, canvas.height)], fill=color, width=1)
