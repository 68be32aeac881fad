"""Masks contact details (emails, phone numbers, messenger ids, outside links) in chat messages.

Many participants are minors: every way of moving a conversation off the portal is replaced by
MASK, so coordinators can still see that it was attempted. Detection runs on a normalised copy
(NFKC, so full-width ＠ ０１０ count), but only the masked spans of the original change.
"""

import re
import unicodedata
from dataclasses import dataclass

MASK = "•••"


@dataclass(frozen=True)
class Masked:
    text: str  # the message with every contact detail replaced by MASK
    kinds: tuple[str, ...]  # sorted, unique: "email", "messenger", "phone", "url"


# Emails -----------------------------------------------------------------------------------

# Kept as broad as the textbook pattern, so nothing that looks like an address survives. The
# look-behind only stops a retry at every letter of a long word (quadratic time).
EMAIL = re.compile(
    r"""
    (?<![A-Za-z0-9._%+\-]) [A-Za-z0-9._%+\-]+
    @ [A-Za-z0-9\-]+ (?: \.[A-Za-z0-9\-]+ )* \.[A-Za-z]{2,}
    """,
    re.VERBOSE,
)

# Spelled-out separators are ordinary words, so the obfuscated forms only count when they end
# in a real top-level domain; "me", "in", "us"... are left out because they end sentences.
_TLD = (
    r"(?i: com | net | org | edu | gov | co | kr | cn | jp | vn | io | info | biz | tw | hk | uk )"
)
_LOCAL = r"(?<![A-Za-z0-9._%+\-]) [A-Za-z0-9][A-Za-z0-9._%+\-]*"
_LABEL = r"[A-Za-z0-9] (?: [A-Za-z0-9\-]* [A-Za-z0-9] )?"
_AT_STRONG = r"\s* (?: @ | [(\[{<] \s* (?i:at) \s* [)\]}>] | 골뱅이 ) \s*"
_DOT_STRONG = (
    r"(?: \s* [(\[{<] \s* (?i:dot) \s* [)\]}>] \s* | \s+ (?i:dot) \s+ | \s* (?:닷|점) \s* )"
)

# minji @ daum . net, minji[at]naver.com, minji (at) gmail (dot) com
EMAIL_BRACKETED_AT = re.compile(
    rf"""
    {_LOCAL} {_AT_STRONG}
    {_LABEL} (?: (?: {_DOT_STRONG} | \s*\.\s* ) {_LABEL} )*?
    (?: {_DOT_STRONG} | \s*\.\s* ) {_TLD} (?![A-Za-z0-9])
    """,
    re.VERBOSE,
)

# minji at gmail dot com, minji at gmail.com: a bare "at" needs a tight or spelled-out dot,
# or "we meet at school. Com..." would be an address.
EMAIL_WORD_AT = re.compile(
    rf"""
    {_LOCAL} \s+ (?i:at) \s+
    {_LABEL} (?: (?: {_DOT_STRONG} | \. ) {_LABEL} )*?
    (?: {_DOT_STRONG} | \. ) {_TLD} (?![A-Za-z0-9])
    """,
    re.VERBOSE,
)

# Phone numbers ----------------------------------------------------------------------------

PHONE_MIN_DIGITS = 9

# Digit groups joined by at most one dash or dot (spaces around it allowed) or a few spaces;
# area codes may sit in parentheses. Dashes include the look-alikes people type on CJK
# keyboards (ー is what a Japanese IME gives for "-").
PHONE = re.compile(
    r"""
    (?<!\d)
    (?: \+ [ \t]? )?
    (?: \(\d+\) | \d+ )
    (?:
        (?: [ \t]* [\-.‐‑‒–—―−ー] [ \t]* | [ \t]{1,3} )?
        (?: \(\d+\) | \d+ )
    )*
    (?!\d)
    """,
    re.VERBOSE,
)

# Dates carry eight digits, so "2026-11-23 16:00" would otherwise read as ten in a row.
DATE = re.compile(
    r"""
    (?<!\d)
    (?: 19|20 ) \d\d ([\-./]) (?: 0?[1-9] | 1[0-2] ) \1 (?: 0?[1-9] | [12]\d | 3[01] )
    (?!\d)
    """,
    re.VERBOSE,
)

# Links ------------------------------------------------------------------------------------

_URL_CHAR = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"

