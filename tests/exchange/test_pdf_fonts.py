"""The compact CJK font embedding (exchange/pdf_fonts.py): certificates embed Noto Sans CJK as
a bare CID-keyed CFF holding only the glyphs they use, and PDFium draws them as it draws
WeasyPrint's own embedding."""

import functools
import io
import subprocess

import numpy as np
import pypdf
import pypdfium2
import pytest
import weasyprint
from fontTools import subset
from fontTools.cffLib import CFFFontSet
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont
from hypothesis import given
from hypothesis import strategies as st
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.fonts import FontConfiguration

from exchange import pdf_fonts
from exchange.pdf import PortalURLFetcher, render_pdf
from tests.exchange.helpers import certificate_html

# What each certificate below puts on its page, in each script.
CERTIFICATES = [
    {"holder_native": "김민지", "holder_latin": "Kim Minji", "languages": ["ko", "zh-hans"]},
    {
        "holder_native": "王晓雨",
        "holder_latin": "Wang Xiaoyu",
        "holder_lang": "zh-hans",
        "languages": ["zh-hans", "ko"],
    },
    {"holder_native": "田中さくら", "holder_latin": "Tanaka Sakura", "languages": ["ja", "ko"]},
    {"holder_native": "Nguyễn Thị Lan", "holder_latin": "", "languages": ["vi", "ko"]},
]
# Grey levels out of 255: a few anti-aliased edge pixels move (at most 36 levels measured)
# between the two ways of embedding the same outlines, as PDFium hints a bare CFF and an
# OpenType CFF differently; a missing or wrong glyph leaves whole strokes black on white.
EDGE_TOLERANCE = 64


