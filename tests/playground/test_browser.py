"""Mila's whole journey in the playground's page, in a real browser (Debian's Chromium,
driven by Playwright): every click reaches the app as a signed Slack request, and each step
asserts on what the page shows. Screenshots go to the test's tmp dir."""

from __future__ import annotations

import os

import pytest

from bot.playground.tour import PICTURES, browser_page, chromium_missing, walk
from bot.playground.web import Playground, serve

MISSING = chromium_missing()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        MISSING is not None and not os.environ.get("CI"),
        reason=f"no browser here: {MISSING}",
    ),
]


@pytest.fixture
def playground(tmp_path):
    assert MISSING is None, f"CI must have the browser: {MISSING}"
    running = Playground(tmp_path)
    server = serve(running, 0)
    yield running, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    running.stop()


def test_milas_journey_in_the_page(playground, tmp_path):
    world_of, url = playground
    shots = tmp_path / "shots"
    shots.mkdir()
    with browser_page(url) as page:

        def shot(name: str) -> None:
            page.screenshot(path=str(shots / f"{name}.png"))

        walk(page, shot)
        # The chart is the PNG the app uploaded, shown as an image with its title.
        chart = page.locator("#dm figure.file img").last
        assert chart.get_attribute("alt")
        assert chart.evaluate("img => img.naturalWidth") > 100
        # Nothing private left her DM: the channel shows the headline only.
        page.get_by_label("You are").select_option("U0BEN")
        page.locator("nav .tab[data-tab=channel]").click()
        channel = page.locator("#channel").inner_text()
        assert "took on a speaking challenge" in channel
        for private in ("Said it in the first minutes", "Confidence noted", "About right"):
            assert private not in channel
        # Ben's own DM is empty: her check-ins are hers alone.
        page.locator("nav .tab[data-tab=dm]").click()
        assert "Nothing here yet" in page.locator("#dm").inner_text()
    assert {p.name for p in shots.iterdir()} >= {f"{name}.png" for name in PICTURES}
    world = world_of.world
    assert world.notices == [], world.notices  # Slack refused nothing
    # Every action went to the app as a signed Slack request, and the app answered the
    # local Slack: the DMs, the check-ins and the chart all went through its Web API.
    methods = {c.method for c in world.fake.calls}
    assert {"chat.postMessage", "chat.update", "views.open", "views.publish"} <= methods
    assert "files.completeUploadExternal" in methods


def test_phone_width_bad_input_and_start_over(playground):
    world_of, url = playground
    with browser_page(url, width=380, height=800) as page:
        page.locator("nav .tab[data-tab=dm]").click()
        compose = page.get_by_label("Message Voice Coach")
        compose.fill("hello there")
        page.get_by_role("button", name="Send").click()
        note = page.locator("#compose-note")
        note.wait_for(state="visible")
        assert "/voice help" in note.inner_text()
        compose.fill("/voice help")
        page.get_by_role("button", name="Send").click()
        page.locator("#dm article").first.wait_for()
        assert "Only visible to you" in page.locator("#dm").inner_text()
        # Nothing is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 380
        page.get_by_role("button", name="15 min before the next meeting").click()
        page.wait_for_function(
            "document.querySelector('#compose-note').innerText.includes('No meeting')"
        )
        page.get_by_role("button", name="Start over").click()
        page.wait_for_function(
            "document.querySelector('#dm').innerText.includes('Nothing here yet')"
        )
    assert world_of.world.fake.messages("DU0MILA") == []