URL_EXPLICIT = re.compile(rf"(?i: https?:// | www\. ) {_URL_CHAR}+", re.VERBOSE)

# Invite and profile links work without a scheme, so the hosts alone are enough.
URL_CONTACT_HOST = re.compile(
    rf"""
    (?<![A-Za-z0-9.\-@/])
    (?i:
        t\.me | wa\.me | m\.me | fb\.me | lin\.ee | line\.me | zalo\.me | discord\.gg
      | (?: open | qr | pf )\.kakao\.com | (?: www\. )? instagram\.com | facebook\.com
      | discord\.com | snapchat\.com | u\.wechat\.com | weixin\.qq\.com | tiktok\.com
    )
    (?: / {_URL_CHAR}* )?
    (?![A-Za-z0-9\-])
    """,
    re.VERBOSE,
)

# bit.ly/x and the like; the top-level domain list keeps "Node.js/React" out.
URL_BARE_WITH_PATH = re.compile(
    rf"""
    (?<![A-Za-z0-9.\-@/])
    (?: [A-Za-z0-9\-]+ \. )+ (?i: com | net | org | io | me | ly | gg | kr | cn | jp | vn | co
                              | app | link | to | tv | xyz | info | page | site )
    / {_URL_CHAR}*
    """,
    re.VERBOSE,
)

# Messenger ids ----------------------------------------------------------------------------

# Latin names must stand alone ("online" is not LINE); Korean particles follow CJK names
# directly ("카톡으로"), so those need no boundary.
MESSENGER_NAME = re.compile(
    r"""
    (?<![A-Za-z0-9])
    (?i:
        kakao \s? talk | kakao | katalk | we \s? chat | weixin | vx | wx | line | telegram | tg
      | instagram | insta | ig | zalo | whats \s? app | snapchat | snap | discord | qq
      | facebook | fb
    )
    (?![A-Za-z])
  | 카카오톡 | 카카오 | 카톡 | 위챗 | 라인 | 텔레그램 | 텔레 | 인스타그램 | 인스타 | 왓츠앱 | 잘로
  | 디스코드 | 스냅챗 | 페이스북 | 페북
  | 微信 | 电报 | 電報 | 脸书 | 臉書 | ライン | インスタ | カカオ
    """,
    re.VERBOSE,
)

# The id has to start this close to the messenger name.
MESSENGER_ID_WINDOW = 20

_LATIN_LETTER = r"A-Za-z0-9À-ɏḀ-ỿ"

# Walks what follows a messenger name: an ASCII id candidate, a word in another script
# (Korean particles, Chinese 是, Vietnamese "của mình là"), or a separator.
MESSENGER_TOKEN = re.compile(
    rf"""
      (?P<handle> (?<![{_LATIN_LETTER}]) @? [A-Za-z0-9][A-Za-z0-9._\-]* (?: \#\d{{4}} )?
                  (?![{_LATIN_LETTER}]) )
    | (?P<word> [A-Za-zÀ-ɏḀ-ỿ]* [À-ɏḀ-ỿ] [A-Za-zÀ-ɏḀ-ỿ]* | [^\W\d_A-Za-zÀ-ɏḀ-ỿ]+ )
    | (?P<gap> [\s:=,'"()\[\]{{}}<>\-–—→~·*!] )
    """,
    re.VERBOSE,
)

# Words people put between the messenger and the id; skipping them keeps the id in reach.
FILLER_WORDS = frozenset(
    {
        *("id", "is", "my", "me", "add", "at", "on", "via", "to", "here", "no", "la"),
        *("pls", "plz", "please", "name", "handle", "username", "user", "account", "acc"),
        *("nick", "number", "num"),
    }
)

# After one of these, a plain word ("kakao id is minji") is taken for an id too.
ID_MARKERS = ("id", "아이디", "계정", "号", "號", "账", "帳", "handle", "username", "user", "nick")

# Bare mentions in the style of Instagram or Telegram; emails are excluded by the look-behind.
SOCIAL_HANDLE = re.compile(
    r"""
    (?<![A-Za-z0-9._%+\-@])
    @ [A-Za-z0-9_] [A-Za-z0-9_.]{1,29} [A-Za-z0-9_]
    """,
    re.VERBOSE,
)

# Detection ---------------------------------------------------------------------------------