def noto_sans_cjk_face(face: str = "KR", weight: str = "regular") -> tuple[str, int]:
    """The file and the index in it of a Noto Sans CJK face (KR, SC, JP) at a weight."""
    found = subprocess.run(
        ["fc-match", "--format=%{file}:%{index}", f"Noto Sans CJK {face}:{weight}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path, index = found.rsplit(":", 1)
    return path, int(index)


def cff_table(font: TTFont) -> bytes:
    return font.reader["CFF "]


def noto_cff_head(length: int) -> bytes:
    path, index = noto_sans_cjk_face()
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return cff_table(font)[:length]


def charset_of(table: bytes) -> bytes:
    return table[pdf_fonts.cff_charset_offset(table[: pdf_fonts.CFF_HEAD_BYTES]) :]


def renumbered_noto_subset(text: str) -> bytes:
    """Noto Sans CJK KR cut down to `text` by fontTools, as a webfont tool would: the glyphs
    keep their CIDs but are renumbered 1, 2, 3…"""
    path, index = noto_sans_cjk_face()
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    with TTFont(path, fontNumber=index) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
    return buffer.getvalue()


@functools.cache
def noto_variation_glyphs(face: str, weight: str) -> dict[str, set[str]]:
    """For each glyph of a Noto Sans CJK face, the glyphs of its characters' variation
    sequences (cmap format 14): HarfBuzz keeps those with the glyph when it subsets."""
    path, index = noto_sans_cjk_face(face, weight)
    with TTFont(path, fontNumber=index, lazy=True) as font:
        characters: dict[int, set[str]] = {}
        for character, glyph in font.getBestCmap().items():
            characters.setdefault(character, set()).add(glyph)
        variants: dict[int, set[str]] = {}
        for table in font["cmap"].tables:
            if table.format == 14:
                for sequences in table.uvsDict.values():
                    for character, glyph in sequences:
                        if glyph is not None:
                            variants.setdefault(character, set()).add(glyph)
    closure: dict[str, set[str]] = {}
    for character, glyphs in characters.items():
        for glyph in glyphs:
            closure.setdefault(glyph, set()).update(variants.get(character, ()))
    return closure


def name_keyed_cff() -> bytes:
    """A one-glyph OpenType CFF font whose glyphs have names, not CIDs."""
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    pen = T2CharStringPen(500, None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 700))
    pen.lineTo((500, 0))
    pen.closePath()
    glyph = pen.getCharString()
    builder.setupCFF("Test-Regular", {"FullName": "Test"}, {".notdef": glyph, "A": glyph}, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupOS2()
    builder.setupNameTable({"familyName": "Test", "styleName": "Regular"})
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    buffer.seek(0)
    with TTFont(buffer) as font:
        return cff_table(font)


def type0_fonts(data: bytes):
    """(FontName without the subset tag, descendant CIDFont) of every font on every page."""
    seen = {}
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            name = str(descendant["/FontDescriptor"]["/FontName"]).split("+", 1)[1]
            seen[name] = descendant
    return seen


def width_cids(descendant) -> set[int]:
    """The CIDs the /W array gives widths for: every glyph the page draws with the font."""
    widths = descendant["/W"]
    cids = set()
    for first, run in zip(widths[::2], widths[1::2], strict=True):
        cids.update(range(int(first), int(first) + len(run)))
    return cids


def rasterize(data: bytes) -> list[np.ndarray]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [
            np.asarray(page.render(scale=1.5, grayscale=True).to_pil().convert("L"), dtype=int)
            for page in document
        ]
    finally:
        document.close()


def test_installed_on_the_pinned_weasyprint():
    assert (
        pdf_fonts.installed,
        weasyprint.__version__.split(".")[0],
        weasyprint_fonts.Font.subset,
        weasyprint.pdf.build_fonts_dictionary,
    ) == (True, "70", pdf_fonts._subset, pdf_fonts._build_fonts_dictionary)


def test_noto_sans_cjk_is_a_cid_keyed_cff():
    assert pdf_fonts.cff_is_cid_keyed(noto_cff_head(pdf_fonts.CFF_HEAD_BYTES)) is True


def test_name_keyed_cff_is_not_cid_keyed():
    assert pdf_fonts.cff_is_cid_keyed(name_keyed_cff()) is False


@given(st.binary(max_size=300), st.integers(min_value=0, max_value=70000))
def test_cff_readers_read_any_bytes_without_raising(data, glyph_count):
    offset = pdf_fonts.cff_charset_offset(data)
    assert (
        pdf_fonts.cff_is_cid_keyed(data) in (True, False),
        offset is None or offset > 2,
        pdf_fonts.cff_cids_are_glyph_ids(data, glyph_count) in (True, False),
    ) == (True, True, True)


def test_cff_is_cid_keyed_reads_a_cut_off_head_without_raising():
    head = noto_cff_head(200)
    answers = {pdf_fonts.cff_is_cid_keyed(head[:length]) for length in range(len(head))}
    # Too short to hold the Top DICT: not CID-keyed, as far as anyone can tell.
    assert answers == {False, True} and pdf_fonts.cff_is_cid_keyed(head[:4]) is False


def test_noto_sans_cjk_cids_are_its_glyph_numbers_and_a_renumbered_subsets_are_not():
    path, index = noto_sans_cjk_face()
    with TTFont(path, fontNumber=index, lazy=True) as font:
        noto = charset_of(cff_table(font))
        noto_glyphs = font["maxp"].numGlyphs
    with TTFont(io.BytesIO(renumbered_noto_subset("참가증명서"))) as font:
        renumbered = charset_of(cff_table(font))
        renumbered_glyphs = font["maxp"].numGlyphs
    assert (
        pdf_fonts.cff_cids_are_glyph_ids(noto, noto_glyphs),
        pdf_fonts.cff_cids_are_glyph_ids(renumbered, renumbered_glyphs),
    ) == (True, False)


def test_a_font_whose_cids_are_not_its_glyph_numbers_keeps_weasyprints_embedding(
    tmp_path, monkeypatch
):
    # Found in review: embedded compactly, such a font drew nothing (WeasyPrint writes glyph
    # numbers, and the viewer read them as CIDs). A @font-face the portal never serves, read
    # with WeasyPrint's own fetcher, stands for any such font.
    text = "참가증명서 김민지"
    (tmp_path / "sub.otf").write_bytes(renumbered_noto_subset(text))
    html = (
        "<style>@font-face { font-family: Sub; src: url(sub.otf) }"
        f"p {{ font: 40pt Sub }}</style><p>{text}</p>"
    )

    def draw() -> tuple[bytes, np.ndarray]:
        data = weasyprint.HTML(string=html, base_url=str(tmp_path)).write_pdf(
            font_config=FontConfiguration()
        )
        (page,) = rasterize(data)
        return data, page

    data, ours = draw()
    monkeypatch.setattr(pdf_fonts, "ENABLED", False)
    _, theirs = draw()
    (descendant,) = type0_fonts(data).values()
    font_file = descendant["/FontDescriptor"]["/FontFile3"].get_object()
    assert (
        str(font_file["/Subtype"]),
        int(np.abs(ours - theirs).max()),
        int((ours < 128).sum()) > 1000,
    ) == ("/OpenType", 0, True)


def test_writing_a_document_again_draws_the_same():
    # The second write subsets the faces again from the fonts, not from the first bare CFF.
    html = weasyprint.HTML(string=certificate_html(), base_url=None, url_fetcher=PortalURLFetcher())
    document = html.render(font_config=FontConfiguration())
    first, again = document.write_pdf(), document.write_pdf()
    (first_page,), (again_page,) = rasterize(first), rasterize(again)
    assert (len(again) == len(first), int(np.abs(again_page - first_page).max())) == (True, 0)


# The faces each certificate above embeds (Regular and Bold of each).
FACES = [("KR", "SC"), ("SC",), ("JP",), ("KR",)]


@pytest.mark.parametrize(
    ("context", "faces"),
    list(zip(CERTIFICATES, FACES, strict=True)),
    ids=["ko", "zh", "ja", "vi"],
)
def test_certificate_embeds_bare_cid_cff_with_only_the_glyphs_it_draws(context, faces):
    data = render_pdf(certificate_html(**context))
    fonts = type0_fonts(data)
    found = {}
    for name, descendant in fonts.items():
        font_file = descendant["/FontDescriptor"]["/FontFile3"].get_object()
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(font_file.get_data()), None)
        top = cff.topDictIndex[0]
        drawn = {f"cid{cid:05d}" for cid in width_cids(descendant) if cid}
        face, _, weight = name.removeprefix("Noto-Sans-CJK-").partition("-")
        variations = noto_variation_glyphs(face, "bold" if weight else "regular")
        kept = drawn.union(*(variations.get(glyph, ()) for glyph in drawn))
        found[name] = (
            str(descendant["/Subtype"]),
            str(font_file["/Subtype"]),
            tuple(top.ROS),
            set(top.charset) - {".notdef"} == kept,
        )
    compact = ("/CIDFontType0", "/CIDFontType0C", ("Adobe", "Identity", 0), True)
    assert found == {
        f"Noto-Sans-CJK-{face}{weight}": compact for face in faces for weight in ("", "-Bold")
    }


def test_certificates_draw_as_with_weasyprints_own_embedding(monkeypatch):
    htmls = [certificate_html(**context) for context in CERTIFICATES]
    compact = [render_pdf(html) for html in htmls]
    monkeypatch.setattr(pdf_fonts, "ENABLED", False)
    stock = [render_pdf(html) for html in htmls]
    worst = []
    for ours, theirs in zip(compact, stock, strict=True):
        (ours_page,), (their_page,) = rasterize(ours), rasterize(theirs)
        worst.append(int(np.abs(ours_page - their_page).max()))
    sizes = [(len(ours) * 5 < len(theirs)) for ours, theirs in zip(compact, stock, strict=True)]
    assert (max(worst) <= EDGE_TOLERANCE, sizes) == (True, [True] * len(CERTIFICATES)), worst


def test_stock_embedding_still_reads_the_font_file_when_asked(monkeypatch):
    # With the compact embedding off, WeasyPrint reads file_content, which is then copied out
    # of the face on first use: the PDF holds the retained (OpenType) subset, as before.
    monkeypatch.setattr(pdf_fonts, "ENABLED", False)
    fonts = type0_fonts(render_pdf(certificate_html()))
    subtypes = {
        name: str(descendant["/FontDescriptor"]["/FontFile3"].get_object()["/Subtype"])
        for name, descendant in fonts.items()
    }
    assert subtypes == {
        f"Noto-Sans-CJK-{face}{weight}": "/OpenType"
        for face in ("KR", "SC")
        for weight in ("", "-Bold")
    }
