"""Contact masking figures: recall and false positives on the test corpus and on a larger
seeded held-out set, and the time per message.

Run with `make bench-masking`. The held-out set is generated here, never by the tests: random
phone numbers (Korea, China, Vietnam, Japan, the US), addresses and messenger ids put through
random combinations of the obfuscations (format characters, full-width and look-alike
digits, digits spelled out in five languages, spaced-out letters, defanged links and
addresses), inside sentences in the five languages; and ordinary sentences from templates
with random dates, times, prices, scores, rooms and counts. A contact counts as found when
what is left reveals nothing (tests/messaging/masking_corpus, `what_reveals`); an ordinary
message counts as a false positive when it comes back changed at all.

Prints figures with the goals beside them (recall ≥ 99 %, false positives ≤ 1 %); it asserts
nothing. `--module path/to/masking.py` measures another copy of the module (the one before a
change, say) on the same sets. `--show N` prints up to N misses and false positives.
"""

import argparse
import importlib.util
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from tests.messaging.masking_corpus import contacts, ordinary, what_reveals  # noqa: E402

SEED = 20261207
GOAL_RECALL = 0.99
GOAL_FALSE_POSITIVES = 0.01

# --- Held-out contacts -------------------------------------------------------------------

SPELLED = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "ko_sino": ["공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"],
    "ko_native": ["영", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉"],
    "zh": ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"],
    "zh_alt": ["〇", "幺", "两", "三", "四", "五", "六", "七", "八", "九"],
    "ja": ["ゼロ", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう"],
    "vi": ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"],
}
# How each spelled language joins its digits inside a group.
JOIN = {"en": " ", "vi": " ", "ko_sino": "", "ko_native": "", "zh": "", "zh_alt": "", "ja": ""}

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e"]
CONFUSE = {"0": ["O", "o"], "1": ["l", "I"]}
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}

PHONE_SHAPES = [
    ("010", (4, 4), "+82 10"),  # Korea
    ("138", (4, 4), "+86 138"),  # China
    ("0912", (3, 3), "+84 912"),  # Vietnam
    ("090", (4, 4), "+81 90"),  # Japan
    ("408", (3, 4), "+1 408"),  # US
]

NAMES = ["minji", "seoyeon", "jiho", "yuna", "lihua", "xiaoyu", "lan", "minhanh", "yui", "emily"]
MAIL_HOSTS = ["gmail.com", "naver.com", "daum.net", "qq.com", "163.com", "yahoo.co.jp"]
MAIL_BARE = ["gmail", "naver", "qq", "icloud", "hotmail"]
MESSENGERS = [
    "카톡",
    "카카오톡",
    "kakao",
    "인스타",
    "insta",
    "instagram",
    "ig",
    "WeChat",
    "微信",
    "vx",
    "weixin",
    "LINE",
    "ライン",
    "Zalo",
    "zalo",
    "Snapchat",
    "Discord",
    "디코",
    "Telegram",
    "tiktok",
    "틱톡",
    "WhatsApp",
    "Facebook",
    "fb",
    "페메",
    "QQ",
]
PHONE_FRAMES = [
    "{}",
    "my number is {}",
    "call me {} after school",
    "내 번호 {}",
    "번호는 {} 이야 문자해",
    "我的电话是{}",
    "手机 {} 加我",
    "số mình là {} nhé",
    "gọi {} nha",
    "電話は{}です",
    "番号 {} だよ",
]
MAIL_FRAMES = [
    "{}",
    "mail me {}",
    "메일 {} 로 보내줘",
    "邮箱 {}",
    "email của mình: {}",
    "メール {}",
]
ID_FRAMES = [
    "{m} {h}",
    "{m}: {h}",
    "my {m} is {h}",
    "{m} 아이디 {h}",
    "加我{m} {h}",
    "{m} của mình {h}",
]


def _digits_as(rng: random.Random, digits: str) -> str:
    """One group of digits, each as a digit or a word of one language."""
    if rng.random() < 0.5:
        return digits
    language = rng.choice(list(SPELLED))
    return JOIN[language].join(SPELLED[language][int(d)] for d in digits)


def _phone(rng: random.Random) -> tuple[str, str]:
    first, sizes, international = rng.choice(PHONE_SHAPES)
    groups = ["".join(rng.choice("0123456789") for _ in range(size)) for size in sizes]
    groups[0] = str(rng.randint(2, 9)) + groups[0][1:]
    lead = first if rng.random() < 0.75 else international
    separator = rng.choice([" ", "-", ".", "", " - "])
    spelled = rng.random() < 0.4
    parts = [lead] + [_digits_as(rng, group) if spelled else group for group in groups]
    text = separator.join(parts) if not spelled else " ".join(parts)
    if rng.random() < 0.2:
        text = "".join(rng.choice(CONFUSE.get(c, [c])) if c in CONFUSE else c for c in text)
    if rng.random() < 0.15 and not spelled:
        text = " ".join(text.replace(" ", ""))
    return text, groups[-1]