# NFKC keeps the ideographic full stop, which people use in place of the dot in an address.
_DETECTION_EXTRA = str.maketrans({"。": ".", "｡": "."})

_TRAILING_URL_PUNCTUATION = ".,;:!?'\""


def _normalise(text: str) -> tuple[str, list[int]]:
    """The detection copy, and for each of its characters the index it came from in text."""
    parts = []
    origin = []
    for index, char in enumerate(text):
        normal = unicodedata.normalize("NFKC", char).translate(_DETECTION_EXTRA)
        parts.append(normal)
        origin.extend([index] * len(normal))
    return "".join(parts), origin


def _trim_url(start: int, end: int, text: str) -> tuple[int, int]:
    # A sentence ends after the link, and a link is often put in parentheses.
    while end > start:
        last = text[end - 1]
        unbalanced = last == ")" and text.count("(", start, end) < text.count(")", start, end)
        if last not in _TRAILING_URL_PUNCTUATION and not unbalanced:
            break
        end -= 1
    return start, end


def _phones(normal: str):
    without_dates = DATE.sub(lambda m: "#" * len(m.group()), normal)
    for match in PHONE.finditer(without_dates):
        if sum(char.isdigit() for char in match.group()) >= PHONE_MIN_DIGITS:
            yield match.start(), match.end()


def _looks_like_id(token: str, after_marker: bool) -> bool:
    core = token.removeprefix("@")
    if token.startswith("@"):
        return len(core) >= 3
    if core.isdigit():
        # QQ numbers start at five digits; shorter ones are ages, rooms and times.
        return len(core) >= 5
    if any(char.isdigit() or char in "_.#" for char in core):
        return len(core) >= 4
    return after_marker and len(core) >= 3


def _messenger_ids(normal: str):
    for name in MESSENGER_NAME.finditer(normal):
        after_marker = False
        position = name.end()
        # Anything the tokens do not cover (an emoji, a MASK, end of sentence) ends the search.
        while (token := MESSENGER_TOKEN.match(normal, position)) and token.end() > position:
            if token.start() > name.end() + MESSENGER_ID_WINDOW:
                break
            position = token.end()
            if token.group("gap"):
                continue
            word = (token.group("handle") or token.group("word") or "").rstrip(".-")
            lowered = word.casefold()
            if any(marker in lowered for marker in ID_MARKERS):
                after_marker = True
            if token.group("word") and not word.isascii():
                continue
            if lowered in FILLER_WORDS:
                continue
            if token.group("handle") and _looks_like_id(word, after_marker):
                yield token.start(), token.start() + len(word)
            break


def _spans(normal: str) -> list[tuple[int, int, str]]:
    found = []
    for pattern in (EMAIL, EMAIL_BRACKETED_AT, EMAIL_WORD_AT):
        found += [(m.start(), m.end(), "email") for m in pattern.finditer(normal)]
    found += [(start, end, "phone") for start, end in _phones(normal)]
    for pattern in (URL_EXPLICIT, URL_CONTACT_HOST, URL_BARE_WITH_PATH):
        for m in pattern.finditer(normal):
            start, end = _trim_url(m.start(), m.end(), normal)
            if end > start:
                found.append((start, end, "url"))
    found += [(start, end, "messenger") for start, end in _messenger_ids(normal)]
    found += [(m.start(), m.end(), "messenger") for m in SOCIAL_HANDLE.finditer(normal)]
    return found


def _mask_once(text: str) -> tuple[str, set[str]]:
    normal, origin = _normalise(text)
    spans = sorted(
        (origin[start], origin[end - 1] + 1, kind)
        for start, end, kind in _spans(normal)
        if end > start
    )
    merged: list[list[int]] = []
    for start, end, _kind in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces = []
    cursor = 0
    for start, end in merged:
        pieces += [text[cursor:start], MASK]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), {kind for _start, _end, kind in spans}


def mask_contacts(text: str) -> Masked:
    """Replace every contact detail in text by MASK; kinds names what was found."""
    kinds: set[str] = set()
    # A mask changes what surrounds it, so repeat until a pass finds nothing: that makes the
    # result a fixed point (masking it again changes nothing). Every pass that finds something
    # replaces characters that are not MASK, so the loop ends.
    while True:
        text, found = _mask_once(text)
        if not found:
            return Masked(text=text, kinds=tuple(sorted(kinds)))
        kinds |= found
