"""DejaVu Sans for the PDF writer: found on the system, measured, subset with fontTools."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import threading


class FontMissing(RuntimeError):
    """DejaVu Sans is not installed (Debian: fonts-dejavu-core)."""


class NeedsShaping(ValueError):
    """The text has a script this writer cannot set: right-to-left (Hebrew, Arabic) or one
    whose letters join or reorder (Arabic, the Indic scripts). It has no bidirectional
    ordering and no shaping; a caller uses a full layout engine for such a document."""


# Hebrew, Arabic, Syriac, Thaana, N'Ko and the rest up to U+08FF; the Indic scripts; Hebrew
# and Arabic presentation forms; the explicit right-to-left marks and embeddings.
COMPLEX_SCRIPT = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\ufb1d-\ufdff\ufe70-\ufeff\u200f\u202b\u202e\u2067]"
)


# --- fonts -----------------------------------------------------------------------------------

_FONT_FILES = {
    "regular": ("DejaVu Sans:style=Book", "DejaVuSans.ttf"),
    "bold": ("DejaVu Sans:style=Bold", "DejaVuSans-Bold.ttf"),
    "italic": ("DejaVu Sans:style=Oblique", "DejaVuSans-Oblique.ttf"),
    "bolditalic": ("DejaVu Sans:style=Bold Oblique", "DejaVuSans-BoldOblique.ttf"),
}
_FONT_DIR = "/usr/share/fonts/truetype/dejavu"

# Glyphs every subset carries, so that most documents reuse a subset made before: Latin-1,
# Latin Extended-A and general punctuation.
_BASE_CHARS = (
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x180)]
    + [chr(c) for c in range(0x2010, 0x2027)]
    + ["•", "€", "™", "−"]
)


def font_path(style: str) -> str:
    """The file of DejaVu Sans in this style: the usual Debian place, else what fontconfig
    finds; a clear error if neither has it."""
    pattern, filename = _FONT_FILES[style]
    path = os.path.join(_FONT_DIR, filename)
    if os.path.exists(path):
        return path
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(  # noqa: S603 - fixed program, fixed pattern
                ["fc-match", "-f", "%{file}", pattern],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and os.path.basename(found) == filename and os.path.exists(found):
            return found
    raise FontMissing(
        f"The PDF needs the font DejaVu Sans ({filename}); install fonts-dejavu-core."
    )


class Font:
    """One TrueType font file: glyph ids, advance widths (in 1/1000 em), subsets."""

    def __init__(self, style: str) -> None:
        from fontTools.ttLib import TTFont

        self.style = style
        self.path = font_path(style)
        with open(self.path, "rb") as f:
            self.data = f.read()
        tt = TTFont(io.BytesIO(self.data), lazy=True)
        self.ps_name = str(tt["name"].getDebugName(6) or "DejaVuSans").replace(" ", "")
        upm = tt["head"].unitsPerEm
        self.scale = 1000 / upm
        cmap = tt.getBestCmap()
        order = {name: gid for gid, name in enumerate(tt.getGlyphOrder())}
        metrics = tt["hmtx"].metrics
        self.gid: dict[str, int] = {}
        self.advance: dict[str, float] = {}
        self.glyph_width: dict[int, float] = {}
        for code, glyph in cmap.items():
            gid = order[glyph]
            ch = chr(code)
            self.gid[ch] = gid
            width = metrics[glyph][0] * self.scale
            self.advance[ch] = width
            self.glyph_width[gid] = width
        head, hhea, os2, post = tt["head"], tt["hhea"], tt["OS/2"], tt["post"]
        self.bbox = [round(v * self.scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent = round(hhea.ascent * self.scale)
        self.descent = round(hhea.descent * self.scale)
        self.cap_height = round(getattr(os2, "sCapHeight", hhea.ascent) * self.scale)
        self.italic_angle = float(post.italicAngle)
        self.words: dict[str, float] = {}
        self._subsets: dict[frozenset[int], bytes] = {}
        self._base = frozenset(self.gid[c] for c in _BASE_CHARS if c in self.gid)
        self._lock = threading.Lock()
        self.fallback = "?"
        self.hex_table = {ord(ch): f"{gid:04x}" for ch, gid in self.gid.items()}

    def usable(self, text: str) -> str:
        """The text with characters this font lacks replaced, so every glyph is real."""
        gid = self.gid
        if gid.keys() >= set(text):
            return text
        return "".join(c if c in gid else self.fallback for c in text)

    def width(self, word: str) -> float:
        """Advance width of ``word`` in 1/1000 em, cached per word."""
        w = self.words.get(word)
        if w is None:
            advance = self.advance
            w = sum(advance[c] for c in word)
            if len(word) <= 40 and len(self.words) < 200_000:  # words, not long tokens
                self.words[word] = w
        return w

    def subset(self, gids: frozenset[int]) -> bytes:
        """The font with at least these glyphs (ids unchanged), made once per glyph set: a
        subset of the common Latin glyphs plus what a document needs is reused by every later
        document that needs nothing more."""
        with self._lock:
            for have, data in self._subsets.items():
                if gids <= have:
                    return data
            want = frozenset(gids | self._base | {0})
            data = _subset_font(self.data, want)
            if len(self._subsets) > 8:
                self._subsets.clear()
            self._subsets[want] = data
            return data


def _subset_font(data: bytes, gids: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.retain_gids = True  # the content streams use the original glyph ids
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "BASE", "JSTF", "MATH"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(gids))
    font = TTFont(io.BytesIO(data))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


_fonts: dict[str, Font] = {}
_fonts_lock = threading.Lock()


def font(style: str) -> Font:
    """The process-wide font of a style (loaded once)."""
    f = _fonts.get(style)
    if f is None:
        with _fonts_lock:
            f = _fonts.get(style)
            if f is None:
                f = _fonts[style] = Font(style)
    return f
