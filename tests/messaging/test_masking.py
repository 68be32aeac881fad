"""Contact details in chat messages are masked; everything else comes back byte for byte."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.masking import MASK, Masked, mask_contacts

EMAILS = [
    ("minji@gmail.com", MASK),
    ("email me: minji.kim+exchange@naver.co.kr.", f"email me: {MASK}."),
    ("minji (at) gmail (dot) com", MASK),
    ("minji[at]naver.com", MASK),
    ("minji {AT} naver [dot] com 로 보내줘", f"{MASK} 로 보내줘"),
    ("minji＠gmail．com", MASK),
    ("minji @ daum . net", MASK),
    ("minji at gmail dot com", MASK),
    ("write to minji at gmail.com please", f"write to {MASK} please"),
    ("minji 골뱅이 naver 점 com", MASK),
    ("메일은 minji@naver.com 이야", f"메일은 {MASK} 이야"),
    ("我的邮箱是 lihua@qq.com。", f"我的邮箱是 {MASK}。"),
    ("lihua＠qq。com", MASK),
]

PHONES = [
    ("010-1234-5678", MASK),
    ("01012345678", MASK),
    ("010 1234 5678", MASK),
    ("010.1234.5678", MASK),
    ("+82 10-1234-5678", MASK),
    ("+821012345678", MASK),
    ("138 0013 8000", MASK),
    ("13800138000", MASK),
    ("+86 138-0013-8000", MASK),
    ("0912 345 678", MASK),
    ("+84 912 345 678", MASK),
    ("090-1234-5678", MASK),
    ("+81 90 1234 5678", MASK),
    ("(408) 555-1234", MASK),
    ("408-555-1234", MASK),
    ("+1 408 555 1234", MASK),
    ("０１０－１２３４－５６７８", MASK),
    ("090ー1234ー5678", MASK),
    ("0 1 0 - 1 2 3 4 - 5 6 7 8", MASK),
    ("02-123-4567", MASK),
    ("제 번호는 010-1234-5678이에요. 문자 주세요!", f"제 번호는 {MASK}이에요. 문자 주세요!"),
    ("我的手机号是13800138000，晚上打给我", f"我的手机号是{MASK}，晚上打给我"),
    ("Số của mình là 0912 345 678 nhé 😊", f"Số của mình là {MASK} nhé 😊"),
    ("電話は090-1234-5678です", f"電話は{MASK}です"),
    ("call me (408) 555-1234 after 3 pm", f"call me {MASK} after 3 pm"),
    ("2026-11-23 meet, then 010-1234-5678", f"2026-11-23 meet, then {MASK}"),
]

MESSENGER_IDS = [
    ("my kakao id is minji_0312", f"my kakao id is {MASK}"),
    ("my kakao id is minji", f"my kakao id is {MASK}"),
    ("KakaoTalk: minji.0312", f"KakaoTalk: {MASK}"),
    ("카톡 아이디 minji0312", f"카톡 아이디 {MASK}"),
    ("카톡으로 minji0312 추가해줘!", f"카톡으로 {MASK} 추가해줘!"),
    ("카카오톡 아이디는 minji_0312 이야", f"카카오톡 아이디는 {MASK} 이야"),
    ("微信: abc_123", f"微信: {MASK}"),
    ("我的微信号是abc_123，加我吧", f"我的微信号是{MASK}，加我吧"),
    ("加我微信：lihua2009", f"加我微信：{MASK}"),
    ("wx abc123", f"wx {MASK}"),
    ("vx: lihua_88", f"vx: {MASK}"),
    ("WeChat ID is lihua", f"WeChat ID is {MASK}"),
    ("위챗 lihua_88 로 연락해", f"위챗 {MASK} 로 연락해"),
    ("ig @minji.ker", f"ig {MASK}"),
    ("insta: minji.ker", f"insta: {MASK}"),
    ("인스타 minji.ker 팔로우해줘", f"인스타 {MASK} 팔로우해줘"),
    ("QQ 12345678", f"QQ {MASK}"),
    ("qq号 12345678", f"qq号 {MASK}"),
    ("zalo 0912345678", f"zalo {MASK}"),
    ("Zalo của mình là minhanh_99 nha", f"Zalo của mình là {MASK} nha"),
    ("Liên hệ zalo minh.anh99 nhé", f"Liên hệ zalo {MASK} nhé"),
    ("discord minji#1234", f"discord {MASK}"),
    ("LINEのIDはminji0312です", f"LINEのIDは{MASK}です"),
    ("ラインID: yuki_0312 追加してね", f"ラインID: {MASK} 追加してね"),
    ("라인 아이디 yuki0312", f"라인 아이디 {MASK}"),
    ("telegram @minji_k", f"telegram {MASK}"),
    ("텔레그램 minji_k", f"텔레그램 {MASK}"),
    ("tg: minji_k", f"tg: {MASK}"),
    ("WhatsApp 4085551234", f"WhatsApp {MASK}"),
    ("snap: minji.ker", f"snap: {MASK}"),
    ("fb minji.kim.12", f"fb {MASK}"),
    ("follow me @minji.ker!", f"follow me {MASK}!"),
]

URLS = [
    ("https://open.kakao.com/o/gAbc123", MASK),
    ("join https://t.me/minji_chat.", f"join {MASK}."),
    ("see www.example.com/page?x=1 ok", f"see {MASK} ok"),
    ("http://example.org", MASK),
    ("t.me/minji", MASK),
    ("open.kakao.com/o/gAbc", MASK),
    ("오픈채팅 open.kakao.com/o/gAbc 들어와", f"오픈채팅 {MASK} 들어와"),
    ("instagram.com/minji.ker", MASK),
    ("line.me/ti/p/abc", MASK),
    ("qr.kakao.com/talk/xyz", MASK),
    ("short link bit.ly/3xYz", f"short link {MASK}"),
    ("(see https://example.com/a)", f"(see {MASK})"),
]

INNOCENT = [
    "See you on 2026-11-23 at 16:00!",
    "2026.11.23-2026.11.30 일정이에요",
    "The trip is in 2026.",
    "Meet at 16:00 or 3 pm",
    "Tickets cost ₩15,000 each",
    "2026년 11월 23일 오후 3시에 만나요",
    "我们是第3组，10 people",
    "Phòng 12, tầng 3 nhé",
    "Tôi 16 tuổi, học lớp 10",
    "I'm 16 and my score was 4.5",
    "The answer is 12345",
    "Room 1203, 10 people",
    "scores 9.5 10.0 8.5",
    "안녕하세요! 만나서 반가워요 😀🎉",
    "こんにちは、よろしくお願いします。",
    "你好，很高兴认识你！",
    "Xin chào, rất vui được gặp bạn! Chúc ngủ ngon 🌙",
    "I love kakao friends",
    "we are online now",
    "Stand in line, please",
    "I use Node.js/React",
    "The Subject line: hello",
    "We meet at school. Then lunch.",
    "카톡 해도 돼?",
    "Snap a photo at 3 pm",
    "우리 라인 2호선 타자",
    "5 + 7 = 12",
    "call at 8:30",
    "Day 1 / Day 2 / Day 3",
]


def _check(text: str, expected: str, kind: str) -> None:
    result = mask_contacts(text)
    assert result.text == expected
    assert kind in result.kinds


@pytest.mark.parametrize(("text", "expected"), EMAILS)
def test_mask_contacts_email_masked(text, expected):
    _check(text, expected, "email")


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_mask_contacts_phone_masked(text, expected):
    _check(text, expected, "phone")


@pytest.mark.parametrize(("text", "expected"), MESSENGER_IDS)
def test_mask_contacts_messenger_id_masked_name_kept(text, expected):
    _check(text, expected, "messenger")


@pytest.mark.parametrize(("text", "expected"), URLS)
def test_mask_contacts_url_masked(text, expected):
    _check(text, expected, "url")


@pytest.mark.parametrize("text", INNOCENT)
def test_mask_contacts_innocent_message_unchanged(text):
    assert mask_contacts(text) == Masked(text=text, kinds=())


def test_mask_contacts_several_kinds_sorted_and_unique():
    result = mask_contacts(
        "카톡 minji_0312, 010-1234-5678, 또는 minji@naver.com / https://t.me/minji, 02-123-4567"
    )

    assert result.text == f"카톡 {MASK}, {MASK}, 또는 {MASK} / {MASK}, {MASK}"
    assert result.kinds == ("email", "messenger", "phone", "url")


def test_mask_contacts_empty_text_unchanged():
    assert mask_contacts("") == Masked(text="", kinds=())


def test_mask_contacts_decomposed_vietnamese_kept_byte_for_byte():
    # NFD input: detection composes it, the output must not.
    text = "Phòng 12 của mình".replace("ò", "o\u0300").replace("ủ", "u\u0309")

    assert mask_contacts(text).text == text


def test_mask_contacts_full_width_neighbours_kept():
    text = "ＡＢＣ　電話：０１０－１２３４－５６７８！"

    assert mask_contacts(text).text == f"ＡＢＣ　電話：{MASK}！"


@pytest.mark.parametrize(
    "text", [text for text, _expected in EMAILS + PHONES + MESSENGER_IDS + URLS]
)
def test_mask_contacts_masked_text_idempotent(text):
    once = mask_contacts(text)

    again = mask_contacts(once.text)

    assert again == Masked(text=once.text, kinds=())


SIMPLE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Arbitrary text, plus the pieces contact details are built from so they actually meet.
_PIECES = st.sampled_from(
    [
        "@",
        "＠",
        ".",
        "．",
        " ",
        "-",
        "at",
        "dot",
        "(at)",
        "gmail",
        "com",
        "kakao",
        "카톡",
        "微信",
        "id",
        "010",
        "1234",
        "5678",
        "+82",
        "https://",
        "t.me/",
        "www.",
        "minji_0312",
        "•",
        MASK,
    ]
)
_MESSAGES = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(_MESSAGES)
def test_mask_contacts_arbitrary_text_no_email_left_and_idempotent(text):
    once = mask_contacts(text)

    again = mask_contacts(once.text)

    assert SIMPLE_EMAIL.search(once.text) is None
    assert again == Masked(text=once.text, kinds=())
