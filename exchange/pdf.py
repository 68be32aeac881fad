"""The PDF rendering layer for participation certificates.

HTML in, PDF bytes out, through WeasyPrint with a fetcher that can read only two things:
the project's bundled static files (`static:css/certificate.css`) and uploaded files in
private storage (`storage:emblems/gwangju.png`). Everything else, including http(s),
file:, ftp:, data: and relative URLs, is refused before any socket or file is opened.
docs/certificates.md explains the choices and the figures.
"""

import io
import mimetypes
import threading
from collections.abc import Iterable, Sequence
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import pikepdf
import segno
import weasyprint
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.utils.safestring import SafeString, mark_safe
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from exchange import pdf_fonts

# Noto Sans CJK is embedded as a compact CID-keyed CFF: 13x smaller, 50 ms faster a page.
pdf_fonts.install()

STATIC_SCHEME = "static"
STORAGE_SCHEME = "storage"

# Uploads are private (guardian consents, ID scans may sit beside emblems), so a certificate
# may only ever pull pictures out of storage, whatever a template bug asks for.
STORAGE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


class ResourceRefused(ValueError):
    """The certificate asked for a resource the portal does not serve to WeasyPrint.

    WeasyPrint catches it, logs the message and renders without the resource.
    """


def _safe_relative_path(url: str, path: str) -> str:
    """The path as a plain relative POSIX path, or ResourceRefused."""
    # WeasyPrint percent-encodes URLs before fetching; decode first so `%2e%2e` is `..`.
    decoded = unquote(path)
    if (
        not decoded
        or decoded.startswith("/")
        or "\\" in decoded
        or "\x00" in decoded
        or any(part in ("", ".", "..") for part in decoded.split("/"))
    ):
        raise ResourceRefused(f"Path outside the allowed folder: {url}")
    return decoded


def _split(url: str) -> tuple[str, str]:
    """The scheme and the decoded relative path of a static: or storage: URL."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ResourceRefused(f"Malformed URL: {url}") from exc
    scheme = parts.scheme.lower()
    if scheme not in (STATIC_SCHEME, STORAGE_SCHEME):
        if not scheme:
            raise ResourceRefused(f"Relative URL with no scheme: {url}")
        raise ResourceRefused(f"URL scheme not allowed: {url}")
    # `static://host/x` would put a name in the authority, where no path check looks.
    if parts.netloc or parts.query:
        raise ResourceRefused(f"Path outside the allowed folder: {url}")
    return scheme, _safe_relative_path(url, parts.path)


def _guess_type(path: str) -> str:
    mime_type, _ = mimetypes.guess_type(path, strict=False)
    return mime_type or "application/octet-stream"


def portal_url_fetcher(url: str, timeout=10, ssl_context=None, **kwargs) -> URLFetcherResponse:
    """Serve `static:` and `storage:` URLs to WeasyPrint; refuse everything else.

    `timeout` and `ssl_context` are accepted so the signature matches WeasyPrint's
    fetchers, and ignored: nothing here touches the network.
    """
    scheme, path = _split(url)
    if scheme == STATIC_SCHEME:
        found = finders.find(path)
        if not found:
            raise ResourceRefused(f"No such static file: {url}")
        with open(found, "rb") as file:
            body = file.read()
        return URLFetcherResponse(url, body, {"Content-Type": _guess_type(path)})

    mime_type = _guess_type(path)
    if mime_type not in STORAGE_IMAGE_TYPES:
        raise ResourceRefused(f"Only images may be read from storage: {url}")
    if not default_storage.exists(path):
        raise ResourceRefused(f"No such stored file: {url}")
    with default_storage.open(path, "rb") as file:
        body = file.read()
    return URLFetcherResponse(url, body, {"Content-Type": mime_type})


class PortalURLFetcher(URLFetcher):
    """The object WeasyPrint 70 wants: it calls the fetcher and, when that raises, reads
    `_fail_on_errors` from it, so a bare function would crash the render on the first
    refused URL instead of skipping it. All the decisions are in `portal_url_fetcher`."""

    def __init__(self):
        # No protocols and no redirects for the urllib machinery we inherit, in case a
        # future WeasyPrint calls it directly instead of `fetch`.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        # Looked up at call time so a test can wrap the module function and see every URL.
        return portal_url_fetcher(url)


_thread_state = threading.local()


def _font_config() -> FontConfiguration:
    """The calling thread's font configuration, made once and reused.

    A new FontConfiguration is a new Pango font map that loads and parses the large CJK
    fonts again: about 65 ms of CPU per render. Per thread because Pango font maps are not
    thread-safe. Reuse is sound while certificates declare no @font-face (fonts come from
    fontconfig): such rules would accumulate in the shared configuration.
    """
    config = getattr(_thread_state, "font_config", None)
    if config is None:
        config = _thread_state.font_config = FontConfiguration()
    return config


def _html(html: str) -> weasyprint.HTML:
    # No base URL: relative references stay relative and the fetcher refuses them, instead
    # of resolving against the working directory as file: URLs.
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=PortalURLFetcher())


def _css(stylesheets: Iterable[str]) -> list[weasyprint.CSS]:
    fetcher = PortalURLFetcher()
    return [
        weasyprint.CSS(url=url, url_fetcher=fetcher, font_config=_font_config())
        for url in stylesheets
    ]


def render_pdf(html: str, *, stylesheets: Sequence[str] = ()) -> bytes:
    """One HTML document as PDF bytes. `stylesheets` are extra `static:` CSS URLs."""
    return _html(html).write_pdf(stylesheets=_css(stylesheets), font_config=_font_config())


def join_pdfs(documents: Iterable[bytes], out: BinaryIO, *, title: str = "") -> int:
    """Write the pages of several PDFs, in order, to `out` as one PDF; returns its pages.

    For printing a batch: each certificate's stored PDF goes in as it is (qpdf copies its
    pages with what they use, fonts included), so a printed page is the very file its holder
    downloads, and nothing is laid out again. Fonts are not shared between pages: ~35 KiB a
    page. Raises ValueError with no documents, pikepdf.PdfError on a broken one.
    """
    joined = pikepdf.new()
    # qpdf reads the copied objects from their documents when it writes: keep them open.
    sources: list[pikepdf.Pdf] = []
    try:
        for data in documents:
            source = pikepdf.open(io.BytesIO(data))
            sources.append(source)
            joined.pages.extend(source.pages)
        if not sources:
            raise ValueError("join_pdfs needs at least one document.")
        if title:
            joined.docinfo[pikepdf.Name.Title] = pikepdf.String(title)
        joined.save(out)
        return len(joined.pages)
    finally:
        for source in sources:
            source.close()
        joined.close()


def qr_svg(url: str) -> SafeString:
    """An inline `<svg>` QR code for `url`, ready to place in a template as it is.

    Marked safe because segno writes the markup and the URL only becomes black and white
    modules: no character of it reaches the SVG as text.
    """
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=0, dark="#000", light=None, omitsize=True)
    # omitsize leaves the size to CSS (.qr svg) so the code scales with the layout.
    return mark_safe(svg)  # noqa: S308


__all__ = [
    "PortalURLFetcher",
    "ResourceRefused",
    "join_pdfs",
    "portal_url_fetcher",
    "qr_svg",
    "render_pdf",
]
