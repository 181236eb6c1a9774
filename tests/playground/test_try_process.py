"""``python -m bot try`` as a person runs it: no Slack settings, every proxy pointing
nowhere (so any call off this machine would fail), ready within 3 s, and the page's
requests reach the app and come back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.app_runner import ROOT, free_port

pytestmark = pytest.mark.slow
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing answers


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def _state(url: str, user: str = "U0MILA") -> dict:
    with urllib.request.urlopen(f"{url}play/state?user={user}", timeout=10) as reply:
        return json.loads(reply.read())


def test_try_starts_offline_within_3_s_and_answers(tmp_path):
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    proxies = {name: NOWHERE for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    env = {**base, **proxies, **{k.lower(): v for k, v in proxies.items()}}
    env |= {"PYTHONPATH": str(ROOT), "PORT": str(port), "NO_PROXY": "", "no_proxy": ""}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "try"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = ""
        while "playground:" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, "exited before it was ready"
        # Ready within 3 s of starting (as it measures itself; the interpreter's start and
        # imports come on top, well under a second on an idle machine).
        ready = float(re.search(r"ready in ([0-9.]+) s", line).group(1))
        assert ready < 3, line
        assert time.monotonic() - started < 30
        url = f"http://127.0.0.1:{port}/"
        assert url in line
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        urllib.request.install_opener(opener)  # the test itself talks to it directly
        _post(url + "play/tab", {"user": "U0MILA", "tab": "home"})
        _post(url + "play/command", {"user": "U0MILA", "channel": "DU0MILA", "text": "/voice"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            state = _state(url)
            if "Get started" in state["home"] and "/voice start" in state["dm"]:
                break
            time.sleep(0.2)
        assert "Get started" in state["home"]
        assert "Only visible to you" in state["dm"]
        assert state["notices"] == []
        assert (tmp_path / "voice_coach_try.db").exists()
    finally:
        urllib.request.install_opener(None)
        process.terminate()
        process.wait(10)
