"""``python -m bot try``: the playground on PORT until Ctrl+C, or (``--screenshots DIR``)
the tour through it in a headless browser, writing the README's pictures."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

from bot.playground.web import Playground, serve

# Everything the playground sends stays on 127.0.0.1 (the page, the app, the local Slack);
# slack_sdk sends through a proxy named here whatever NO_PROXY says, so none is used.
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def run(port: int, *, screenshots: Path | None = None, directory: Path | None = None) -> int:
    started = time.monotonic()
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
        os.environ.pop(name.lower(), None)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line a second is noise
    playground = Playground(directory or Path.cwd())
    try:
        server = serve(playground, port)
    except OSError as e:
        playground.stop()
        print(
            f"voice-coach: port {port} is busy ({e.strerror}); set PORT to a free one, "
            "e.g. PORT=3001 python -m bot try",
            file=sys.stderr,
        )
        return 2
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        if screenshots is not None:
            from bot.playground.tour import write_screenshots

            for path in write_screenshots(url, screenshots):
                print(path)
            return 0
        print(
            f"Voice Coach playground: {url}  (no Slack needed; ready in "
            f"{time.monotonic() - started:.1f} s; Ctrl+C stops it)",
            flush=True,
        )
        threading.Event().wait()
        return 0
    finally:
        server.shutdown()
        server.server_close()
        playground.stop()
