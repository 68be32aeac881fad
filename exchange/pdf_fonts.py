"""Compact embedding of CID-keyed CFF fonts (Noto Sans CJK) in WeasyPrint's PDFs.

WeasyPrint 70 subsets every font with HarfBuzz's RETAIN_GIDS flag, because its PDF content
streams address a glyph by its number in the full font. Noto Sans CJK has 65,535 glyphs and
Hangul sits high in it, so a retained subset keeps tens of thousands of empty glyph slots:
about 700 KB a face before compression, 20 ms to subset and 5 ms to compress, 410 KiB for a
one-page certificate with four faces, most of the time a certificate takes.

Noto Sans CJK's CFF table is CID-keyed: its charset gives every glyph a CID equal to its
number in the full font, and HarfBuzz keeps those CIDs when it subsets *without* retaining
glyph numbers. A PDF viewer looks a CIDFontType0 glyph up by CID through that charset when
the font program is a bare CFF (`FontFile3` with `/Subtype /CIDFontType0C`, the way Acrobat
embeds CJK fonts). So for such fonts this module subsets to the used glyphs only and embeds
the bare CFF table; the content streams, widths and ToUnicode maps WeasyPrint writes stay as
they are. Other fonts (TrueType, name-keyed CFF) keep WeasyPrint's own embedding.

Measured on the certificate: 4 faces subset in 28 ms instead of 80, 32 KiB instead of 410.
PDFium, MuPDF and Poppler draw the pages pixel for pixel as with WeasyPrint's embedding
(tests/exchange/test_pdf_fonts.py checks PDFium). docs/certificates.md has the figures.

It replaces three things inside WeasyPrint, which is why pyproject pins WeasyPrint to 70.x
and `install` does nothing on another version (the PDFs are then WeasyPrint's own, larger
and slower). Set `ENABLED = False` to fall back at run time.
"""

import logging
import threading

import pydyf
import weasyprint
from weasyprint import pdf as weasyprint_pdf
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

logger = logging.getLogger(__name__)

# The WeasyPrint major version whose internals this module was written against.
WEASYPRINT_MAJOR = "70"
ENABLED = True
CFF_TAG = harfbuzz.hb_tag_from_string(b"CFF ", -1)
# The CFF header, Name INDEX and Top DICT of a font sit in its first bytes.
CFF_HEAD_BYTES = 4096
# The Top DICT operator naming a CID-keyed font's Registry-Ordering-Supplement (12 30). The
# CFF specification requires it to be the Top DICT's first operator.
ROS_OPERATOR = (12, 30)
# More than any font has (WeasyPrint reads 100 too).
MAX_TABLES = 100

installed = False


# --- Reading a CFF table's head ----------------------------------------------------------


def _index_bounds(data: bytes, pos: int) -> tuple[list[int], int]:
    """The absolute offsets of a CFF INDEX's items (count + 1 of them) and where it ends."""
    count = int.from_bytes(data[pos : pos + 2], "big")
    if count == 0:
        return [], pos + 2
    off_size = data[pos + 2]
    if not 1 <= off_size <= 4:
        raise ValueError("bad CFF INDEX offset size")
    offsets_at = pos + 3
    data_at = offsets_at + (count + 1) * off_size - 1  # offsets count from 1
    offsets = [
        data_at + int.from_bytes(data[at : at + off_size], "big")
        for at in range(offsets_at, offsets_at + (count + 1) * off_size, off_size)
    ]
    return offsets, offsets[-1]


def _first_operator(top_dict: bytes) -> tuple[int, ...] | None:
    """The first operator of a CFF DICT, skipping its operands."""
    pos = 0
    while pos < len(top_dict):
        b0 = top_dict[pos]
        if b0 == 12:
            return (12, top_dict[pos + 1]) if pos + 1 < len(top_dict) else None
        if b0 <= 21:
            return (b0,)
        if b0 == 28:
            pos += 3
        elif b0 == 29:
            pos += 5
        elif b0 == 30:  # a real number: nibbles up to an 0xf nibble
            pos += 1
            while pos < len(top_dict) and 0xF not in (top_dict[pos] >> 4, top_dict[pos] & 0xF):
                pos += 1
            pos += 1
        elif 32 <= b0 <= 246:
            pos += 1
        elif 247 <= b0 <= 254:
            pos += 2
        else:  # 22-27, 31, 255 are reserved
            return None
    return None


def cff_is_cid_keyed(head: bytes) -> bool:
    """Whether a CFF table, of which `head` is the start, holds a CID-keyed font."""
    try:
        if len(head) < 4 or head[0] != 1:  # CFF version 1 (CFF2 is another table)
            return False
        _, after_names = _index_bounds(head, head[2])  # header size, then the Name INDEX
        offsets, _ = _index_bounds(head, after_names)  # the Top DICT INDEX
        if len(offsets) < 2 or offsets[1] > len(head):
            return False
        return _first_operator(head[offsets[0] : offsets[1]]) == ROS_OPERATOR
    except (IndexError, ValueError):
        return False


def _table_bytes(hb_face, tag, limit: int | None = None) -> bytes:
    blob = harfbuzz.hb_face_reference_table(hb_face, tag)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        size = length[0] if limit is None else min(length[0], limit)
        return bytes(ffi.buffer(data, size)) if size else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _table_tags(hb_face) -> list[int]:
    count = ffi.new("unsigned int *", MAX_TABLES)
    tags = ffi.new(f"hb_tag_t[{MAX_TABLES}]")
    harfbuzz.hb_face_get_table_tags(hb_face, 0, count, tags)
    return list(tags[0 : count[0]])


