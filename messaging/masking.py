"""Masks contact details (emails, phone numbers, messenger ids, outside links) in chat messages.

Many participants are minors: every way of moving a conversation off the portal is replaced by
MASK, so coordinators can still see that it was attempted. Detection runs on a normalised copy
of the message (docs/decisions.md, "Masking that can't be slipped past"):

1. NFKC per character (with its combining marks), so full-width ＠ ０１０ count; format
   characters (category Cf: zero-width spaces, joiners, direction marks) and other invisible
   fillers are dropped;
2. defanged links and addresses read as they are meant: hxxp, [.], (.), [at], " dot ";
3. letters spaced out one by one joined (m i n j i → minji);
4. look-alike letters inside digit runs folded (01O → 010, l/I → 1);
5. digits spelled out in English, Korean, Chinese, Japanese and Vietnamese read as digits
   (zero one zero, 공일공, 一三八, ぜろきゅーぜろ, không chín), only where enough of them stand
   together to make a number, so 일요일, 一起 and "one of them" stay words.

Every step keeps, for each character of the copy, the span of the original it came from; only
those spans of the original change, so everything else comes back byte for byte. The portal's
own links (SITE_URL) are not contact details and stay.
"""

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

MASK = "•••"


@dataclass(frozen=True)
class Masked:
    text: str  # the message with every contact detail replaced by MASK
    kinds: tuple[str, ...]  # sorted, unique: "email", "messenger", "phone", "url"


# Normalisation ------------------------------------------------------------------------------


