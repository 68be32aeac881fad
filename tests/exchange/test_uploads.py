"""Uploads are judged by their bytes. Every hostile file is made here, in the test."""

import struct
import zipfile
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin
from pypdf import PdfWriter

from exchange.uploads import IMAGE_TYPES, CleanUpload, clean_name, clean_upload

MB = 1024 * 1024
UNSUPPORTED = (
    "Only PDF, JPEG and PNG files are accepted. "
    "This file is not one of them, whatever its name says."
)
TOO_MANY_PIXELS = (
    "This image has too many pixels to process safely; the limit is 40 megapixels. "
    "Please upload a smaller image."
)


def upload(content: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(content: bytes, name: str = "file.bin", **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload(content, name), **kwargs)
    return caught.value


def image_bytes(image: Image.Image, fmt: str, **params) -> bytes:
    out = BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def two_colour(width: int, height: int) -> Image.Image:
    """Left half red, right half blue."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    return image


def close(pixel, expected, tolerance: int = 6) -> bool:
    """JPEG is lossy: a re-encoded pixel is near, not equal to, what was drawn."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def make_pdf(*, catalog_extra: bytes = b"", page_extra: bytes = b"", padding: int = 0) -> bytes:
    """A one-page PDF written by hand, so the catalog and page carry whatever a test needs."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]" + page_extra + b" >>",
    ]
    out = bytearray(b"%PDF-1.7\n%" + b"x" * padding + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_of_size(size: int) -> bytes:
    padding = size - len(make_pdf())
    pdf = make_pdf(padding=padding)
    # startxref grows by a digit or two with the padding; take those back out of the padding.
    pdf = make_pdf(padding=padding - (len(pdf) - size))
    assert len(pdf) == size
    return pdf


def pypdf_document(**build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if "attachment" in build:
        writer.add_attachment("payload.exe", build["attachment"])
    if "password" in build:
        writer.encrypt(build["password"], algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width × height pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# --- Accepted --------------------------------------------------------------------------------


def test_clean_upload_valid_pdf_kept_byte_for_byte():
    pdf = pypdf_document()

    result = clean_upload(upload(pdf, "consent.PDF"))

    assert result == CleanUpload(
        content=pdf,
        content_type="application/pdf",
        extension=".pdf",
        original_name="consent.PDF",
    )


def test_clean_upload_extension_comes_from_content_not_name():
    png = image_bytes(Image.new("RGB", (8, 8), (1, 2, 3)), "PNG")

    result = clean_upload(upload(png, "scan.pdf"))

    assert (result.content_type, result.extension, result.original_name) == (
        "image/png",
        ".png",
        "scan.pdf",
    )


def test_clean_upload_jpeg_loses_exif_gps_comment_xmp_and_trailing_bytes():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (37.0, 24.0, 36.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (127.0, 15.0, 18.0),
    }
    original = image_bytes(
        Image.new("RGB", (64, 48), (200, 30, 30)),
        "JPEG",
        exif=exif,
        comment=b"home address",
        xmp=b"<x:xmpmeta>secret</x:xmpmeta>",
    )
    assert Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo) != {}
    original += b"TRAILING-PAYLOAD"

    result = clean_upload(upload(original, "photo.jpeg"))

    cleaned = Image.open(BytesIO(result.content))
    assert (result.content_type, result.extension) == ("image/jpeg", ".jpg")
    assert dict(cleaned.getexif()) == {}
    assert {"exif", "comment", "xmp", "icc_profile"} & set(cleaned.info) == set()
    assert b"home address" not in result.content
    assert b"secret" not in result.content
    assert b"PhoneCo" not in result.content
    assert not result.content.endswith(b"TRAILING-PAYLOAD")
    assert cleaned.size == (64, 48)
    assert close(cleaned.getpixel((32, 24)), (200, 30, 30))


def test_clean_upload_png_loses_text_chunks_and_keeps_pixels_exactly():
    drawn = two_colour(40, 30)
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Kim Alice, 12 Example-ro")
    original = image_bytes(drawn, "PNG", pnginfo=text)
    assert Image.open(BytesIO(original)).info["Author"] == "Kim Alice, 12 Example-ro"

    result = clean_upload(upload(original, "emblem.png"), allowed=IMAGE_TYPES)

    cleaned = Image.open(BytesIO(result.content))
    assert cleaned.info.get("Author") is None
    assert cleaned.text == {}
    assert b"tEXt" not in result.content
    assert cleaned.tobytes() == drawn.tobytes()


def test_clean_upload_png_keeps_palette_transparency():
    drawn = Image.new("P", (4, 4), 0)
    drawn.putpalette([255, 255, 255, 10, 20, 30] + [0, 0, 0] * 254)
    drawn.putpixel((1, 1), 1)
    original = image_bytes(drawn, "PNG", transparency=0)

    result = clean_upload(upload(original, "signature.png"), allowed=IMAGE_TYPES)

    cleaned = Image.open(BytesIO(result.content))
    assert cleaned.convert("RGBA").getpixel((0, 0))[3] == 0
    assert cleaned.convert("RGBA").getpixel((1, 1)) == (10, 20, 30, 255)


def test_clean_upload_exif_orientation_applied_so_image_comes_out_upright():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored on its side: turn 90° clockwise to view
    original = image_bytes(two_colour(60, 20), "JPEG", exif=exif)

    result = clean_upload(upload(original, "passport.jpg"))

    cleaned = Image.open(BytesIO(result.content))
    assert cleaned.size == (20, 60)
    assert dict(cleaned.getexif()) == {}
    # Turned clockwise, the stored left (red) half is now on top.
    assert close(cleaned.getpixel((10, 5)), (220, 20, 20))
    assert close(cleaned.getpixel((10, 55)), (20, 20, 220))


def test_clean_upload_exactly_at_limit_accepted(settings):
    settings.UPLOAD_MAX_BYTES = 5 * MB
    pdf = pdf_of_size(5 * MB)

    result = clean_upload(upload(pdf, "letter.pdf"))

    assert result.content == pdf


def test_clean_upload_original_name_cleaned():
    png = image_bytes(Image.new("RGB", (8, 8)), "PNG")

    result = clean_upload(upload(png, "../../etc/passwd\x00.png"))

    assert result.original_name == "passwd.png"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd\x00.png", "passwd.png"),
        ("C:\\Users\\alice\\여권 사본.png", "여권 사본.png"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),  # no right-to-left override
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("..", "upload.pdf"),
        ("\x00\x1f", "upload.pdf"),
        ("a" * 300 + ".pdf", "a" * 200),
    ],
)
def test_clean_name_keeps_a_safe_display_name(name, expected):
    assert clean_name(name, fallback="upload.pdf") == expected


# --- Refused: not one of the three types ---------------------------------------------------


def gif() -> bytes:
    return image_bytes(Image.new("RGB", (8, 8)), "GIF")


def zip_archive() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("consent.pdf", b"%PDF-1.7 not really")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>", "photo.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "form.pdf"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            "emblem.svg",
        ),
        (gif(), "photo.gif"),
        (zip_archive(), "consent.pdf"),
        (b" %PDF-1.7\n" + make_pdf(), "leading-space.pdf"),
    ],
    ids=["html-as-png", "exe-as-pdf", "svg", "gif", "zip", "pdf-header-not-first"],
)
def test_clean_upload_other_types_refused_whatever_the_name(content, name):
    error = refusal(content, name)

    assert (error.messages, error.code) == ([UNSUPPORTED], "unsupported_type")


def test_clean_upload_pdf_refused_where_only_images_allowed():
    error = refusal(pypdf_document(), "emblem.pdf", allowed=IMAGE_TYPES)

    assert error.messages == [
        "Only JPEG and PNG files are accepted. "
        "This file is not one of them, whatever its name says."
    ]


# --- Refused: damaged, dangerous, empty, too big -------------------------------------------


def test_clean_upload_empty_file_refused():
    error = refusal(b"", "consent.pdf")

    assert (error.messages, error.code) == (["This file is empty."], "empty")


def test_clean_upload_truncated_png_refused():
    png = image_bytes(two_colour(200, 200), "PNG")

    error = refusal(png[: len(png) // 2], "photo.png")

    assert (error.messages, error.code) == (
        [
            "This PNG file is damaged or incomplete and can’t be opened. "
            "Please save or scan it again."
        ],
        "corrupt",
    )


def test_clean_upload_truncated_jpeg_refused():
    jpeg = image_bytes(two_colour(200, 200), "JPEG")

    assert refusal(jpeg[: len(jpeg) // 2], "photo.jpg").code == "corrupt"


def test_clean_upload_truncated_pdf_refused():
    pdf = pypdf_document()

    error = refusal(pdf[: len(pdf) // 2], "consent.pdf")

    assert (error.messages, error.code) == (
        [
            "This PDF file is damaged or incomplete and can’t be opened. "
            "Please save or scan it again."
        ],
        "corrupt",
    )


def test_clean_upload_pdf_header_with_garbage_refused():
    assert refusal(b"%PDF-1.7\nnothing here at all\n%%EOF\n", "x.pdf").code == "corrupt"


def test_clean_upload_encrypted_pdf_refused():
    error = refusal(pypdf_document(password="secret"), "consent.pdf")

    assert (error.messages, error.code) == (
        ["This PDF is protected with a password. Please upload a copy without a password."],
        "encrypted",
    )


ACTIVE = (
    "This PDF contains scripts, attached files or actions, which are not accepted. "
    "Please print it to a new PDF and upload that."
)


@pytest.mark.parametrize(
    "pdf",
    [
        make_pdf(catalog_extra=b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        make_pdf(catalog_extra=b" /OpenAction << /S /Launch /F (cmd.exe) >>"),
        # Names may be written with #xx escapes; pypdf decodes them before we look.
        make_pdf(catalog_extra=b" /OpenAction << /S /L#61unch /F (cmd.exe) >>"),
        make_pdf(
            catalog_extra=b" /Names << /JavaScript << /Names [(x) << /S /JavaScript"
            b" /JS (app.alert(1)) >>] >> >>"
        ),
        make_pdf(
            page_extra=b" /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9]"
            b" /A << /S /JavaScript /JS (app.alert(1)) >> >>]"
        ),
        pypdf_document(attachment=b"MZ\x90\x00"),
        # Opening the file opens a web page: an outside link on open.
        make_pdf(catalog_extra=b" /OpenAction << /S /URI /URI (https://evil.example/x) >>"),
        make_pdf(catalog_extra=b" /OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >>"),
        # Additional actions: a page that runs something when it is shown.
        make_pdf(page_extra=b" /AA << /O << /S /URI /URI (https://evil.example/y) >> >>"),
        make_pdf(catalog_extra=b" /AA << /WC << /S /Named /N /Print >> >>"),
    ],
    ids=[
        "openaction-js",
        "launch",
        "escaped-name",
        "names-javascript",
        "annot-js",
        "embedded",
        "openaction-uri",
        "openaction-remote-goto",
        "page-aa-uri",
        "catalog-aa",
    ],
)
def test_clean_upload_pdf_with_active_content_refused(pdf):
    error = refusal(pdf, "consent.pdf")

    assert (error.messages, error.code) == ([ACTIVE], "active_content")


def test_clean_upload_pdf_opening_at_a_page_kept():
    """An /OpenAction that only names the first page to show is what many writers produce."""
    pdf = make_pdf(catalog_extra=b" /OpenAction [3 0 R /FitH 842]")

    assert clean_upload(upload(pdf, "letter.pdf")).content == pdf


def test_clean_upload_one_byte_over_limit_refused(settings):
    settings.UPLOAD_MAX_BYTES = 5 * MB

    error = refusal(pdf_of_size(5 * MB + 1), "letter.pdf")

    assert (error.messages, error.code) == (
        ["This file is 5.1 MB; the limit is 5 MB."],
        "too_large",
    )


def test_clean_upload_small_limit_spoken_in_bytes():
    error = refusal(make_pdf(), "letter.pdf", max_bytes=100)

    assert error.messages == [f"This file is {len(make_pdf())} bytes; the limit is 100 bytes."]


class Oversized:
    """Says it is 7.2 MB; reading it would fail the test."""

    name = "scan.pdf"
    size = int(7.2 * MB)

    def read(self, *args):
        raise AssertionError("clean_upload read a file whose size was already too big")


def test_clean_upload_declared_size_checked_before_reading():
    with pytest.raises(ValidationError) as caught:
        clean_upload(Oversized())

    assert caught.value.messages == ["This file is 7.2 MB; the limit is 5 MB."]


class Understated:
    """Claims 10 bytes, holds a megabyte, and records how much was asked of it."""

    name = "scan.pdf"
    size = 10

    def __init__(self):
        self.requested = []

    def read(self, size=-1):
        self.requested.append(size)
        return (b"%PDF-1.7\n" + b"0" * MB)[:size]


def test_clean_upload_never_reads_more_than_limit_plus_one():
    lying = Understated()

    with pytest.raises(ValidationError) as caught:
        clean_upload(lying, max_bytes=1000)

    assert (lying.requested, caught.value.code) == ([1001], "too_large")


@pytest.mark.parametrize(
    ("width", "height"),
    [(20000, 20000), (7000, 7000)],
    ids=["past-pillow-limit", "past-our-40-megapixels"],
)
def test_clean_upload_decompression_bomb_refused(width, height):
    error = refusal(png_header_only(width, height), "emblem.png")

    assert (error.messages, error.code) == ([TOO_MANY_PIXELS], "too_many_pixels")


def test_clean_upload_truncated_jpeg_refused_after_weasyprint_is_imported():
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process on import."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    whole = image_bytes(Image.new("RGB", (64, 64), (10, 120, 200)), "JPEG")

    error = refusal(whole[: len(whole) // 2], "photo.jpg")

    assert error.code == "corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
