"""The floor for bench/dispatch.py: the same DMs sent by slack_sdk alone, no app.

    python bench/bare_sender.py BASE_URL COUNT CONCURRENCY

Posts COUNT ready-made pre-meeting check-ins (one per person, to the DMs that
bench/dispatch.py seeds) with a plain WebClient from CONCURRENCY threads; prints
one JSON line: wall seconds and CPU seconds of this process while sending. Each
carries a coping story, as the app's do there: its people have had none this week.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_sdk import WebClient

from bot.content import load_ladder
from bot.content.stories import load_stories
from bot.services.coaching import ChallengeCard
from bot.services.dispatch import CheckinMessage
from bot.slack.blocks.checkins import build_pre_checkin
from bot.slack.blocks.stories import build_with_story
from tests.conftest import BOT_TOKEN

CHALLENGE = "answer-any-thoughts"


def main() -> None:
    base_url, count, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ladder = load_ladder()
    step = ladder.step(3)
    card = ChallengeCard(3, step.name, ladder.top, ladder.challenge(CHALLENGE))
    now = datetime.now(UTC)
    sample = CheckinMessage(1, "pre", "T", "U", "Stand-up 1", now, now, card, now + timedelta(1))
    content = build_with_story(build_pre_checkin(sample), load_stories(ladder).at_step(3)[0])
    client = WebClient(token=BOT_TOKEN, base_url=base_url, timeout=10)

    def post(n: int) -> None:
        client.chat_postMessage(channel=f"DUB{n:07d}", **content)

    started, cpu = time.monotonic(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(post, range(count)))
    print(
        json.dumps(
            {"seconds": time.monotonic() - started, "cpu_seconds": time.process_time() - cpu}
        )
    )


if __name__ == "__main__":
    main()
