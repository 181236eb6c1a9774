"""Sealing secrets at rest (calendar links, workspace tokens) with SECRET_KEY.

``SecretBox`` is Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) over
every configured key, newest first: the first key seals, any key opens, and
``rotate`` re-seals a token under the first key. Nothing here ever puts a secret,
a key or a token into a repr or an exception message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

if TYPE_CHECKING:
    from bot.settings import Settings


class SecretUnreadable(Exception):
    """No configured key opens this token: SECRET_KEY was replaced without keeping the
    old key after the new one, or the stored value was damaged."""

    def __init__(self) -> None:
        super().__init__(
            "a sealed secret could not be opened with any SECRET_KEY key "
            "(the key that sealed it was removed, or the value is damaged)"
        )


class SecretBox:
    """Seals and opens short secrets with the settings' Fernet keys."""

    __slots__ = ("_fernet", "_first", "_keys")

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("SecretBox needs at least one key")
        fernets = [Fernet(key) for key in keys]
        self._keys = len(fernets)
        self._first = fernets[0]
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox | None:
        """The box for SECRET_KEY, or None when it is not set."""
        return cls(settings.secret_key) if settings.secret_key else None

    def seal(self, text: str) -> str:
        """Encrypt ``text`` under the newest key; the token is URL-safe ASCII."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        """The text sealed in ``token``; SecretUnreadable when no key opens it."""
        try:
            return self._fernet.decrypt(_token_bytes(token)).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise SecretUnreadable() from None

    def needs_rotation(self, token: str) -> bool:
        """True when ``token`` opens, but not with the newest key (re-seal it)."""
        try:
            self._first.decrypt(_token_bytes(token))
        except InvalidToken:
            self.open(token)  # SecretUnreadable if no key opens it at all
            return True
        return False

    def rotate(self, token: str) -> str:
        """``token`` re-sealed under the newest key; SecretUnreadable if no key opens it."""
        try:
            return self._fernet.rotate(_token_bytes(token)).decode("ascii")
        except InvalidToken:
            raise SecretUnreadable() from None

    def __repr__(self) -> str:
        return f"<SecretBox keys={self._keys}>"

    __str__ = __repr__


def _token_bytes(token: str) -> bytes:
    try:
        return token.encode("ascii")
    except (AttributeError, UnicodeError):
        raise SecretUnreadable() from None