class _Copy:
    """The detection copy: its text, and one layer for each rewrite that changed something,
    which lists what it replaced. Positions are mapped back to the original only for the spans
    found, so a rewrite costs what its matches cost, not a copy of a per-character map."""

    __slots__ = ("layers", "text")

    def __init__(self, text: str, layers: tuple = ()):
        self.text, self.layers = text, layers

    def rewrite(self, pattern: re.Pattern, replace) -> "_Copy":
        """Each match of pattern replaced by replace(match) (None keeps it)."""
        text = self.text
        pieces: list[str] = []
        # (start in the new text, end in the new text, start in the old, end in the old)
        replaced: list[tuple[int, int, int, int]] = []
        cursor = 0
        written = 0
        for match in pattern.finditer(text):
            replacement = replace(match)
            if replacement is None:
                continue
            start, end = match.span()
            pieces += [text[cursor:start], replacement]
            written += start - cursor
            replaced.append((written, written + len(replacement), start, end))
            written += len(replacement)
            cursor = end
        if not replaced:
            return self
        pieces.append(text[cursor:])
        starts = [new_start for new_start, _, _, _ in replaced]
        return _Copy("".join(pieces), (*self.layers, (starts, replaced)))

    def origin(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that [start, end) of this copy came from. A
        replacement of the same length maps character for character; any other maps as a
        whole (zero one zero → 010 comes from all of "zero one zero")."""
        last = end - 1
        for starts, replaced in reversed(self.layers):
            start = _back(starts, replaced, start, first=True)
            last = _back(starts, replaced, last, first=False)
        return start, last + 1


def _back(starts: list[int], replaced: list, position: int, *, first: bool) -> int:
    index = bisect_right(starts, position) - 1
    if index < 0:
        return position  # before anything was replaced
    new_start, new_end, old_start, old_end = replaced[index]
    if position >= new_end:
        return position - new_end + old_end  # after it: shifted by what it changed
    if new_end - new_start == old_end - old_start:
        return old_start + position - new_start
    return old_start if first else old_end - 1


# Invisible in a chat bubble but not format characters: combining grapheme joiner, Hangul
# fillers, braille blank, variation selectors, Mongolian free variation selectors.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800\u180b\u180c\u180d\u180f") | {
    chr(code) for code in range(0xFE00, 0xFE10)
}

# NFKC keeps the ideographic full stop, which people use in place of the dot in an address,
# and the fancy dashes and at signs of CJK keyboards.
_DETECTION_EXTRA = str.maketrans({"。": ".", "｡": ".", "․": ".", "﹫": "@"})


def _char_class(codes: list[int]) -> str:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )


def _irregular_characters() -> re.Pattern:
    """A character with its combining marks, or one that NFKC changes, that is a format
    character or that is invisible; everything else is copied as it is. Worked out once from
    this Python's Unicode data (about 0.1 s), so the common text is never looked at one
    character at a time."""
    changes: list[int] = []
    marks: list[int] = []
    planes = [(0, 0x10000), (0x11000, 0x11100), (0x13430, 0x13440), (0x1BCA0, 0x1BCA4)]
    planes += [(0x1D100, 0x1D800), (0x1E900, 0x1EF00), (0x1F100, 0x1F200), (0x1FBF0, 0x1FC00)]
    planes += [(0x2F800, 0x2FA20), (0xE0000, 0xE0200)]
    for low, high in planes:
        for code in range(low, high):
            char = chr(code)
            if unicodedata.combining(char):
                marks.append(code)
            elif (
                char in _INVISIBLE
                or unicodedata.category(char) == "Cf"
                or unicodedata.normalize("NFKC", char).translate(_DETECTION_EXTRA) != char
            ):
                changes.append(code)
    return re.compile(rf"(?s:.)[{_char_class(marks)}]+|[{_char_class(changes + marks)}]")


IRREGULAR = _irregular_characters()


def _clean(cluster: str) -> str:
    normal = unicodedata.normalize("NFKC", cluster).translate(_DETECTION_EXTRA)
    return "".join(
        char for char in normal if char not in _INVISIBLE and unicodedata.category(char) != "Cf"
    )


def _characters(text: str) -> _Copy:
    copy = _Copy(text)
    if text.isascii():
        return copy  # the common case: nothing to compose or drop
    return copy.rewrite(IRREGULAR, lambda match: _clean(match.group()))


# hxxps://, h**p://, bit[.]ly, minji[at]gmail, example(dot)com, example [dot] com
DEFANGED = re.compile(
    r"""
    (?P<scheme> \b (?i: h (?: xx | \*\* | tt ) p (?P<s> s? ) )
                \s? (?: \[ : \] | : ) \s? (?: // | \[ // \] ) )
  | (?P<dot> \s* [\[({<] \s* (?: \. | (?i: dot ) ) \s* [\])}>] \s* )
  | (?P<at> \s* [\[({<] \s* (?: @ | (?i: at ) ) \s* [\])}>] \s* )
  | (?P<colon> \[ : \] )
  | (?P<spoken> (?<= [A-Za-z0-9] ) [ \t]+ (?i: dot ) [ \t]+ (?= [A-Za-z0-9] ) )
    """,
    re.VERBOSE,
)


def _undefang(match: re.Match) -> str:
    if match.group("scheme"):
        return f"http{match.group('s')}://"
    if match.group("dot") is not None or match.group("spoken") is not None:
        return "."
    if match.group("at") is not None:
        return "@"
    return ":"


# Four or more single characters, each standing alone between one or two spaces: m i n j i.
_SPACED = r"[A-Za-z0-9@._\-+:/()\[\]{}]"
SPACED_OUT = re.compile(
    rf"(?<![A-Za-zÀ-ɏḀ-ỿ0-9@._\-+:/()\[\]{{}}])(?:{_SPACED}[ \t]{{1,2}}){{3,}}{_SPACED}"
    r"(?![A-Za-z0-9])"
)
# Spelled-out separators inside a spaced-out address: e m i l y a t 1 6 3 . c o m.
SPACED_AT = re.compile(
    r"(?<=[A-Za-z0-9])at(?=[A-Za-z0-9\-]+(?:\.|dot|[\[(](?:\.|dot)[\])])[A-Za-z]{2,})"
)
SPACED_DOT = re.compile(r"(?<=[A-Za-z0-9])dot(?=[A-Za-z]{2,}$)")


def _join_spaced(match: re.Match) -> str:
    joined = re.sub(r"[ \t]", "", match.group())
    if "@" not in joined and not re.search(r"[(\[{<]at[)\]}>]", joined):
        joined = SPACED_AT.sub("@", joined, count=1)
    return SPACED_DOT.sub(".", joined)


# A token of digits and the letters that pass for them: 01O, l0l0, 0I0; one of the letters
# alone (OlO, Io) only right beside digits, where it is part of a number.
CONFUSABLE_RUN = re.compile(r"(?<![A-Za-z0-9])[0-9OoIl|]+(?![A-Za-z0-9])")
_FOLD = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
NEAR_DIGIT_BEFORE = re.compile(r"\d[OoIl|]*[\s\-.()]{0,3}$")
NEAR_DIGIT_AFTER = re.compile(r"[\s\-.()]{0,3}[OoIl|]*\d")


def _fold_confusables(match: re.Match) -> str | None:
    token = match.group()
    if token.isdigit():
        return None
    if not any(char.isdigit() for char in token):
        text = match.string
        before = NEAR_DIGIT_BEFORE.search(text, max(0, match.start() - 12), match.start())
        if before is None and not NEAR_DIGIT_AFTER.match(text, match.end()):
            return None
    return token.translate(_FOLD)


# Spelled-out digits. A word is read as a digit only inside a run of such words long enough
# to be part of a number; a lone 일, 一 or "one" stays a word.
_ENGLISH = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_VIETNAMESE = {
    "không": "0",
    "khong": "0",
    "linh": "0",
    "một": "1",
    "mốt": "1",
    "mot": "1",
    "hai": "2",
    "ba": "3",
    "bốn": "4",
    "bon": "4",
    "tư": "4",
    "năm": "5",
    "nam": "5",
    "lăm": "5",
    "sáu": "6",
    "sau": "6",
    "bảy": "7",
    "bẩy": "7",
    "bay": "7",
    "tám": "8",
    "tam": "8",
    "chín": "9",
    "chin": "9",
}
_LATIN_WORDS = {**_ENGLISH, **_VIETNAMESE}
_LATIN_LETTERS = r"A-Za-zÀ-ɏḀ-ỿ"
_LATIN_ALTERNATIVES = "|".join(sorted(_LATIN_WORDS, key=len, reverse=True))
# A word, or several glued together (zero\u200bone\u200bzero reads zeroonezero).
_LATIN_WORD = rf"(?<![{_LATIN_LETTERS}])(?i:{_LATIN_ALTERNATIVES})+(?![{_LATIN_LETTERS}])"
LATIN_NUMBER_WORD = re.compile(rf"(?i:{_LATIN_ALTERNATIVES})")
# Number words with digits and a few separators between them: zero one zero 1234 5678.
LATIN_NUMBER_RUN = re.compile(
    rf"(?:\d+[\s\-.,]{{0,3}})?{_LATIN_WORD}(?:[\s\-.,]{{0,3}}(?:\d+|{_LATIN_WORD}))*"
)
LATIN_RUN_PART = re.compile(rf"(?P<word>{_LATIN_WORD})|(?P<digits>\d+)")

_HANGUL_DIGITS = {
    "공": "0",
    "영": "0",
    "빵": "0",
    "일": "1",
    "이": "2",
    "삼": "3",
    "사": "4",
    "오": "5",
    "육": "6",
    "륙": "6",
    "칠": "7",
    "팔": "8",
    "구": "9",
    "하나": "1",
    "둘": "2",
    "셋": "3",
    "넷": "4",
    "다섯": "5",
    "여섯": "6",
    "일곱": "7",
    "여덟": "8",
    "아홉": "9",
}
_HANGUL_DIGIT = "|".join(sorted(_HANGUL_DIGITS, key=len, reverse=True))
HANGUL_WORD = re.compile(r"[가-힣]+")
# A whole Hangul word of digit syllables, with at most a particle after it (공일공이야).
HANGUL_NUMBER = re.compile(
    rf"(?P<digits>(?:{_HANGUL_DIGIT})+?)(?P<particle>이에요|예요|이야|입니다|이요|에|로|은|는|야|요)?"
)
HANGUL_PIECE = re.compile(_HANGUL_DIGIT)
_SYLLABLES = "".join(key for key in _HANGUL_DIGITS if len(key) == 1)
LONE_SYLLABLE_BEFORE = re.compile(rf"(?<![가-힣])[{_SYLLABLES}][ \t]$")
LONE_SYLLABLE_AFTER = re.compile(rf"[ \t][{_SYLLABLES}](?![가-힣])")

_HAN_DIGITS = str.maketrans(
    {
        "〇": "0",
        "零": "0",
        "洞": "0",
        "一": "1",
        "幺": "1",
        "壹": "1",
        "二": "2",
        "两": "2",
        "兩": "2",
        "贰": "2",
        "三": "3",
        "叁": "3",
        "四": "4",
        "肆": "4",
        "五": "5",
        "伍": "5",
        "六": "6",
        "陆": "6",
        "陸": "6",
        "七": "7",
        "柒": "7",
        "拐": "7",
        "八": "8",
        "捌": "8",
        "九": "9",
        "玖": "9",
        "勾": "9",
    }
)
_HAN = "[〇零洞一幺壹二两兩贰三叁四肆五伍六陆陸七柒拐八捌九玖勾]"
# Two or more together, or one beside a digit: 一三八, 138零0138000; a lone 一 is a word (一起).
HAN_NUMBER = re.compile(rf"{_HAN}(?:[ \t\-]?{_HAN})+|(?<=\d){_HAN}|{_HAN}(?=\d)")
HAN_SPACES = re.compile(r"[ \t]")

_KANA_DIGITS = {}
for _digit, _readings in {
    "0": "ぜろ ゼロ れい レイ まる マル",
    "1": "いち イチ",
    "2": "にー ニー に ニ",
    "3": "さん サン",
    "4": "よん ヨン し シ",
    "5": "ごー ゴー ご ゴ",
    "6": "ろく ロク",
    "7": "なな ナナ しち シチ",
    "8": "はち ハチ",
    "9": "きゅう キュウ きゅー キュー く ク",
}.items():
    _KANA_DIGITS.update(dict.fromkeys(_readings.split(), _digit))
_KANA_DIGIT = "|".join(sorted(_KANA_DIGITS, key=len, reverse=True))
# Three or more readings in a row (spaces or 、 between them allowed); a lone に or し is a
# particle, いちばん and にほん are words.
KANA_NUMBER = re.compile(rf"(?:{_KANA_DIGIT})(?:[\s、・\-]?(?:{_KANA_DIGIT})){{2,}}")
KANA_PIECE = re.compile(_KANA_DIGIT)
# Spoken Japanese numbers put の between the groups: ゼロキュウゼロの…
NO_BETWEEN_DIGITS = re.compile(r"(?<=\d)の(?=\d)")


def _read_latin_numbers(match: re.Match) -> str | None:
    groups: list[str] = []
    words = 0
    with_digits = False
    previous_word = False
    for part in LATIN_RUN_PART.finditer(match.group()):
        if part.group("word"):
            pieces = LATIN_NUMBER_WORD.findall(part.group())
            words += len(pieces)
            digits = "".join(_LATIN_WORDS[piece.lower()] for piece in pieces)
            if previous_word:
                groups[-1] += digits  # zero one zero: one group, whatever stood between
            else:
                groups.append(digits)
            previous_word = True
        else:
            groups.append(part.group())
            with_digits = True
            previous_word = False
    # Fewer than three words and no digits beside them are words: "one of them", "hai người".
    return " ".join(groups) if words >= 3 or (words and with_digits) else None


def _read_hangul(match: re.Match) -> str | None:
    word = match.group()
    number = HANGUL_NUMBER.fullmatch(word)
    if number is None:
        return None
    digits = number.group("digits")
    # One syllable is a word (이야, 23일, 오 진짜?) unless it stands among others spelled
    # one by one: 공 일 공 일 이 삼 사.
    if len(digits) == 1:
        text, start, end = match.string, match.start(), match.end()
        if number.group("particle") or not (
            LONE_SYLLABLE_BEFORE.search(text, max(0, start - 3), start)
            or LONE_SYLLABLE_AFTER.match(text, end)
        ):
            return None
    # The particle goes (공일공에 1234 → 010 1234): it would split the number.
    read = HANGUL_PIECE.sub(lambda piece: _HANGUL_DIGITS[piece.group()], digits)
    return read + (" " if number.group("particle") else "")


def _read_kana(match: re.Match) -> str:
    return "".join(_KANA_DIGITS[piece] for piece in KANA_PIECE.findall(match.group()))


def _normalise(text: str) -> _Copy:
    """The detection copy of text (the module docstring lists the steps)."""
    copy = _characters(text)
    copy = copy.rewrite(SPACED_OUT, _join_spaced)
    copy = copy.rewrite(DEFANGED, _undefang)
    if not copy.text.isascii():
        copy = copy.rewrite(HANGUL_WORD, _read_hangul)
        copy = copy.rewrite(
            HAN_NUMBER, lambda match: HAN_SPACES.sub("", match.group()).translate(_HAN_DIGITS)
        )
        copy = copy.rewrite(KANA_NUMBER, _read_kana)
        copy = copy.rewrite(NO_BETWEEN_DIGITS, lambda match: "-")
    copy = copy.rewrite(LATIN_NUMBER_RUN, _read_latin_numbers)
    # After the words, so OlO beside 일이삼사 is beside digits.
    return copy.rewrite(CONFUSABLE_RUN, _fold_confusables)


def normalise(text: str) -> str:
    """What detection reads (for tests and the benchmark)."""
    return _normalise(text).text


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

# The mail services people name without a top-level domain: minji@gmail, minji at naver.
_MAIL_HOSTS = (
    r"(?i: gmail | googlemail | naver | daum | hanmail | nate | kakao | qq | 163 | 126 | yeah"
    r" | sina | sohu | foxmail | aliyun | yahoo | ymail | hotmail | outlook | live | msn"
    r" | icloud | proton (?:mail)? | aol | yandex | gmx | zoho | docomo | ezweb"
    r" | softbank )"
)
EMAIL_NO_TLD = re.compile(
    rf"""
    (?<![A-Za-z0-9._%+\-]) [A-Za-z0-9._%+\-]+
    (?: \s* @ \s* | \s+ (?: (?i:at) | 골뱅이 ) \s+ | \s* 골뱅이 \s* ) {_MAIL_HOSTS}
    (?![A-Za-z0-9])
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

# Digit groups joined by at most one dash, dot, slash or underscore (spaces around it
# allowed) or a few spaces; area codes may sit in parentheses. Dashes include the look-alikes
# people type on CJK keyboards (ー is what a Japanese IME gives for "-").
PHONE = re.compile(
    r"""
    (?<![\d#])
    (?: \+ [ \t]? )?
    (?: \( [ \t]? \d+ [ \t]? \) | \d+ )
    (?:
        (?: [ \t]* [\-.‐‑‒–—―−ー_] [ \t]* | [ \t]{1,3} )?
        (?: \( [ \t]? \d+ [ \t]? \) | \d+ )
    )*
    (?![\d#])
    """,
    re.VERBOSE,
)
DIGIT_GROUP = re.compile(r"\d+")
_SEQUENCE = "01234567890123456789"

# Numbers that carry many digits without being phone numbers: dates (2026-11-23 16:00 would
# otherwise read as ten in a row), thousands (50.000 - 100.000 đ) and decimals (9.5 10.0).
NOT_A_PHONE = re.compile(
    r"""
    (?<![\d.,]) (?: 19|20 ) \d\d ([\-./]) (?: 0?[1-9] | 1[0-2] ) \1 (?: 0?[1-9] | [12]\d | 3[01] )
        (?![\d])
  | (?<![\d.,]) (?: 0?[1-9] | [12]\d | 3[01] ) ([\-./]) (?: 0?[1-9] | 1[0-2] ) \2 (?: 19|20 ) \d\d
        (?![\d])
  | (?<![\d.,]) [1-9]\d{0,2} (?: ([.,]) \d{3} ) (?: \3 \d{3} )* (?![\d]|[.,]\d)
  | (?<![\d.,]) \d{1,3} \. \d{1,2} (?![\d]|\.\d)
    """,
    re.VERBOSE,
)


def _is_phone(run: str) -> bool:
    groups = DIGIT_GROUP.findall(run)
    digits = "".join(groups)
    if len(digits) < PHONE_MIN_DIGITS:
        return False
    if digits in _SEQUENCE or digits in _SEQUENCE[::-1]:
        return False  # counting: 1 2 3 4 5 6 7 8 9
    if run.startswith(("+", "(", "0")) or all(len(group) == 1 for group in groups):
        return True
    if re.search(r"[^\d\s]", run):
        return True  # joined by dashes or dots: 408-555-1234
    # Only spaces between the groups: 408 555 1234, but not a list of scores (95 88 92 100).
    return len(groups[0]) >= 3 and len(groups) <= 5


PHONE_PREFIX = re.compile(r"[+\d][\s\-.]{0,3}$")


def _not_a_phone(match: re.Match) -> str:
    # 912.345.678 after +84 is the rest of a number, not a price.
    if PHONE_PREFIX.search(match.string, 0, match.start()):
        return match.group()
    return "#" * len(match.group())


def _phones(normal: str):
    without = NOT_A_PHONE.sub(_not_a_phone, normal)
    for match in PHONE.finditer(without):
        if _is_phone(match.group()):
            yield match.start(), match.end()


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
      | vm\.tiktok\.com | x\.com | twitter\.com | threads\.net | telegram\.me | chat\.whatsapp\.com
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
                              | app | link | to | tv | xyz | info | page | site | gl | cc | su )
    / {_URL_CHAR}*
    """,
    re.VERBOSE,
)

# Messenger ids ----------------------------------------------------------------------------

# Latin names must stand alone ("online" is not LINE); Korean particles follow CJK names
# directly ("카톡으로"), so those need no boundary. The weak ones are also ordinary words or
# syllables (wa, line, snap, mail): a plain word after them counts only after "id".
_STRONG_LATIN = (
    r"kakao \s? talk | kakao | katalk | we \s? chat | weixin | vx | wx | telegram"
    r" | line | tg | instagram | insta | ig | zalo | zl | whats \s? app | snapchat | discord | qq"
    r" | facebook | fb | tik \s? tok | twitter | weibo | douyin | signal | viber | skype"
    r" | messenger | gmail | naver | hotmail | outlook | icloud | bereal"
)
_WEAK_LATIN = r"wa | snap | sc | dc | face | mess | tele | ins | e-?mail | mail | x | tt"
_STRONG_OTHER = (
    "카카오톡|카카오|카톡|위챗|텔레그램|텔레|인스타그램|인스타|왓츠앱|잘로|디스코드|디코|스냅챗|"
    "라인|ライン|페이스북|페북|페메|틱톡|트위터|이메일|메일|네이버|지메일|"
    "微信|威信|薇信|电报|電報|脸书|臉書|抖音|微博|小红书|邮箱|郵箱|"
    "インスタ|カカオ|ティックトック|ツイッター|ディスコード|テレグラム|メール|メアド"
)
_WEAK_OTHER = "스냅"
MESSENGER_NAME = re.compile(
    rf"""
    (?<![A-Za-z0-9]) (?P<strong_latin> (?i: {_STRONG_LATIN} ) ) (?![A-Za-z])
  | (?<![A-Za-z0-9]) (?P<weak_latin> (?i: {_WEAK_LATIN} ) ) (?![A-Za-z])
  | (?P<strong_other> {_STRONG_OTHER} )
  | (?P<weak_other> {_WEAK_OTHER} )
    """,
    re.VERBOSE,
)

# The id has to start this close to the messenger name.
MESSENGER_ID_WINDOW = 20

# Walks what follows a messenger name: an ASCII id candidate, a word in another script
# (Korean particles, Chinese 是, Vietnamese "của mình là"), or a separator.
MESSENGER_TOKEN = re.compile(
    rf"""
      (?P<handle> (?<![{_LATIN_LETTERS}]) @? [A-Za-z0-9][A-Za-z0-9._\-]* (?: \#\d{{4}} )?
                  (?![{_LATIN_LETTERS}]) )
    | (?P<word> [{_LATIN_LETTERS}]* [À-ɏḀ-ỿ] [{_LATIN_LETTERS}]* | [^\W\d_A-Za-zÀ-ɏḀ-ỿ]+ )
    | (?P<gap> [\s:=,'"()\[\]{{}}<>\-–—→~·*!?] )
    """,
    re.VERBOSE,
)

# Words people put between the messenger and the id; skipping them keeps the id in reach.
FILLER_WORDS = frozenset(
    {
        *("id", "is", "my", "me", "add", "at", "on", "via", "to", "here", "no", "la", "its"),
        *("pls", "plz", "please", "name", "handle", "username", "user", "account", "acc"),
        *("nick", "number", "num", "s", "it", "ur", "mine", "ok", "okay", "or", "and"),
        *("cua", "minh", "nha", "nhe", "ne", "toi", "em", "anh", "oi", "di", "ban", "ib"),
    }
)

# After one of these, a plain word after a weak name ("line id yuki") is taken for an id.
ID_MARKERS = ("id", "아이디", "계정", "号", "號", "账", "帳", "handle", "username", "user", "nick")

# A plain word after a messenger name is an id unless it is one of these: "kakao friends",
# "line up", "instagram is blocked at school", "zalo cua minh la ..." without diacritics.
COMMON_WORDS = frozenset(
    """
    a about above across add after again against ago all almost alone along already also
    always am an and another any anyone anything app apps are around as ask at away back bad
    be because been before being below best better between big bit blocked both break bring
    but buy by call called came can cannot cant change chat check class cold come coming cool
    could dad day days did different do does doesnt doing done dont down during each early
    easy else end enough even ever every everyone everything exam fast feel few find fine
    first follow for free friend from fun funny game games get give go going good got great
    group had happy hard has have he hello help her here hey hi him his home hope hot how i
    if im in instead into is isnt it its just keep kind know last late later learn least
    leave less let like little live long look lot lots love lunch made make many may maybe
    me mean meet message messages might mine mom more morning most much music must my need
    never new next nice night no not nothing now of off often oh ok okay old on once one only
    open or other our out over people phone photo photos picture pictures play please post
    posts probably put quick quite read ready real really right said same saw say school
    see seen send sent she should show since so some someone something sometimes soon sorry
    still stop story stuff such sure take talk teacher teachers tell than thank thanks that
    the their them then there these they thing things think this those though through time
    to today together tomorrow too took try turn two under until up us use used very video
    videos wait want was watch way we week weekend well went were what when where which while
    who why will with without work would wow yeah year years yes yesterday yet you your
    account allowed app banned down reels stories story feed dm dms group groups chat call
    calls sticker stickers emoji filter filters trend trends dance dances song songs live
    friends family teacher parents sister brother homework test tests lesson lessons class
    classes practice team club clubs project projects photo photos pic pics selfie selfies
    update updates notification notifications ban news page pages profile profiles
    popular famous server servers channel channels pay music webtoon webtoons streak streaks
    emoticon emoticons addiction addicted boring useful worse voice settings everywhere
    anymore either mostly premium gift gifts shop store map maps translate translator keyboard
    reel stream streaming mode version web browser pc laptop computer taxi bank blog cafe
    shopping dictionary papago official cute weird scary safe unsafe slow broken lagging
    blocked allowed forbidden different same old new better worst everyone nobody anybody
    works working crashed crashes ads ad theme themes font fonts dark light moment moments
    cua minh la nha nhe ne toi ban em anh chi co khong di oi roi duoc voi cho nhe nho nhan
    tin goi xem hoc lop truong ve den khi nao gi dau vay the thi ma va nhung cung lam rat
    """.split()  # noqa: SIM905 (a word list reads better as text than as 400 quoted words)
)


def _is_common(word: str) -> bool:
    if word in COMMON_WORDS:
        return True
    for suffix in ("s", "es", "ed", "d", "ing", "ly", "er"):
        if word.endswith(suffix) and word[: -len(suffix)] in COMMON_WORDS:
            return True
    return False


def _looks_like_id(token: str, *, after_marker: bool, weak: bool) -> bool:
    core = token.removeprefix("@")
    if token.startswith("@"):
        return len(core) >= 3
    if core.isdigit():
        # QQ numbers start at five digits; shorter ones are ages, rooms and times.
        return len(core) >= 5
    if any(char.isdigit() or char in "_.#" for char in core):
        return len(core) >= 4
    if len(core) < 3 or _is_common(core.casefold()):
        return False
    return after_marker or not weak


def _messenger_ids(normal: str):
    for name in MESSENGER_NAME.finditer(normal):
        weak = bool(name.group("weak_latin") or name.group("weak_other"))
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
            if token.group("handle") and _looks_like_id(word, after_marker=after_marker, weak=weak):
                yield token.start(), token.start() + len(word)
            break


# Bare mentions in the style of Instagram, X or Telegram; emails are excluded by the
# look-behind.
SOCIAL_HANDLE = re.compile(
    r"""
    (?<![A-Za-z0-9._%+\-@])
    @ (?! \d{1,2} (?: :\d\d )? (?i: am | pm | h )? (?![A-Za-z0-9_.]) )  # see you @5pm
    [A-Za-z0-9_] [A-Za-z0-9_.]{1,29} [A-Za-z0-9_]
    """,
    re.VERBOSE,
)

# Detection ---------------------------------------------------------------------------------

_TRAILING_URL_PUNCTUATION = ".,;:!?'\""


@lru_cache(maxsize=8)
def _own_host(site_url: str) -> str:
    return re.sub(r"^[a-z][a-z0-9+.\-]*://", "", site_url.strip().lower()).split("/")[0]


def _is_own_link(link: str) -> bool:
    """The portal's own address (SITE_URL): its links lead to pages inside the portal, so they
    stay. The host must end where the address does: testserver.evil.com and testserver@evil
    are somewhere else."""
    host = _own_host(getattr(settings, "SITE_URL", ""))
    if not host:
        return False
    rest = re.sub(r"^(?i:https?://)", "", link).lower()
    if not host.startswith("www."):
        rest = rest.removeprefix("www.")
    return rest.startswith(host) and rest[len(host) : len(host) + 1] in ("", "/", "?", "#")


def _trim_url(start: int, end: int, text: str) -> tuple[int, int]:
    # A sentence ends after the link, and a link is often put in parentheses.
    while end > start:
        last = text[end - 1]
        unbalanced = last == ")" and text.count("(", start, end) < text.count(")", start, end)
        if last not in _TRAILING_URL_PUNCTUATION and not unbalanced:
            break
        end -= 1
    return start, end


def _spans(normal: str) -> list[tuple[int, int, str]]:
    found = []
    for pattern in (EMAIL, EMAIL_BRACKETED_AT, EMAIL_WORD_AT, EMAIL_NO_TLD):
        found += [(m.start(), m.end(), "email") for m in pattern.finditer(normal)]
    own: list[tuple[int, int]] = []
    for pattern in (URL_EXPLICIT, URL_CONTACT_HOST, URL_BARE_WITH_PATH):
        for m in pattern.finditer(normal):
            start, end = _trim_url(m.start(), m.end(), normal)
            if end <= start:
                continue
            if _is_own_link(normal[start:end]):
                own.append((start, end))
            else:
                found.append((start, end, "url"))

    def outside_own(start: int, end: int) -> bool:
        # A program's page number or a path segment with @ in the portal's own link.
        return not any(own_start <= start and end <= own_end for own_start, own_end in own)

    found += [(start, end, "phone") for start, end in _phones(normal) if outside_own(start, end)]
    found += [(start, end, "messenger") for start, end in _messenger_ids(normal)]
    found += [
        (m.start(), m.end(), "messenger")
        for m in SOCIAL_HANDLE.finditer(normal)
        if outside_own(m.start(), m.end())
    ]
    return found


def _mask_once(text: str) -> tuple[str, set[str]]:
    copy = _normalise(text)
    spans = sorted(
        (*copy.origin(start, end), kind) for start, end, kind in _spans(copy.text) if end > start
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
