"""Certificate PDFs: names in every script, the page, batches, and a fetcher that reads
nothing but bundled static files and stored images."""

import io
import math
import socket
import threading
from datetime import date

import pikepdf
import pypdf
import pytest
import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from weasyprint.formatting_structure import boxes

from exchange import pdf
from exchange.pdf import ResourceRefused, join_pdfs, portal_url_fetcher, qr_svg, render_pdf
from tests.exchange.helpers import VERIFY_URL, certificate_html
from tests.helpers import pdf_text, squeeze


def embedded_font_names(data: bytes) -> set[str]:
    """FontDescriptor /FontName of every font on every page, without the subset tag."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            for descendant in font.get_object()["/DescendantFonts"]:
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                names.add(str(descriptor["/FontName"]).split("+", 1)[1])
    return names


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#1f5fbf").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return default_storage


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks for, in order, whether served or refused."""
    urls = []
    real = pdf.portal_url_fetcher

    def recording(url, *args, **kwargs):
        urls.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(pdf, "portal_url_fetcher", recording)
    return urls


class Listener:
    """A real TCP server on loopback that counts the connections it is offered."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self):
        self.socket.close()
        self._thread.join(timeout=5)


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


# --- Names in every script -------------------------------------------------------------


@pytest.mark.parametrize(
    ("native", "latin", "languages"),
    [
        ("김민지", "Kim Minji", ["ko", "zh-hans"]),
        ("王晓雨", "Wang Xiaoyu", ["zh-hans", "ko"]),
        ("田中結衣", "Tanaka Yui", ["ja", "ko"]),
        ("さくら", "Sakura", ["ja", "en"]),
        ("Nguyễn Thị Lan", "Nguyen Thi Lan", ["vi", "ko"]),
        ("Trần Văn Minh", "Tran Van Minh", ["vi", "en"]),
    ],
)
def test_certificate_text_contains_native_name_in_every_script(native, latin, languages):
    data = render_pdf(
        certificate_html(holder_native=native, holder_latin=latin, languages=languages)
    )
    text = pdf_text(data)
    assert (squeeze(native) in text, squeeze(latin) in text) == (True, True)


def test_certificate_fonts_are_noto_for_korean_and_chinese():
    data = render_pdf(certificate_html(languages=["ko", "zh-hans"]))
    assert embedded_font_names(data) == {
        "Noto-Sans-CJK-KR",
        "Noto-Sans-CJK-KR-Bold",
        "Noto-Sans-CJK-SC",
        "Noto-Sans-CJK-SC-Bold",
    }


def test_certificate_fonts_are_noto_for_japanese_and_vietnamese():
    data = render_pdf(
        certificate_html(
            holder_native="田中さくら", holder_latin="Tanaka Sakura", languages=["ja", "vi"]
        )
    )
    # The Vietnamese half inherits the page's Japanese font: every CJK variant carries the
    # same Latin letters, Vietnamese ones included, and one font less is faster to embed.
    assert embedded_font_names(data) == {"Noto-Sans-CJK-JP", "Noto-Sans-CJK-JP-Bold"}


def test_certificate_text_is_in_both_languages():
    data = render_pdf(certificate_html(languages=["ko", "zh-hans"]))
    text = pdf_text(data)
    # Dates follow each language's format: proof each half ran in its own language block.
    assert ("2026년7월20일" in text, "2026年7月20日" in text) == (True, True)


# --- The page and batches --------------------------------------------------------------


def test_certificate_page_is_a4_landscape():
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(certificate_html())))
    box = reader.pages[0].mediabox
    assert (len(reader.pages), round(float(box.width)), round(float(box.height))) == (1, 842, 595)


def test_certificate_with_very_long_name_stays_one_page():
    data = render_pdf(certificate_html(holder_native="김" * 400, program_title="Camp " * 200))
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1


def clipped_lines(html: str) -> list[str]:
    """The text of every laid-out line that ends below the bottom of a box clipping it
    (`overflow: hidden`): text a reader of the printed page would find cut off."""
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=pdf.PortalURLFetcher())
    found = []

    def text(box) -> str:
        if isinstance(box, boxes.TextBox):
            return box.text
        return "".join(text(child) for child in getattr(box, "children", ()))

    def walk(box, bottom: float) -> None:
        if box.style["overflow"] == "hidden":  # clipped at the padding box's bottom
            padding_bottom = (
                box.position_y + box.margin_height() - box.margin_bottom - box.border_bottom_width
            )
            bottom = min(bottom, padding_bottom)
        if isinstance(box, boxes.LineBox):
            if box.position_y + box.height > bottom + 0.01:
                found.append(text(box))
            return
        for child in getattr(box, "children", ()):
            walk(child, bottom)

    for page in document.render().pages:
        walk(page._page_box, math.inf)
    return found


@pytest.mark.parametrize(
    "title",
    [
        "Spring Youth Culture Week: Gwangju, Zibo and Ha Long",
        "Toechon Tomato Festival Youth Crew and Ceramics Workshop: Gwangju ⇄ Ha Long ⇄ Zibo 2026",
        "Youth Exchange Program Between the Partner Cities of Gyeonggi Province, Zibo, Ha Long, "
        "Milpitas and Kyoto",
    ],
    ids=["54", "87", "104"],
)
@pytest.mark.parametrize(
    "languages",
    [["ko", "vi"], ["vi", "ko"], ["ko", "zh-hans"], ["zh-hans", "ko"], ["ja", "ko"], ["vi", "en"]],
    ids="+".join,
)
def test_certificate_text_is_never_cut_off_for_three_cities_and_a_long_title(title, languages):
    # Vietnamese dates and sentences are the longest: the demo's first certificate lost its
    # issue date to the clipping box before the text columns grew.
    html = certificate_html(
        program_title=title,
        languages=languages,
        cities=["광주시 Gwangju (Gyeonggi)", "Hạ Long Ha Long", "淄博市 Zibo"],
        starts_on=date(2026, 10, 4),
        ends_on=date(2026, 10, 10),
        issued_on=date(2026, 10, 13),
        signatory_name="정수진 Jung Sujin, International Exchange Team, Gwangju City",
    )
    assert clipped_lines(html) == []


def test_clipped_lines_finds_an_absurd_name_cut_off():
    # The check above can see clipping: a 400-character name is cut, and stays one page.
    lines = clipped_lines(certificate_html(holder_native="김" * 400))
    assert (len(lines), set("".join(lines).removesuffix(" Kim Minji"))) == (7, {"김"})


def test_join_pdfs_has_each_documents_page_in_order_with_its_own_text_and_title():
    serials = [f"GJ-2026-{number:06d}" for number in range(1, 6)]
    singles = [render_pdf(certificate_html(serial=serial)) for serial in serials]
    out = io.BytesIO()
    pages = join_pdfs(singles, out, title="광주–淄博 Camp")
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    found = [
        next(serial for serial in serials if serial in page.extract_text()) for page in reader.pages
    ]
    single_texts = [pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text() for data in singles]
    assert (
        pages,
        found,
        [page.extract_text() for page in reader.pages],
        reader.metadata.title,
    ) == (
        5,
        serials,
        single_texts,
        "광주–淄博 Camp",
    )


def test_join_pdfs_with_no_documents_raises_and_writes_nothing():
    out = io.BytesIO()
    with pytest.raises(ValueError) as caught:
        join_pdfs([], out)
    assert (str(caught.value), out.getvalue()) == ("join_pdfs needs at least one document.", b"")


def test_join_pdfs_refuses_a_broken_document():
    out = io.BytesIO()
    with pytest.raises(pikepdf.PdfError):
        join_pdfs([render_pdf(certificate_html()), b"%PDF-1.7 not really"], out)
    assert out.getvalue() == b""


def test_render_pdf_stylesheets_argument_goes_through_fetcher(fetched):
    data = render_pdf("<p>x</p>", stylesheets=["static:css/certificate.css"])
    box = pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (fetched, round(float(box.width))) == (["static:css/certificate.css"], 842)


def test_qr_svg_is_inline_svg_without_the_url_as_text():
    svg = qr_svg(VERIFY_URL)
    assert (svg.startswith("<svg "), svg.endswith("</svg>"), VERIFY_URL in svg) == (
        True,
        True,
        False,
    )


def test_qr_svg_of_a_hostile_url_holds_none_of_its_characters():
    """qr_svg is marked safe: that holds only if no character of the URL reaches the markup."""
    svg = qr_svg('https://x.example/<script>alert("x")</script>&lt;')

    assert [part in svg for part in ("<script", "alert", "x.example", "&lt;", '"x"')] == [False] * 5
    assert svg.count("<svg ") == 1


# --- The fetcher -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://evil.example/x.css",
        "file:///etc/passwd",
        "ftp://evil.example/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "gopher://evil.example/",
        "javascript:alert(1)",
    ],
)
def test_portal_url_fetcher_refuses_scheme(url):
    with pytest.raises(ResourceRefused) as caught:
        portal_url_fetcher(url)
    assert str(caught.value) == f"URL scheme not allowed: {url}"


def test_portal_url_fetcher_refuses_relative_url():
    with pytest.raises(ResourceRefused) as caught:
        portal_url_fetcher("css/certificate.css")
    assert str(caught.value) == "Relative URL with no scheme: css/certificate.css"


@pytest.mark.parametrize(
    "url",
    [
        "static:../../exchange/settings.py",
        "static:css/../../exchange/settings.py",
        "static:%2e%2e/exchange/settings.py",
        "static:/etc/passwd",
        "static://etc/passwd",
        "static:css//certificate.css",
        "static:css\\..\\x.css",
        "storage:../x.png",
        "storage:emblems/../../x.png",
        "storage:/etc/x.png",
        "storage:",
    ],
)
def test_portal_url_fetcher_refuses_path_outside_folder(url):
    with pytest.raises(ResourceRefused) as caught:
        portal_url_fetcher(url)
    assert str(caught.value) == f"Path outside the allowed folder: {url}"


def test_portal_url_fetcher_serves_static_css():
    response = portal_url_fetcher("static:css/certificate.css")
    with open("static/css/certificate.css", "rb") as file:
        expected = file.read()
    assert (response.read(), response.content_type) == (expected, "text/css")


def test_portal_url_fetcher_refuses_missing_static_file():
    with pytest.raises(ResourceRefused) as caught:
        portal_url_fetcher("static:css/missing.css")
    assert str(caught.value) == "No such static file: static:css/missing.css"


def test_portal_url_fetcher_serves_storage_image(storage):
    name = storage.save("emblems/gwangju.png", ContentFile(png_bytes()))
    response = portal_url_fetcher(f"storage:{name}")
    assert (response.read(), response.content_type) == (png_bytes(), "image/png")


def test_portal_url_fetcher_refuses_storage_file_that_is_not_an_image(storage):
    storage.save("consents/guardian.pdf", ContentFile(b"%PDF-1.7"))
    with pytest.raises(ResourceRefused) as caught:
        portal_url_fetcher("storage:consents/guardian.pdf")
    assert (
        str(caught.value) == "Only images may be read from storage: storage:consents/guardian.pdf"
    )


def test_portal_url_fetcher_refuses_missing_storage_image(storage):
    with pytest.raises(ResourceRefused) as caught:
        portal_url_fetcher("storage:emblems/missing.png")
    assert str(caught.value) == "No such stored file: storage:emblems/missing.png"


def test_certificate_embeds_emblem_and_signature_from_storage(storage, fetched):
    storage.save("emblems/gwangju.png", ContentFile(png_bytes()))
    storage.save("signatures/park.png", ContentFile(png_bytes()))
    data = render_pdf(
        certificate_html(
            emblem_url="storage:emblems/gwangju.png", signature_url="storage:signatures/park.png"
        )
    )
    images = [image.name for image in pypdf.PdfReader(io.BytesIO(data)).pages[0].images]
    assert (fetched, len(images)) == (
        [
            "static:css/certificate.css",
            "storage:emblems/gwangju.png",
            "storage:signatures/park.png",
        ],
        2,
    )


# --- Hostile input ---------------------------------------------------------------------


def hostile_name(port: int) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/x">'
        '<link rel=stylesheet href="file:///etc/passwd">https://evil.example/'
    )


def test_certificate_hostile_name_is_text_and_fetches_nothing(fetched, listener):
    name = hostile_name(listener.port)
    data = render_pdf(
        certificate_html(
            holder_native=name,
            holder_latin=name,
            program_title=name,
            cities=[name],
            signatory_name=name,
            serial=name,
            verify_url=name,
        )
    )
    listener.close()
    assert (fetched, listener.connections, squeeze(name) in pdf_text(data)) == (
        ["static:css/certificate.css"],
        0,
        True,
    )


def test_unescaped_hostile_markup_is_refused_by_the_fetcher(fetched, listener):
    """The second line of defence: markup that did reach WeasyPrint still fetches nothing."""
    url = f"http://127.0.0.1:{listener.port}/x"
    render_pdf(
        f'<link rel=stylesheet href="file:///etc/passwd"><img src="{url}">'
        f'<p style="background: url({url}/bg)">x</p><img src="x.png">'
    )
    listener.close()
    assert (fetched, listener.connections) == (
        ["file:///etc/passwd", url, f"{url}/bg"],
        0,
    )


def test_listener_sees_weasyprint_default_fetcher_connect(listener):
    """Control: without our fetcher the same markup does reach the listener, so a zero above
    means nothing connected, not that the listener could not tell."""
    url = f"http://127.0.0.1:{listener.port}/x"
    weasyprint.HTML(
        string=f'<img src="{url}">', url_fetcher=weasyprint.URLFetcher(timeout=2)
    ).write_pdf()
    listener.close()
    assert listener.connections == 1
