"""SecretBox: secrets sealed with SECRET_KEY, opened with any of its keys, rotated to
the newest, and never shown in a repr or an error."""

from __future__ import annotations

import traceback

import pytest
from cryptography.fernet import Fernet

from bot.settings import load_settings
from bot.storage.crypto import SecretBox, SecretUnreadable

LINK = "https://calendar.google.com/calendar/ical/mila%40example.com/private-5e3c9a/basic.ics"
NEW = Fernet.generate_key().decode()
OLD = Fernet.generate_key().decode()
OTHER = Fernet.generate_key().decode()


def test_round_trip():
    box = SecretBox([NEW])
    token = box.seal(LINK)
    assert token != LINK and LINK not in token and "mila" not in token
    assert token.isascii()
    assert box.open(token) == LINK


def test_sealing_twice_gives_different_tokens():
    box = SecretBox([NEW])
    assert box.seal(LINK) != box.seal(LINK)  # a fresh IV each time: equal links don't show


def test_non_ascii_text_round_trips():
    box = SecretBox([NEW])
    assert box.open(box.seal("https://exämple.com/kalender/Ünïcode.ics")) == (
        "https://exämple.com/kalender/Ünïcode.ics"
    )


def test_an_old_token_opens_after_a_new_key_is_put_first():
    old_token = SecretBox([OLD]).seal(LINK)
    box = SecretBox([NEW, OLD])
    assert box.open(old_token) == LINK
    assert box.needs_rotation(old_token)


def test_rotate_reseals_under_the_newest_key():
    old_token = SecretBox([OLD]).seal(LINK)
    box = SecretBox([NEW, OLD])
    new_token = box.rotate(old_token)
    assert not box.needs_rotation(new_token)
    assert SecretBox([NEW]).open(new_token) == LINK  # the old key can now be dropped
    with pytest.raises(SecretUnreadable):
        SecretBox([OLD]).open(new_token)


def test_a_token_sealed_with_the_newest_key_needs_no_rotation():
    box = SecretBox([NEW, OLD])
    assert not box.needs_rotation(box.seal(LINK))


def test_a_replaced_key_cannot_open_it():
    token = SecretBox([OLD]).seal(LINK)
    box = SecretBox([OTHER])
    for attempt in (box.open, box.rotate, box.needs_rotation):
        with pytest.raises(SecretUnreadable):
            attempt(token)


@pytest.mark.parametrize("token", ["", "not a token", "gAAAAA" + "x" * 80, "ünïcode", None])
def test_garbage_is_unreadable_not_a_crash(token):
    box = SecretBox([NEW])
    with pytest.raises(SecretUnreadable):
        box.open(token)


def test_a_tampered_token_is_unreadable():
    box = SecretBox([NEW])
    token = box.seal(LINK)
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    with pytest.raises(SecretUnreadable):
        box.open(flipped)


def test_nothing_secret_in_reprs_or_errors():
    token = SecretBox([OLD]).seal(LINK)
    box = SecretBox([NEW, OLD])
    shown = [repr(box), str(box)]
    with pytest.raises(SecretUnreadable) as caught:
        SecretBox([OTHER]).open(token)
    shown += [str(caught.value), repr(caught.value)]
    shown.append("".join(traceback.format_exception(caught.value)))
    text = "\n".join(shown)
    for secret in (NEW, OLD, OTHER, token, LINK, "mila"):
        assert secret not in text
    assert repr(box) == "<SecretBox keys=2>"
    assert "SECRET_KEY" in str(caught.value)  # it says what to look at


def test_the_error_does_not_chain_the_library_exception():
    with pytest.raises(SecretUnreadable) as caught:
        SecretBox([NEW]).open(SecretBox([OTHER]).seal(LINK))
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_from_settings():
    unset = load_settings({}, env_file=None, require_slack=False)
    assert SecretBox.from_settings(unset) is None
    settings = load_settings({"SECRET_KEY": f"{NEW},{OLD}"}, env_file=None, require_slack=False)
    box = SecretBox.from_settings(settings)
    assert box is not None
    assert SecretBox([NEW]).open(box.seal(LINK)) == LINK  # the first key seals


def test_a_box_needs_a_key():
    with pytest.raises(ValueError):
        SecretBox([])
