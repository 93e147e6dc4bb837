"""Rebuild the CJK font subset that figures use for Chinese names and terms (maintainers only).

The figures draw Latin text in matplotlib's DejaVu Sans and fall back, glyph by glyph, to
``NotoSansSC-subset.otf`` in this folder: Noto Sans CJK SC Regular 2.004 (SIL Open Font License 1.1,
see ``OFL.txt``), cut down with fontTools to the Chinese characters that the data and the lessons
use, plus the commonest characters in both scripts, GB 2312 level 1 (3,755 simplified) and Big5
level 1 (5,401 traditional), so that a new name in the data rarely needs a rebuild: about 1.9 MB
instead of 19 MB.

When a data table or a lesson gains a character the subset lacks, ``tests/test_plots.py`` says
which; then install the full font (Debian: ``apt-get install fonts-noto-cjk``) and run::

    python -m teach.fonts
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "helpers" / "fonts"  # the bundled subset lives with the package that draws the figures
SUBSET = HERE / "NotoSansSC-subset.otf"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY = "Noto Sans CJK SC"

#: CJK ideographs, CJK punctuation and full-width forms: what DejaVu Sans lacks.
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def characters_used(root: Path = ROOT) -> set[str]:
    """Every CJK character in the data tables, the teacher editions' cells and the helpers' code.

    Left out: the documents' excerpts (``data/documents.csv``), which the browser draws with the reader's own CJK
    font and no figure shows, and the notebooks' stored outputs (made from the data and the cells)."""
    import json

    paths = [p for p in [*root.glob("data/*.csv"), *root.glob("data/*.json"), *root.glob("helpers/**/*.py")] if p.name != "documents.csv"]
    found: set[str] = set()
    for path in paths:
        found |= set(CJK.findall(path.read_text(encoding="utf-8")))
    for path in root.glob("notebooks/*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        found |= set(CJK.findall("".join("".join(c["source"]) for c in cells)))
    return found


def common_characters() -> set[str]:
    """GB 2312 level 1 (rows 16-55, the commonest simplified characters) and Big5 level 1 (0xA440-0xC67E,
    the commonest traditional ones)."""
    found = set()
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for high in range(0xA4, 0xC7):
        for low in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            try:
                char = bytes([high, low]).decode("big5")
            except UnicodeDecodeError:
                continue
            if "\u4e00" <= char <= "\u9fff":
                found.add(char)
    return found


def build(source: Path = SOURCE, target: Path = SUBSET) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    if not source.exists():
        raise SystemExit(f"{source} is missing: install the full font first (Debian: apt-get install fonts-noto-cjk).")
    fonts = TTCollection(str(source)).fonts
    font = next((f for f in fonts if f["name"].getDebugName(4) == FAMILY), None)
    if font is None:
        raise SystemExit(f"{source} holds no '{FAMILY}' face.")
    chars = sorted(characters_used() | common_characters())
    options = subset.Options()
    options.layout_features = []  # no OpenType features: matplotlib draws glyph by glyph
    options.name_IDs = ["*"]  # keep the copyright, version and licence records
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    font.save(str(target))
    print(f"wrote {target} ({target.stat().st_size // 1024} kB, {len(chars)} characters, {font['name'].getDebugName(5)})")
    return 0


def main(argv: list[str] | None = None) -> int:
    if argv:
        print("usage: python -m teach fonts   (no arguments)", file=sys.stderr)
        return 2
    return build()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