def _email(rng: random.Random) -> tuple[str, str]:
    local = rng.choice(NAMES) + rng.choice(["", "_", "."]) + str(rng.randint(0, 2010))
    roll = rng.random()
    if roll < 0.2:
        text = f"{local}@{rng.choice(MAIL_BARE)}"
    else:
        host, _, tld = rng.choice(MAIL_HOSTS).partition(".")
        at = rng.choice(["@", " @ ", "[at]", " (at) ", " at ", "＠"])
        dot = rng.choice([".", " . ", "[.]", "(dot)", " dot ", "。"])
        text = f"{local}{at}{host}{dot}{tld.replace('.', dot)}"
    if rng.random() < 0.15:
        text = " ".join(text.replace(" ", ""))
    return text, local


def _handle(rng: random.Random) -> tuple[str, str]:
    handle = rng.choice(NAMES) + rng.choice(["", "_k", ".kim", "0312", "_2009", "k", ".dance"])
    if rng.random() < 0.15:
        handle = "@" + handle
    frame = rng.choice(ID_FRAMES)
    return frame.format(m=rng.choice(MESSENGERS), h=handle), handle.lstrip("@")


def _link(rng: random.Random) -> tuple[str, str]:
    path = rng.choice(NAMES) + str(rng.randint(10, 99))
    host = rng.choice(["bit.ly", "t.me", "open.kakao.com/o", "discord.gg", "instagram.com"])
    scheme = rng.choice(["", "https://", "hxxps://", "hxxp://", "https[:]//"])
    host = host.replace(".", rng.choice([".", "[.]", "(.)", "."]))
    return f"{scheme}{host}/{path}", path


def _obfuscate(rng: random.Random, text: str) -> str:
    if rng.random() < 0.3:
        mark = rng.choice(INVISIBLE)
        text = "".join(c + (mark if rng.random() < 0.5 else "") for c in text)
    if rng.random() < 0.1:
        text = "".join(FULL_WIDTH.get(c, c) for c in text)
    return text


def held_out_contacts(rng: random.Random, count: int) -> list[tuple[str, tuple[str, ...]]]:
    made = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.4:
            contact, secret = _phone(rng)
            frame = rng.choice(PHONE_FRAMES)
        elif kind < 0.65:
            contact, secret = _email(rng)
            frame = rng.choice(MAIL_FRAMES)
        elif kind < 0.9:
            contact, secret = _handle(rng)
            frame = "{}"
        else:
            contact, secret = _link(rng)
            frame = rng.choice(["{}", "join {}", "여기 {} 들어와", "加 {}"])
        made.append((frame.format(_obfuscate(rng, contact)), (secret,)))
    return made


# --- Held-out ordinary messages ----------------------------------------------------------

ORDINARY_TEMPLATES = [
    "See you on {date} at {time}!",
    "The bus leaves at {time}, bus {bus}",
    "Tickets are {price} won each",
    "We got {score} points, final {a}-{b}",
    "Room {room}, {n} people",
    "I'm in grade {grade}",
    "lesson at {hour}",
    "see you at {hour}",
    "one of them is in room {room}",
    "{a} + {b} = {sum}",
    "Homework: {a}x + {b} = {sum}, page {room}",
    "I was born in {year}",
    "instagram is blocked at school",
    "kakao friends are cute",
    "line up at gate {n}",
    "{date} {time} 시청 앞에서 만나요",
    "일요일 {hour}시에 삼겹살 먹자",
    "이번 주 {n}명이 와요",
    "하나도 몰라 ㅋㅋ 둘이서 가자",
    "가격은 {price}원이에요",
    "{grade}학년 {room}호",
    "수학 {score}점",
    "{year}년 {month}월 {day}일",
    "我们一起去二楼，等一下",
    "门票{price}元，{n}个人",
    "{month}月{day}日下午{hour}点见",
    "比分是{a}比{b}",
    "第{n}组 {room}房间",
    "日本でいちばん好き",
    "{month}月{day}日の{hour}時に駅で",
    "入場料は{price}円です",
    "にほんごの宿題 {n}ページ",
    "Hẹn gặp lúc {hour} giờ ngày {day}/{month}/{year}",
    "Phòng {room}, tầng {n} nhé",
    "giá {price}đ, {n} người",
    "không sao đâu, một hai ba cười lên",
    "Điểm toán {decimal}, điểm văn {decimal2}",
    "scores {decimal} {decimal2} {decimal3}",
    "Day {n} / Day {n2} 🎉",
    "ok 👍 {time}",
    "Program page: {site}/programs/{n}/",
]


