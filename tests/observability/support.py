"""Reading the /metrics page as Prometheus would (its text format, parsed), and breaking a
payload on purpose the way Slack refuses."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def scrape(base_url: str) -> str:
    with urllib.request.urlopen(base_url.rstrip("/") + "/metrics", timeout=5) as reply:
        assert reply.status == 200
        assert reply.headers["Content-Type"].startswith("text/plain")
        return reply.read().decode()


def value(text: str, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly these labels; 0 if the page has none."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def names(text: str) -> set[str]:
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


def with_option_without_text(message: dict) -> dict:
    """The message with one more option, lacking its text, in its first menu: the bug
    Slack refused once (invalid_blocks, pointing at the option)."""
    for block in message["blocks"]:
        menu = block.get("accessory") or {}
        if "options" in menu:
            menu["options"].append({"value": "broken"})
            return message
    raise AssertionError("the message has no menu to break")


def grew(before: str, after: str, name: str, **labels: str) -> float:
    """How much a sample grew between two scrapes."""
    return value(after, name, **labels) - value(before, name, **labels)
