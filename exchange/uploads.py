"""Accept an uploaded file by what its bytes are, never by what its name or browser claim.

PDFs are kept byte for byte once pypdf has opened them and found no scripts, attachments or
launch actions. JPEG and PNG images are decoded and re-encoded, so nothing but pixels survives:
no EXIF (phone photos carry GPS), XMP, comments, colour profiles or bytes after the image.
"""

import math
import threading
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageFile, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCUMENT_TYPES = frozenset({PDF, JPEG, PNG})
IMAGE_TYPES = frozenset({JPEG, PNG})

# Well above any scan or phone photo (a 48 MP sensor still bins to 12 MP), well below what
# would let one upload eat the worker's memory: 40 MP of RGBA is 160 MB decoded.
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90
MAX_NAME_LENGTH = 200

_EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}  # in the order users read them
_PIL_FORMATS = {JPEG: ["JPEG", "MPO"], PNG: ["PNG"]}  # phones write JPEGs Pillow calls MPO
# Names that make a PDF do something beyond showing pages: run JavaScript, start a program,
# carry other files, submit or import data, or hold an XFA form (which carries its own scripts).
_ACTIVE_PDF_NAMES = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/FileAttachment",
        "/GoToE",
        "/GoToR",
        # Additional actions: run when a page opens, a field is touched or the file closes.
        "/AA",
        "/RichMedia",
        "/SubmitForm",
        "/ImportData",
        "/XFA",
    }
)
# A cap on the indirect objects visited in one PDF, so a crafted file can't keep the walk
# going; a PDF past it is refused rather than half-checked.
_MAX_PDF_OBJECTS = 200_000


@dataclass(frozen=True)
class CleanUpload:
    content: bytes  # what we store: re-encoded for images
    content_type: str  # "application/pdf" | "image/jpeg" | "image/png"
    extension: str  # from the detected type, never from the name
    original_name: str  # the client's file name, cleaned; for display only


def clean_upload(
    uploaded, *, max_bytes: int | None = None, allowed: frozenset[str] = DOCUMENT_TYPES
) -> CleanUpload:
    """Return the upload's safe content, or raise ValidationError saying what is accepted.

    `max_bytes` defaults to settings.UPLOAD_MAX_BYTES, read at call time so settings overrides
    apply. At most max_bytes + 1 bytes are ever read.
    """
    if max_bytes is None:
        max_bytes = settings.UPLOAD_MAX_BYTES
    # Django counted .size as the upload arrived: checking it first costs no reading.
    declared = getattr(uploaded, "size", None)
    if declared is not None and declared > max_bytes:
        raise _too_large(declared, max_bytes)
    data = _read_at_most(uploaded, max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max(len(data), declared or 0), max_bytes)
    if not data:
        raise ValidationError(_("This file is empty."), code="empty")

    content_type = _sniff(data)
    if content_type not in allowed:
        raise _unsupported(allowed)
    content = _check_pdf(data) if content_type == PDF else _reencode(data, content_type)
    extension = _EXTENSIONS[content_type]
    return CleanUpload(
        content=content,
        content_type=content_type,
        extension=extension,
        original_name=clean_name(
            getattr(uploaded, "name", "") or "", fallback="upload" + extension
        ),
    )


def clean_name(name: str, *, fallback: str) -> str:
    """The last path component, without control or bidi-override characters, at most 200 long."""
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: NUL, newlines; Cf: right-to-left overrides that make "gpj.exe" read as "exe.jpg".
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    name = name.strip()[:MAX_NAME_LENGTH].strip()
    return fallback if name in {"", ".", ".."} else name


