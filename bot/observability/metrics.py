"""Every metric the app exports, in one place, and the ``GET /metrics`` page.

Names start with ``voice_coach_``. Labels name kinds of request, Slack methods, Slack
errors and reasons, never a person or a workspace.

Counters and histograms are kept by each process. Under gunicorn, prometheus_client's
multiprocess mode keeps each worker's values in a file of its own in one directory
(``bot.observability.multiproc`` sets it up) and the page sums the files of every worker,
live or dead, whichever worker serves it. In Socket Mode (one process) they stay in
memory.

The check-ins due and overdue are not kept by any process: the page counts them in the
database when it is served (one indexed query, ``storage.checkins.queue_depth``). Every
worker then reports the same, current number; a gauge set by each worker's dispatcher
would be stale between ticks and need a multiprocess mode (``max``, ``mostrecent``) to
pick one worker's copy of a number that belongs to none of them.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from bot.clock import Clock
from bot.storage import checkins
from bot.storage.db import Database

log = logging.getLogger(__name__)

# The same samples in both modes: multiprocess mode has no *_created series.
disable_created_metrics()

# Metrics are registered here, not in prometheus_client's global registry: in
# multiprocess mode the page reads the workers' files instead, and must not add this
# process's copy a second time.
_REGISTRY = CollectorRegistry(auto_describe=True)

# A check-in still unsent this long after it fell due means the senders are behind.
OVERDUE_AFTER = timedelta(minutes=5)

# Slack's deadline for an acknowledgement is 3 s.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)

REQUESTS = Counter(
    "voice_coach_requests",
    "Requests from Slack (over HTTP or Socket Mode), by kind and the HTTP status answered.",
    ["kind", "status"],
    registry=_REGISTRY,
)
ACK_SECONDS = Histogram(
    "voice_coach_ack_seconds",
    "Time from a Slack request's arrival to its acknowledgement, by kind.",
    ["kind"],
    buckets=ACK_BUCKETS,
    registry=_REGISTRY,
)
LISTENER_ERRORS = Counter(
    "voice_coach_listener_errors",
    "Listeners that failed after Slack's request reached them (the person got an apology "
    "where there was a way to reach her), by kind of request.",
    ["kind"],
    registry=_REGISTRY,
)
CHECKINS_SENT = Counter(
    "voice_coach_checkins_sent",
    "Check-in DMs Slack accepted.",
    registry=_REGISTRY,
)
CHECKINS_FAILED = Counter(
    "voice_coach_checkins_failed",
    "Check-ins given up on, by reason: refused (Slack refused the payload: a bug), "
    "recipient_gone (she can't get DMs any more), gave_up (errors on every try).",
    ["reason"],
    registry=_REGISTRY,
)
CHECKINS_LAPSED = Counter(
    "voice_coach_checkins_lapsed",
    "Check-ins no longer useful by the time they could be sent (expired unsent).",
    registry=_REGISTRY,
)
SLACK_API_ERRORS = Counter(
    "voice_coach_slack_api_errors",
    "Error answers from Slack's Web API and response URLs, each try counted (429s too), "
    "by method and error.",
    ["method", "error"],
    registry=_REGISTRY,
)
SLACK_REFUSED = Counter(
    "voice_coach_slack_refused",
    "Payloads Slack refused as malformed (invalid_blocks, no_text, ...), by method and "
    "error: each one is a bug in a message or view the app built.",
    ["method", "error"],
    registry=_REGISTRY,
)
RATE_LIMIT_WAITS = Counter(
    "voice_coach_slack_rate_limit_waits",
    "Waits Slack asked for (429 Retry-After), by who waited: client (a request's call "
    "slept and retried) or dispatcher (every process held its check-ins back).",
    ["by"],
    registry=_REGISTRY,
)
RATE_LIMIT_WAIT_SECONDS = Counter(
    "voice_coach_slack_rate_limit_wait_seconds",
    "Seconds of those waits, by who waited.",
    ["by"],
    registry=_REGISTRY,
)

FAILURE_REASONS = ("refused", "recipient_gone", "gave_up")
for _reason in FAILURE_REASONS:  # present at 0, so that an alert sees the first one
    CHECKINS_FAILED.labels(reason=_reason)

# Label values that come from Slack's answers are kept to the shape of Slack's error
# codes and method names, so a strange answer can't make an unbounded set of series.
_WORD = re.compile(r"[A-Za-z0-9_.]{1,64}")


def label(value: str | None, fallback: str = "other") -> str:
    return value if value and _WORD.fullmatch(value) else fallback


def slack_error(method: str, error: str) -> None:
    SLACK_API_ERRORS.labels(method=label(method), error=label(error)).inc()


def slack_refused(method: str, error: str) -> None:
    SLACK_REFUSED.labels(method=label(method), error=label(error)).inc()


def rate_limit_wait(by: str, seconds: float) -> None:
    RATE_LIMIT_WAITS.labels(by=by).inc()
    RATE_LIMIT_WAIT_SECONDS.labels(by=by).inc(max(0.0, seconds))


def request_handled(kind: str, status: int, seconds: float) -> None:
    REQUESTS.labels(kind=kind, status=str(status)).inc()
    ACK_SECONDS.labels(kind=kind).observe(seconds)


LISTENERS_IN_FLIGHT = Gauge(
    "voice_coach_listeners_in_flight",
    "Listeners queued or running (clicks are acknowledged before theirs start, so a busy "
    "process shows here rather than in the time to acknowledge), summed over live workers.",
    multiprocess_mode="livesum",
    registry=_REGISTRY,
)

HANDED_OVER = Counter(
    "voice_coach_handed_over",
    "Requests whose work after the acknowledgement a worker handed to its listener "
    "processes (bot.slack.handover).",
    registry=_REGISTRY,
)


class _Local:
    """This process's metrics, for the page in single-process mode."""

    def collect(self):
        return _REGISTRY.collect()


class _QueueDepth:
    """Check-ins due now and overdue now, counted in the database at each scrape."""

    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def collect(self):
        now = self._clock.now()
        try:
            with self._db.engine.connect() as connection:
                due, overdue = checkins.queue_depth(
                    connection, now=now, overdue_before=now - OVERDUE_AFTER
                )
        except Exception:  # the other metrics are still worth serving
            log.warning("check-ins due not counted: the database did not answer")
            return
        yield GaugeMetricFamily(
            "voice_coach_checkins_due",
            "Check-ins due now and not sent yet (read from the database at each scrape).",
            value=due,
        )
        yield GaugeMetricFamily(
            "voice_coach_checkins_overdue",
            f"Of those, the ones due over {OVERDUE_AFTER.seconds // 60} minutes ago: the "
            "senders are behind, stopped, or held back by Slack.",
            value=overdue,
        )


def render(db: Database, clock: Clock, multiprocess_dir: str | None) -> tuple[bytes, str]:
    """The page: (body, content type) in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir:
        MultiProcessCollector(registry, path=multiprocess_dir)
    else:
        registry.register(_Local())
    registry.register(_QueueDepth(db, clock))
    return generate_latest(registry), CONTENT_TYPE_LATEST
