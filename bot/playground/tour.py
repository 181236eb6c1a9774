"""Mila's journey through the playground in a real browser (Debian's Chromium, driven by
Playwright): the browser test walks it and asserts on each step; ``python -m bot try
--screenshots DIR`` walks the same steps and keeps the README's pictures.

Each step waits for what the person would see before going on, so a step that doesn't
show what it should fails with the text that was on screen.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
# The README's pictures: the moment each is taken, and its file.
PICTURES = {
    "first-challenge": "first-challenge.png",
    "pre-meeting-checkin": "pre-meeting-checkin.png",
    "shared-win": "shared-win-with-cheers.png",
    "progress-chart": "progress-chart.png",
}

Shot = Callable[[str], None]


def chromium_missing() -> str | None:
    """Why the browser can't run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def browser_page(url: str, *, width: int = 1100, height: int = 860) -> Iterator:
    """A fresh headless Chromium (its own profile) showing ``url``."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="voice-coach-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": width, "height": height},
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(url)
            try:
                yield page
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _modal(page):
    return page.locator("#modal")


def _submit(page) -> None:
    _modal(page).locator("button[type=submit]").click()


def _expect(locator, text: str | re.Pattern) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text, timeout=TIMEOUT_MS)


def _tab(page, name: str) -> None:
    page.locator(f"nav .tab[data-tab={name}]").click()


def _say(page, line: str) -> None:
    page.get_by_label(re.compile("^Message ")).fill(line)
    page.get_by_role("button", name="Send").click()


def _be(page, user_id: str) -> None:
    page.get_by_label("You are").select_option(user_id)


def walk(page, shot: Shot = lambda name: None) -> None:
    """Home → Get started → first challenge → a meeting → the clock moves → the check-ins
    before and after it → details → a shared win a teammate cheers → progress and chart."""
    from playwright.sync_api import expect

    home = page.locator("#home")
    dm = page.locator("#dm")
    channel = page.locator("#channel")

    # Home: a new person is invited to start.
    _expect(home, "Get started")
    home.get_by_role("button", name="Get started").click()
    modal = _modal(page)
    _expect(modal, "Where are you today?")
    modal.get_by_label("What would you like to change").fill(
        "Share my ideas in the weekly planning meeting"
    )
    modal.get_by_label("I speak when asked").check()
    modal.get_by_label("How confident are you").select_option("40")
    modal.get_by_label(re.compile("Share my wins")).check()
    modal.get_by_label("Channel for wins").select_option("C0TEAM")
    _submit(page)
    expect(page.locator("#modal-layer")).to_be_hidden()

    # Her first challenge arrives by DM.
    _tab(page, "dm")
    _expect(dm, "Step 3 of 8")
    _expect(dm, "Tip:")
    shot("first-challenge")

    # A meeting to practise in, every day at the next full hour.
    _say(page, "/voice meetings")
    _expect(dm, "Your practice meetings")
    dm.get_by_role("button", name="Add meeting").last.click()
    _expect(modal, "Repeats on")
    modal.get_by_label("Meeting", exact=True).fill("Weekly planning")
    for box in modal.locator("fieldset input[type=checkbox]").all():
        box.check()
    _submit(page)
    expect(page.locator("#modal-layer")).to_be_hidden()

    # Time moves to just before it: the pre-meeting check-in.
    page.get_by_role("button", name="15 min before the next meeting").click()
    _expect(dm, "Today's challenge")
    _expect(dm, "How confident are you that you'll do it?")
    _expect(dm, "Settle your nerves")  # the offer, on unless she turns it off
    pre = dm.locator("article", has_text="How confident are you that you'll do it?").last
    pre.scroll_into_view_if_needed()
    shot("pre-meeting-checkin")
    pre.locator("select").select_option(label="70")
    _expect(dm, re.compile(r"70"))

    # After the meeting: how did it go, then how it felt.
    page.get_by_role("button", name="Just after it ends").click()
    _expect(dm, "How did")
    after = dm.locator("article", has_text="How did").last
    after.get_by_role("button", name="I did it").click()
    # The details open at once (the DM keeps a button for them, for later).
    _expect(modal, "The challenge felt")
    _expect(dm, "Add how it felt")
    modal.get_by_label("About right").check()
    modal.get_by_label("How confident are you now").select_option("70")
    modal.get_by_label(re.compile("One line for yourself")).fill("Said it in the first minutes.")
    _submit(page)
    expect(page.locator("#modal-layer")).to_be_hidden()

    # The win: she shares it in #team.
    _expect(dm, "Share this with")
    question = dm.locator("article", has_text="took on a speaking challenge").last
    question.get_by_role("button", name="Share", exact=True).click()
    _tab(page, "channel")
    _expect(channel, "took on a speaking challenge")

    # Ana cheers; the post updates in place.
    _be(page, "U0ANA")
    _expect(channel, "took on a speaking challenge")
    channel.get_by_role("button", name=re.compile("Cheer")).last.click()
    _expect(channel, "Cheered by")
    _expect(channel, "Ana Ruiz")
    shot("shared-win")

    # Back to Mila: her progress, and the chart.
    _be(page, "U0MILA")
    _tab(page, "dm")
    _say(page, "/voice progress")
    _expect(dm, "Step 3 of 8")
    dm.get_by_role("button", name="Send me a chart").last.click()
    chart = dm.locator("figure.file img").last
    expect(chart).to_be_visible(timeout=TIMEOUT_MS)
    chart.scroll_into_view_if_needed()
    shot("progress-chart")


def write_screenshots(url: str, directory: Path) -> list[Path]:
    """Walk the tour and keep its four pictures in ``directory``; returns their paths."""
    missing = chromium_missing()
    if missing:
        raise SystemExit(f"voice-coach: can't take screenshots: {missing}")
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    with browser_page(url) as page:

        def shot(name: str) -> None:
            if name in PICTURES:
                path = directory / PICTURES[name]
                page.screenshot(path=str(path))
                written.append(path)

        walk(page, shot)
    return written
