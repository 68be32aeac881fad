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
they are. Every other font keeps WeasyPrint's own embedding: TrueType, name-keyed CFF,
CID-keyed CFF whose CIDs are not its glyph numbers, variable and colour fonts.

Measured on the certificate: 4 faces subset in 28 ms instead of 80, 32 KiB instead of 410.
MuPDF and Poppler draw the pages pixel for pixel as with WeasyPrint's embedding, PDFium at
most 36 grey levels apart on a few anti-aliased edges (tests/exchange/test_pdf_fonts.py
checks PDFium). docs/certificates.md has the figures.

It replaces six things inside WeasyPrint (`install`), which is why pyproject pins WeasyPrint
to 70.x and `install` does nothing on another version (the PDFs are then WeasyPrint's own,
larger and slower). Set `ENABLED = False` to fall back at run time.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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
# The Top DICT operator giving the charset's offset (15).
CHARSET_OPERATOR = (15,)
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


def _dict_entries(data: bytes) -> Iterator[tuple[tuple[int, ...], list[int | None]]]:
    """The (operator, operands) of a CFF DICT, in order; a real operand is None."""
    operands: list[int | None] = []
    pos = 0
    while pos < len(data):
        b0 = data[pos]
        if b0 == 12:
            if pos + 1 >= len(data):
                raise ValueError("CFF DICT ends inside an operator")
            yield (12, data[pos + 1]), operands
            operands, pos = [], pos + 2
        elif b0 <= 21:
            yield (b0,), operands
            operands, pos = [], pos + 1
        elif b0 == 28:
            operands.append(int.from_bytes(data[pos + 1 : pos + 3], "big", signed=True))
            pos += 3
        elif b0 == 29:
            operands.append(int.from_bytes(data[pos + 1 : pos + 5], "big", signed=True))
            pos += 5
        elif b0 == 30:  # a real number: nibbles up to an 0xf nibble
            pos += 1
            while pos < len(data) and 0xF not in (data[pos] >> 4, data[pos] & 0xF):
                pos += 1
            operands.append(None)
            pos += 1
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            pos += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[pos + 1] + 108)
            pos += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[pos + 1] - 108)
            pos += 2
        else:  # 22-27, 31, 255 are reserved
            raise ValueError("reserved byte in a CFF DICT")


def _top_dict(head: bytes) -> list[tuple[tuple[int, ...], list[int | None]]]:
    """The first font's Top DICT entries, from the start of a CFF table; [] if unreadable."""
    try:
        if len(head) < 4 or head[0] != 1:  # CFF version 1 (CFF2 is another table)
            return []
        _, after_names = _index_bounds(head, head[2])  # header size, then the Name INDEX
        offsets, _ = _index_bounds(head, after_names)  # the Top DICT INDEX
        if len(offsets) < 2 or offsets[1] > len(head):
            return []
        return list(_dict_entries(head[offsets[0] : offsets[1]]))
    except (IndexError, ValueError):
        return []


def cff_is_cid_keyed(head: bytes) -> bool:
    """Whether a CFF table, of which `head` is the start, holds a CID-keyed font."""
    entries = _top_dict(head)
    return bool(entries) and entries[0][0] == ROS_OPERATOR


def cff_charset_offset(head: bytes) -> int | None:
    """Where the Top DICT says the charset starts, if it has its own (0-2 are predefined)."""
    for operator, operands in _top_dict(head):
        if operator == CHARSET_OPERATOR and operands and operands[-1] is not None:
            return operands[-1] if operands[-1] > 2 else None
    return None


