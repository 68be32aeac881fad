"""The masking corpus (tests/messaging/masking_corpus/): every obfuscated contact comes back
masked so that nothing left reveals it, and every ordinary message comes back byte for byte.

"Reveals" is what_reveals() in the corpus package: the masked message holds no MASK, or, read
through the same normalisation as detection (format characters dropped, look-alikes folded,
spelled-out digits read), it still holds a run of seven or more digits, a local part @ domain,
or one of the line's secrets (the id, the address's local part, the number's last group)."""

import pytest
from django.conf import settings

from messaging.masking import MASK, Masked, mask_contacts
from tests.messaging.masking_corpus import contacts, ordinary, what_reveals

CONTACTS = contacts()
ORDINARY = ordinary(settings.SITE_URL)
LANGUAGES_SEEN = {"Hangul": "가", "Han": "的", "Kana": "の", "Vietnamese": "ư"}


def test_corpus_is_large_enough_in_every_language():
    assert len(CONTACTS) >= 200
    assert len(ORDINARY) >= 200
    for sample in LANGUAGES_SEEN.values():
        assert any(sample in line for line in ORDINARY)


@pytest.mark.parametrize(("text", "secrets"), CONTACTS, ids=[text for text, _ in CONTACTS])
def test_corpus_obfuscated_contact_masked(text, secrets):
    masked = mask_contacts(text)

    assert what_reveals(masked.text, secrets) == []
    assert masked.kinds != ()


@pytest.mark.parametrize("text", ORDINARY)
def test_corpus_ordinary_message_unchanged(text):
    assert mask_contacts(text) == Masked(text=text, kinds=())


def test_corpus_check_sees_a_contact_left():
    # The check itself: a number masked only in part, an address left, a secret left.
    assert what_reveals(f"010-{MASK}", ("5678",)) == []
    assert what_reveals(f"010-1234-{MASK}", ("5678",)) == ["digits '010-1234'"]
    assert what_reveals(f"{MASK} 공일공 1234 5678", ("9999",)) == ["digits '010 1234 5678'"]
    assert what_reveals("minji@gmail", ("minji",)) == [
        "no mask",
        "address 'minji@gmail'",
        "secret 'minji'",
    ]
    assert what_reveals(f"카톡 {MASK} m i n j i", ("minji",)) == ["secret 'minji'"]