def face_is_cid_keyed_cff(hb_face) -> bool:
    return cff_is_cid_keyed(_table_bytes(hb_face, CFF_TAG, CFF_HEAD_BYTES))


# --- Subsetting --------------------------------------------------------------------------


def compact_cff_subset(hb_face, glyph_ids, *, hinting: bool, notdef_outline: bool) -> bytes:
    """The bare CFF table of `hb_face` cut down to `glyph_ids`, which keep their CIDs; b""
    when HarfBuzz cannot subset it."""
    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    if subset_input == ffi.NULL:
        return b""
    gids = sorted(glyph_ids)
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(
        glyph_set, ffi.new(f"hb_codepoint_t[{len(gids)}]", gids), len(gids)
    )
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if notdef_outline:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    # Only the CFF table is embedded: subsetting the others (GSUB, GPOS, vmtx…) would double
    # the time for nothing.
    drop = sorted(tag for tag in _table_tags(hb_face) if tag != CFF_TAG)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(
            subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
        ),
        ffi.new(f"hb_codepoint_t[{len(drop)}]", drop),
        len(drop),
    )
    subset_face = harfbuzz_subset.hb_subset_or_fail(hb_face, subset_input)
    if subset_face == ffi.NULL:
        return b""
    try:
        return _table_bytes(subset_face, CFF_TAG)
    finally:
        harfbuzz.hb_face_destroy(subset_face)


def _can_subset() -> bool:
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


# --- The replacements inside WeasyPrint -------------------------------------------------

_stock_init = weasyprint_fonts.Font.__init__
_stock_get_hb_object_data = weasyprint_fonts.get_hb_object_data
_stock_subset = weasyprint_fonts.Font.subset
_stock_type = weasyprint_fonts.Font.type
_stock_build_fonts_dictionary = weasyprint_fonts.build_fonts_dictionary

# Font.__init__ copies the whole font file into `file_content` (get_hb_object_data on its
# face): 20 MB for a Noto Sans CJK collection, 10 ms and fresh memory per face per render,
# though a compact subset never reads it. The copy is put off until something reads it.
_NOT_LOADED = object()
_loading = threading.local()


def _init(font, pango_font, description, font_size):
    _loading.lazy = True
    try:
        _stock_init(font, pango_font, description, font_size)
    finally:
        _loading.lazy = False


def _get_hb_object_data(hb_object, ot_color=None, glyph=None):
    """In weasyprint.pdf.fonts: the file copy Font.__init__ asks for first is put off."""
    if ot_color is None and getattr(_loading, "lazy", False):
        _loading.lazy = False
        return _NOT_LOADED
    return _stock_get_hb_object_data(hb_object, ot_color, glyph)


class _FileContent:
    """Font.file_content, copied out of the font's face the first time it is read."""

    def __get__(self, font, owner=None):
        if font is None:
            return self
        value = font.__dict__["_file_content"]
        if value is _NOT_LOADED:
            value = font.__dict__["_file_content"] = _stock_get_hb_object_data(font.hb_face)
        return value

    def __set__(self, font, value):
        font.__dict__["_file_content"] = value


def _subset(font, to_unicode, hinting):
    """Font.subset: the compact bare CFF for a CID-keyed CFF face, else WeasyPrint's own."""
    if ENABLED and to_unicode and _can_subset() and face_is_cid_keyed_cff(font.hb_face):
        cff = compact_cff_subset(
            font.hb_face, to_unicode, hinting=hinting, notdef_outline=bool(font.missing)
        )
        if cff:
            font.file_content = cff
            font.bare_cff = True
            return
        logger.warning("Compact subsetting failed for %s; using WeasyPrint's", font.family)
    _stock_subset(font, to_unicode, hinting)


def _type(font) -> str:
    """Font.type: a bare CFF goes in as FontFile3 with a CIDFontType0, like an OpenType CFF."""
    return "otf" if getattr(font, "bare_cff", False) else _stock_type.fget(font)


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """WeasyPrint's font dictionaries, with bare CFF font programs labelled as such."""
    result = _stock_build_fonts_dictionary(pdf, fonts, compress, subset, options)
    bare = {
        id(font.__dict__["_file_content"])
        for font in fonts.values()
        if getattr(font, "bare_cff", False)
    }
    if bare:
        for pdf_object in pdf.objects:
            if (
                isinstance(pdf_object, pydyf.Stream)
                and len(pdf_object.stream) == 1
                and id(pdf_object.stream[0]) in bare
            ):
                pdf_object.extra["Subtype"] = "/CIDFontType0C"
    return result


def install() -> bool:
    """Put the compact embedding in place (once); False on an untested WeasyPrint version."""
    global installed
    if installed:
        return True
    if weasyprint.__version__.split(".")[0] != WEASYPRINT_MAJOR:
        logger.warning(
            "WeasyPrint %s is not %s.x: CJK fonts are embedded WeasyPrint's way (larger, slower).",
            weasyprint.__version__,
            WEASYPRINT_MAJOR,
        )
        return False
    weasyprint_fonts.Font.__init__ = _init
    weasyprint_fonts.Font.file_content = _FileContent()
    weasyprint_fonts.get_hb_object_data = _get_hb_object_data
    weasyprint_fonts.Font.subset = _subset
    weasyprint_fonts.Font.type = property(_type)
    # generate_pdf calls the name it imported into weasyprint.pdf.
    weasyprint_fonts.build_fonts_dictionary = _build_fonts_dictionary
    weasyprint_pdf.build_fonts_dictionary = _build_fonts_dictionary
    installed = True
    return True