def _read_at_most(uploaded, limit: int) -> bytes:
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    if hasattr(uploaded, "read"):
        return uploaded.read(limit)
    data = bytearray()
    for chunk in uploaded.chunks():
        data += chunk[: limit - len(data)]
        if len(data) >= limit:
            break
    return bytes(data)


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _check_pdf(data: bytes) -> bytes:
    # Readers look for %%EOF in the last 1024 bytes; a cut-off upload has none, and pypdf alone
    # would happily rebuild what is left of it.
    if b"%%EOF" not in data[-1024:]:
        raise _corrupt(PDF)
    try:
        with warnings.catch_warnings():
            # pypdf warns about the small flaws real scanners produce; they are not our concern.
            warnings.simplefilter("ignore")
            reader = PdfReader(BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise ValidationError(
                    _(
                        "This PDF is protected with a password. "
                        "Please upload a copy without a password."
                    ),
                    code="encrypted",
                )
            if len(reader.pages) == 0:
                raise _corrupt(PDF)
            root = reader.trailer["/Root"]
            active = _opens_with_action(root) or _has_active_content(root)
    except ValidationError:
        raise
    except Exception as exc:
        # pypdf raises many kinds of errors on hostile input; any of them means "not a usable PDF".
        raise _corrupt(PDF) from exc
    if active:
        raise ValidationError(
            _(
                "This PDF contains scripts, attached files or actions, which are not accepted. "
                "Please print it to a new PDF and upload that."
            ),
            code="active_content",
        )
    return data


def _opens_with_action(root) -> bool:
    """An /OpenAction that is an action (a link to open, a script, anything with /S) rather than
    the page to show first (a destination array, which is all that viewers need it for)."""
    value = root.get("/OpenAction")
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return isinstance(value, DictionaryObject)


def _has_active_content(root) -> bool:
    """Walk every object reachable from the catalog (pages, annotations, names, forms)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        if len(seen) > _MAX_PDF_OBJECTS:
            return True
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            children = list(node.keys()) + list(node.values())
        elif isinstance(node, ArrayObject):
            children = list(node)
        else:
            continue
        for child in children:
            # Keys and values both count: /JS as a key, /S /JavaScript or /S /Launch as a value.
            if isinstance(child, NameObject) and child in _ACTIVE_PDF_NAMES:
                return True
            if isinstance(child, (IndirectObject, DictionaryObject, ArrayObject)):
                stack.append(child)
    return False


_truncation_lock = threading.Lock()


@contextmanager
def _truncated_refused():
    """Decode with Pillow's LOAD_TRUNCATED_IMAGES off, whatever the process set.

    WeasyPrint turns it on for the whole process when it is imported (weasyprint/images.py),
    so in a worker that renders certificates a cut-off upload would otherwise decode "fine",
    padded with grey. The lock keeps two uploads from restoring each other's value.
    """
    with _truncation_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _reencode(data: bytes, content_type: str) -> bytes:
    formats = _PIL_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=formats) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels()
                probe.verify()
            # verify() leaves the image unusable, so decode again from the start.
            with Image.open(BytesIO(data), formats=formats) as image, _truncated_refused():
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels() from exc
    except ValidationError:
        raise
    except Exception as exc:
        # Decoders raise OSError, SyntaxError, struct.error and more on broken input.
        raise _corrupt(content_type) from exc

    transparency = upright.info.get("transparency")
    # Savers fall back to image.info for comments and colour profiles: start from nothing.
    upright.info = {}
    out = BytesIO()
    if content_type == JPEG:
        if upright.mode not in {"L", "RGB"}:
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        extra = {} if transparency is None else {"transparency": transparency}
        upright.save(out, "PNG", optimize=True, **extra)
    return out.getvalue()


def _size_text(size: int, *, round_up: bool) -> str:
    # The file's size rounds up and the limit's rounds down, so a file one byte over a 5 MB
    # limit reads "5.1 MB", never "5 MB; the limit is 5 MB".
    rounding = math.ceil if round_up else math.floor
    for unit, text in ((1024 * 1024, _("%(size)s MB")), (1024, _("%(size)s KB"))):
        if size >= unit:
            tenths = rounding(size * 10 / unit)
            value = tenths / 10
            shown = number_format(value, decimal_pos=0 if tenths % 10 == 0 else 1)
            return text % {"size": shown}
    return ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("This file is %(size)s; the limit is %(limit)s.")
        % {"size": _size_text(size, round_up=True), "limit": _size_text(limit, round_up=False)},
        code="too_large",
    )


def _unsupported(allowed: frozenset[str]) -> ValidationError:
    labels = [label for content_type, label in _LABELS.items() if content_type in allowed]
    return ValidationError(
        _(
            "Only %(types)s files are accepted. "
            "This file is not one of them, whatever its name says."
        )
        % {"types": get_text_list(labels, _("and"))},
        code="unsupported_type",
    )


def _corrupt(content_type: str) -> ValidationError:
    return ValidationError(
        _(
            "This %(type)s file is damaged or incomplete and can’t be opened. "
            "Please save or scan it again."
        )
        % {"type": _LABELS[content_type]},
        code="corrupt",
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _(
            "This image has too many pixels to process safely; the limit is %(limit)d "
            "megapixels. Please upload a smaller image."
        )
        % {"limit": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