def cff_cids_are_glyph_ids(charset: bytes, glyph_count: int) -> bool:
    """Whether a CID-keyed font's charset gives every glyph the CID equal to its number, as
    Noto Sans CJK's does. A subset made elsewhere keeps the CIDs and renumbers the glyphs:
    WeasyPrint writes glyph numbers, so such a font must keep WeasyPrint's own embedding."""
    if not charset:
        return False
    pos, glyph = 1, 1
    if charset[0] == 0:  # one CID per glyph
        for glyph in range(1, glyph_count):
            if int.from_bytes(charset[pos : pos + 2], "big") != glyph:
                return False
            pos += 2
        return True
    if charset[0] in (1, 2):  # ranges: a first CID, then how many follow (1 or 2 bytes)
        left_size = charset[0]
        while glyph < glyph_count:
            if pos + 2 + left_size > len(charset):
                return False
            first = int.from_bytes(charset[pos : pos + 2], "big")
            left = int.from_bytes(charset[pos + 2 : pos + 2 + left_size], "big")
            if first != glyph:
                return False
            glyph += left + 1
            pos += 2 + left_size
        return True
    return False


def _table_tags(hb_face) -> list[int]:
    count = ffi.new("unsigned int *", MAX_TABLES)
    tags = ffi.new(f"hb_tag_t[{MAX_TABLES}]")
    harfbuzz.hb_face_get_table_tags(hb_face, 0, count, tags)
    return list(tags[0 : count[0]])


@contextmanager
def _cff_table(hb_face) -> Iterator[ffi.buffer]:
    """The face's CFF table in place (empty if it has none); slicing it copies the slice."""
    blob = harfbuzz.hb_face_reference_table(hb_face, CFF_TAG)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        yield ffi.buffer(data, length[0]) if length[0] else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)


def face_suits_compact_embedding(hb_face) -> bool:
    """Whether a face can be embedded as a compact bare CFF: a CID-keyed CFF whose CIDs are
    its glyph numbers (Noto Sans CJK). Copies only the table's head and its charset."""
    with _cff_table(hb_face) as table:
        head = table[:CFF_HEAD_BYTES]
        offset = cff_charset_offset(head) if cff_is_cid_keyed(head) else None
        if offset is None or offset >= len(table):
            return False
        glyph_count = harfbuzz.hb_face_get_glyph_count(hb_face)
        # At most two bytes a glyph (format 0), after the format byte.
        charset = table[offset : min(len(table), offset + 2 * glyph_count + 1)]
        return cff_cids_are_glyph_ids(charset, glyph_count)


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
        with _cff_table(subset_face) as table:
            return table[:]
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


# Per thread, while WeasyPrint writes a PDF's fonts: the hashes of those embedded compactly.
# Fonts of one file share a hash and one embedded program, but only the first is subset.
_writing = threading.local()


def _outlines_only(font) -> bool:
    # Font.clean hands variable and colour fonts to fontTools after subsetting, which needs a
    # whole font file, not a bare CFF.
    return "fvar" not in font.tables and not (font.png or font.svg or font.colr)


def _subset(font, to_unicode, hinting):
    """Font.subset: a compact bare CFF for a suitable face, else WeasyPrint's own."""
    if (
        ENABLED
        and to_unicode
        and _can_subset()
        and _outlines_only(font)
        and face_suits_compact_embedding(font.hb_face)
    ):
        cff = compact_cff_subset(
            font.hb_face, to_unicode, hinting=hinting, notdef_outline=bool(font.missing)
        )
        if cff:
            font.file_content = cff
            font.bare_cff = True
            compact = getattr(_writing, "compact", None)
            if compact is not None:
                compact.add(font.hash)
            return
        logger.warning("Compact subsetting failed for %s; using WeasyPrint's", font.family)
    _stock_subset(font, to_unicode, hinting)


def _type(font) -> str:
    """Font.type: a bare CFF goes in as FontFile3 with a CIDFontType0, like an OpenType CFF,
    and so do the other fonts of its file, which share its embedded program."""
    if font.hash in getattr(_writing, "compact", ()):
        return "otf"
    return _stock_type.fget(font)


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """WeasyPrint's font dictionaries, with bare CFF font programs labelled as such."""
    _writing.compact = set()
    try:
        result = _stock_build_fonts_dictionary(pdf, fonts, compress, subset, options)
    finally:
        compact, _writing.compact = _writing.compact, set()
    bare = {
        id(font.__dict__["_file_content"])
        for font in fonts.values()
        if font.__dict__.get("bare_cff") and font.hash in compact
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