def held_out_ordinary(rng: random.Random, count: int) -> list[str]:
    made = []
    for _ in range(count):
        a, b = rng.randint(0, 99), rng.randint(0, 99)
        values = {
            "date": f"{rng.randint(2024, 2027)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
            "time": f"{rng.randint(0, 23)}:{rng.randint(0, 59):02}",
            "hour": rng.randint(1, 12),
            "bus": rng.choice([rng.randint(1, 999), rng.randint(1000, 9999)]),
            "price": f"{rng.randint(1, 999) * 100:,}",
            "score": rng.randint(0, 100),
            "a": a,
            "b": b,
            "sum": a + b,
            "room": rng.randint(100, 2999),
            "n": rng.randint(1, 40),
            "n2": rng.randint(1, 40),
            "grade": rng.randint(1, 12),
            "year": rng.randint(1990, 2030),
            "month": rng.randint(1, 12),
            "day": rng.randint(1, 31),
            "decimal": f"{rng.randint(0, 10)}.{rng.randint(0, 9)}",
            "decimal2": f"{rng.randint(0, 10)}.{rng.randint(0, 9)}",
            "decimal3": f"{rng.randint(0, 10)}.{rng.randint(0, 9)}",
            "site": settings.SITE_URL,
        }
        made.append(rng.choice(ORDINARY_TEMPLATES).format(**values))
    return made


# --- Measuring ---------------------------------------------------------------------------


def load(module_path: str | None):
    if module_path is None:
        from messaging import masking

        return masking
    spec = importlib.util.spec_from_file_location("masking_under_test", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(mask, found, missed, ordinary_lines, show: int, label: str) -> list[float]:
    times = []
    misses = []
    for text, secrets in found:
        start = time.perf_counter_ns()
        masked = mask(text).text
        times.append((time.perf_counter_ns() - start) / 1000)
        if what_reveals(masked, secrets):
            misses.append((text, masked))
    false_positives = []
    for text in ordinary_lines:
        start = time.perf_counter_ns()
        masked = mask(text).text
        times.append((time.perf_counter_ns() - start) / 1000)
        if masked != text:
            false_positives.append((text, masked))
    recall = 1 - len(misses) / len(found)
    rate = len(false_positives) / len(ordinary_lines)
    print(
        f"{label:<10} recall {recall:7.2%} ({len(found) - len(misses)}/{len(found)}; goal ≥ "
        f"{GOAL_RECALL:.0%})   false positives {rate:6.2%} ({len(false_positives)}/"
        f"{len(ordinary_lines)}; goal ≤ {GOAL_FALSE_POSITIVES:.0%})"
    )
    for text, masked in misses[:show]:
        print(f"    missed  {text!r} -> {masked!r}")
    for text, masked in false_positives[:show]:
        print(f"    changed {text!r} -> {masked!r}")
    missed.extend(misses)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", help="another masking.py to measure (default: the portal's)")
    parser.add_argument(
        "--held-out", type=int, default=5000, help="generated messages of each kind"
    )
    parser.add_argument("--show", type=int, default=0, help="print up to N misses and changes")
    parser.add_argument("--seed", type=int, default=SEED)
    options = parser.parse_args()

    module = load(options.module)
    mask = module.mask_contacts
    rng = random.Random(options.seed)
    corpus_contacts = contacts()
    corpus_ordinary = ordinary(settings.SITE_URL)
    generated_contacts = held_out_contacts(rng, options.held_out)
    generated_ordinary = held_out_ordinary(rng, options.held_out)
    for text in corpus_ordinary[:50]:
        mask(text)  # warm the regex cache and the code paths

    print(f"masking: {options.module or 'messaging/masking.py'}   seed {options.seed}")
    missed: list = []
    times = measure(mask, corpus_contacts, missed, corpus_ordinary, options.show, "corpus")
    times += measure(mask, generated_contacts, missed, generated_ordinary, options.show, "held-out")
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"time per message: mean {statistics.fmean(times):.1f} µs, median "
        f"{statistics.median(times):.1f} µs, p99 {p99:.1f} µs, max {ordered[-1]:.1f} µs "
        f"over {len(times)} messages (one core, this process)"
    )
    long_message = " ".join(corpus_ordinary)[:2000]
    start = time.perf_counter_ns()
    for _ in range(20):
        mask(long_message)
    per_long = (time.perf_counter_ns() - start) / 20 / 1000
    print(f"a 2,000-character message (the longest allowed): {per_long:.0f} µs")


if __name__ == "__main__":
    main()
