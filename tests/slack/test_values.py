"""Ids read back from button values and private_metadata: only plain, in-range row ids."""

from __future__ import annotations

import pytest

from bot.slack.values import MAX_ID, row_id


@pytest.mark.parametrize("good", ["1", " 42 ", str(MAX_ID), 7])
def test_row_ids(good):
    assert row_id(good) == int(str(good).strip())


@pytest.mark.parametrize(
    "bad", ["", None, "0", "-3", "2147483648", "1e3", "١٢", "12abc", "99999999999", "1.5"]
)
def test_anything_else_is_refused(bad):
    with pytest.raises(ValueError):
        row_id(bad)
