"""Fonts from Debian packages (fonts-dejavu-core, fonts-liberation, fonts-freefont-ttf,
fonts-urw-base35, fonts-noto-core). Families whose files are missing are skipped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_ROOT = Path("/usr/share/fonts")

# name: (class, package, regular, bold, italic) — paths relative to FONT_ROOT
FAMILIES = {
    "DejaVu Sans": ("sans", "fonts-dejavu-core", "truetype/dejavu/DejaVuSans.ttf",
                    "truetype/dejavu/DejaVuSans-Bold.ttf", "truetype/dejavu/DejaVuSans-Oblique.ttf"),
    "DejaVu Serif": ("serif", "fonts-dejavu-core", "truetype/dejavu/DejaVuSerif.ttf",
                     "truetype/dejavu/DejaVuSerif-Bold.ttf", "truetype/dejavu/DejaVuSerif-Italic.ttf"),
    "DejaVu Sans Mono": ("mono", "fonts-dejavu-core", "truetype/dejavu/DejaVuSansMono.ttf",
                         "truetype/dejavu/DejaVuSansMono-Bold.ttf", "truetype/dejavu/DejaVuSansMono-Oblique.ttf"),
    "Liberation Sans": ("sans", "fonts-liberation", "truetype/liberation/LiberationSans-Regular.ttf",
                        "truetype/liberation/LiberationSans-Bold.ttf", "truetype/liberation/LiberationSans-Italic.ttf"),
    "Liberation Serif": ("serif", "fonts-liberation", "truetype/liberation/LiberationSerif-Regular.ttf",
                         "truetype/liberation/LiberationSerif-Bold.ttf",
                         "truetype/liberation/LiberationSerif-Italic.ttf"),
    "Liberation Mono": ("mono", "fonts-liberation", "truetype/liberation/LiberationMono-Regular.ttf",
                        "truetype/liberation/LiberationMono-Bold.ttf", "truetype/liberation/LiberationMono-Italic.ttf"),
    "FreeSans": ("sans", "fonts-freefont-ttf", "truetype/freefont/FreeSans.ttf",
                 "truetype/freefont/FreeSansBold.ttf", "truetype/freefont/FreeSansOblique.ttf"),
    "FreeSerif": ("serif", "fonts-freefont-ttf", "truetype/freefont/FreeSerif.ttf",
                  "truetype/freefont/FreeSerifBold.ttf", "truetype/freefont/FreeSerifItalic.ttf"),
    "FreeMono": ("mono", "fonts-freefont-ttf", "truetype/freefont/FreeMono.ttf",
                 "truetype/freefont/FreeMonoBold.ttf", "truetype/freefont/FreeMonoOblique.ttf"),
    "Nimbus Sans": ("sans", "fonts-urw-base35", "opentype/urw-base35/NimbusSans-Regular.otf",
                    "opentype/urw-base35/NimbusSans-Bold.otf", "opentype/urw-base35/NimbusSans-Italic.otf"),
    "Nimbus Roman": ("serif", "fonts-urw-base35", "opentype/urw-base35/NimbusRoman-Regular.otf",
                     "opentype/urw-base35/NimbusRoman-Bold.otf", "opentype/urw-base35/NimbusRoman-Italic.otf"),
    "Nimbus Mono PS": ("mono", "fonts-urw-base35", "opentype/urw-base35/NimbusMonoPS-Regular.otf",
                       "opentype/urw-base35/NimbusMonoPS-Bold.otf", "opentype/urw-base35/NimbusMonoPS-Italic.otf"),
    "C059": ("serif", "fonts-urw-base35", "opentype/urw-base35/C059-Roman.otf",
             "opentype/urw-base35/C059-Bold.otf", "opentype/urw-base35/C059-Italic.otf"),
    "P052": ("serif", "fonts-urw-base35", "opentype/urw-base35/P052-Roman.otf",
             "opentype/urw-base35/P052-Bold.otf", "opentype/urw-base35/P052-Italic.otf"),
    "URW Gothic": ("sans", "fonts-urw-base35", "opentype/urw-base35/URWGothic-Book.otf",
                   "opentype/urw-base35/URWGothic-Demi.otf", "opentype/urw-base35/URWGothic-BookOblique.otf"),
    "URW Bookman": ("serif", "fonts-urw-base35", "opentype/urw-base35/URWBookman-Light.otf",
                    "opentype/urw-base35/URWBookman-Demi.otf", "opentype/urw-base35/URWBookman-LightItalic.otf"),
    "Noto Sans": ("sans", "fonts-noto-core", "truetype/noto/NotoSans-Regular.ttf",
                  "truetype/noto/NotoSans-Bold.ttf", "truetype/noto/NotoSans-Italic.ttf"),
    "Noto Serif": ("serif", "fonts-noto-core", "truetype/noto/NotoSerif-Regular.ttf",
                   "truetype/noto/NotoSerif-Bold.ttf", "truetype/noto/NotoSerif-Italic.ttf"),
}
PACKAGES = sorted({f[1] for f in FAMILIES.values()})


@dataclass(frozen=True)
class Family:
    name: str
    cls: str
    regular: Path
    bold: Path
    italic: Path

    def font(self, px: float, style: str = "regular") -> ImageFont.FreeTypeFont:
        return _load(str(getattr(self, style)), max(6, round(px)))


@lru_cache(maxsize=512)
def _load(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


def available_families() -> dict[str, list[Family]]:
    """Installed families by class (sans, serif, mono)."""
    out: dict[str, list[Family]] = {"sans": [], "serif": [], "mono": []}
    for name, (cls, _pkg, regular, bold, italic) in FAMILIES.items():
        reg = FONT_ROOT / regular
        if not reg.is_file():
            continue
        b, i = FONT_ROOT / bold, FONT_ROOT / italic
        out[cls].append(Family(name, cls, reg, b if b.is_file() else reg, i if i.is_file() else reg))
    missing = [cls for cls, fams in out.items() if not fams]
    if missing:
        raise RuntimeError(f"no {', '.join(missing)} fonts found under {FONT_ROOT}; "
                           f"install: apt-get install -y {' '.join(PACKAGES)}")
    return out
