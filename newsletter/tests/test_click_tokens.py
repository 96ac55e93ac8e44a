"""The signed click tokens: only what ``link_token`` made reads back; anything else is None."""

import base64

import pytest

from newsletter.engagement.tokens import link_token, read_token


def test_a_token_carries_its_link_and_delivery():
    assert read_token(link_token(7, 42)) == (7, 42)
    assert read_token(link_token(123_456_789, 987_654_321)) == (123_456_789, 987_654_321)
    assert read_token(link_token(3, None)) == (3, None)
    assert len(link_token(123_456, 9_876_543)) <= 30


def test_tokens_are_url_safe():
    token = link_token(2**40, 2**40)
    assert token.replace("-", "").replace("_", "").isalnum()


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-1],  # truncated
        lambda t: t[:10],
        lambda t: t + "A",
        lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],  # one character changed
        lambda t: ("B" if t[0] != "B" else "C") + t[1:],
        lambda t: t + "=",
        lambda t: t.upper(),
        lambda t: "garbage-token-of-some-length",
        lambda t: "",
        lambda t: "%" * 26,
    ],
)
def test_a_tampered_token_reads_as_nothing(change):
    assert read_token(change(link_token(7, 42))) is None


def test_swapping_ids_or_mixing_two_tokens_reads_as_nothing():
    one, other = link_token(7, 42), link_token(42, 7)
    raw_one = base64.urlsafe_b64decode(one + "=" * (-len(one) % 4))
    raw_other = base64.urlsafe_b64decode(other + "=" * (-len(other) % 4))
    # The ids of one with the signature of the other.
    mixed = base64.urlsafe_b64encode(raw_one[:-12] + raw_other[-12:]).rstrip(b"=").decode()
    assert read_token(mixed) is None


def test_a_token_from_another_secret_key_reads_as_nothing(settings):
    token = link_token(7, 42)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert read_token(token) is None
    settings.SECRET_KEY_FALLBACKS = ["ignored", settings.SECRET_KEY]
    assert read_token(link_token(7, 42)) == (7, 42)
