"""The work after Slack's acknowledgement, in processes of its own.

A gunicorn worker answers Slack and then does the work the answer promised: the reply,
the Slack calls, the database writes. Both need the worker's one GIL, so under load an
acknowledgement waited for other requests' work (bench/ack_latency.py at 8 in flight:
p99 4× a bare Bolt app's on SQLite, 7× on PostgreSQL; 1.6× and 3.6–3.8× with one
listener process on this two-core machine, 1.1–1.3× and 1.3–1.5× once its niceness and
the changes around it of 5 Dec 2026 were in). Here the worker keeps the
acknowledgement and hands the rest to listener processes, which the operating system
schedules beside it, at a lower priority: a click or an event as a whole (its ack
carries nothing and is sent on arrival), and a command's or a modal submission's lazy
listener (Bolt's ``ack=`` / ``lazy=[...]``: the ack function answers in the worker, the
lazy one works in a listener process).

A handed-over request is the raw body and headers Slack sent, put on a queue that the
worker's listener processes share. Each process built the app as the worker did (its
own database connections, its own Slack client) and dispatches the request to it again
with Bolt, which runs the listener to its end in the thread that took it or, for a lazy
one, the listener named in its headers (``x-slack-bolt-lazy-function-name``, as Bolt's
AWS Lambda adapter does). The worker
verified the signature; the processes trust their queue and don't again (a backlog
older than Slack's five minutes would otherwise be refused).

What a process had taken and not finished is lost if it is killed, as a listener thread's
work is when a worker dies; a process that died is replaced at the next hand-over.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from dataclasses import replace
from queue import Empty

from slack_bolt import BoltRequest
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.util.utils import get_arg_names_of_callable, get_name_for_callable

from bot.clock import Clock, ScaledClock
from bot.observability import metrics
from bot.observability.multiproc import process_gone
from bot.settings import Settings
from bot.slack.requests import SlackRequest
from bot.slack.slots import CpuSlots

log = logging.getLogger(__name__)

# On a request the worker handed over: the listener process must not hand it on again,
# nor count it as a request Slack sent.
HANDED_OVER = "x-voice-coach-handed-over"
_LAZY_ONLY = "x-slack-bolt-lazy-only"
_LAZY_NAME = "x-slack-bolt-lazy-function-name"
# A process dispatches this many requests at once, each to its end (their Slack calls
# and database round trips wait on the network)...
THREADS = 16
# ...of which this many use its CPU at once, the others waiting on Slack (bot.slack.slots).
# bench/ack_latency.py on PostgreSQL, CPU a request over the bare app's making the same
# Slack calls, with 2, 4, 8 and 16 threads taking requests and no slots: 2.09–2.18,
# 2.17–2.34, 2.44–2.63 and 2.59–2.74; the app's CPU a request with 16 threads and 2
# slots 3.83–3.88 ms, without them 4.23–4.69 (alternating runs, 5 Dec 2026).
CPU_SLOTS = 2
# How long a stopping worker lets its processes finish what they have taken.
STOP_SECONDS = 10.0
# How often an idle listener process checks that its worker is still there.
WATCH_SECONDS = 1.0
# A listener process's niceness above its worker's: when both want a CPU, the worker's
# acknowledgements (due in 3 s) go before the replies and writes (due when done).
# bench/ack_latency.py on PostgreSQL, in alternating runs: ack p99 31 and 34 ms with it,
# 37 and 46 without (4 Dec 2026).
NICER = 10


def handed_over(request: BoltRequest) -> bool:
    return bool(request.headers.get(HANDED_OVER))


class Handover:
    """A worker's listener processes and the queue they share."""

    def __init__(self, settings: Settings, *, processes: int, clock: Clock | None = None):
        if processes < 1:
            raise ValueError("a hand-over needs at least one listener process")
        if isinstance(clock, ScaledClock):  # every process tells the worker's time
            settings = replace(settings, clock_anchor=clock.anchor)
        self._settings = settings
        self._context = multiprocessing.get_context("spawn")  # not a fork of a threaded worker
        self._queue = self._context.Queue()
        self._processes: list = [None] * processes
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            for i in range(len(self._processes)):
                self._processes[i] = self._spawn()

    def send(self, request: BoltRequest, *, lazy_function_name: str | None = None) -> None:
        """Hand ``request`` (answered already) to a listener process: the listener it
        matches, or only its lazy listener of that name."""
        headers = {**request.headers, HANDED_OVER: ["1"]}
        if lazy_function_name is not None:
            headers[_LAZY_ONLY] = ["1"]
            headers[_LAZY_NAME] = [lazy_function_name]
        self._revive()
        self._queue.put((request.raw_body, headers))
        metrics.HANDED_OVER.inc()

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Each process finishes what it has taken and what is queued, then exits."""
        with self._lock:
            alive = [p for p in self._processes if p is not None and p.is_alive()]
            for _ in alive:
                self._queue.put(None)
            for process in alive:
                process.join(timeout)
                if process.is_alive():
                    log.warning("listener process %d did not stop in time", process.pid)
                    process.kill()
                    process.join(1)
                process_gone(process.pid, self._settings.metrics_dir)
            self._processes = [None] * len(self._processes)

    def _revive(self) -> None:
        # One waitpid(WNOHANG) a process per hand-over: a killed one is replaced before
        # its share of the queue waits for it.
        if all(p is not None and p.is_alive() for p in self._processes):
            return
        with self._lock:
            for i, process in enumerate(self._processes):
                if process is not None and not process.is_alive():
                    log.warning(
                        "listener process %d exited (%s); starting another",
                        process.pid,
                        process.exitcode,
                    )
                    process_gone(process.pid, self._settings.metrics_dir)
                    self._processes[i] = self._spawn()

    def _spawn(self):
        process = self._context.Process(
            target=serve,
            args=(self._settings, self._queue, os.getpid()),
            name="voice-coach-listener",
        )
        process.daemon = True  # never outlives its worker
        process.start()
        return process


_ONLY_ANSWERS = "voice_coach_only_answers"


def answers_only(listener):
    """Marks a listener whose whole work is its ack (help, a form's errors; any more is in
    its lazy listeners): it runs in the request's own thread (``HandingOverRunner``)."""
    setattr(listener, _ONLY_ANSWERS, True)
    return listener


def only_answers(listener) -> bool:
    return getattr(listener, _ONLY_ANSWERS, False)


class HandingOverRunner(ThreadListenerRunner):
    """Bolt's listener runner, with two changes.

    A lazy listener (a command's or a submission's work after its ack) goes to a listener
    process when the worker has them (``app.handover``): as the request Slack sent,
    without Bolt's deep copy of it and its context for a thread here, which cost the
    worker a sixth of its CPU (bench/ack_latency.py's profile).

    A listener that only answers (``answers_only``) runs in the thread that dispatches
    its request, as Bolt runs every listener with ``process_before_response``. Bolt
    otherwise runs it on a listener thread and looks for its ack every 10 ms: a command's
    answer waited for a thread to wake and for the next look, 10–20 ms at 8 in flight
    (bench/ack_latency.py, 4 Dec 2026). Listeners that go on working after their ack
    still run on listener threads, so that their request is answered at the ack."""

    def __init__(self, runner: ThreadListenerRunner, app, *, in_thread: bool = False):
        super().__init__(
            logger=runner.logger,
            process_before_response=in_thread or runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            listener_executor=runner.listener_executor,
            lazy_listener_runner=AfterAck(app),
        )
        self._app = app
        # Bolt's path for a listener that runs before the response, in the request's thread.
        self._in_thread = (
            None if self.process_before_response else type(self)(runner, app, in_thread=True)
        )

    def run(self, request, response, listener_name, listener, starting_time=None):
        if self._in_thread is not None and only_answers(listener.ack_function):
            return self._in_thread.run(request, response, listener_name, listener, starting_time)
        return super().run(request, response, listener_name, listener, starting_time)

    def _start_lazy_function(self, lazy_func, request: BoltRequest) -> None:
        handover = self._app.handover
        if handover is None:
            super()._start_lazy_function(lazy_func, request)
        else:
            handover.send(request, lazy_function_name=get_name_for_callable(lazy_func))


class AfterAck(LazyListenerRunner):
    """Runs Bolt's lazy listeners in this process: on the app's listener threads after
    the listeners still owing an ack, or at once in a listener process (``run``). A
    failing one is handled as a failing listener is (logged, counted, an apology to
    her), where Bolt's own runner only logs it."""

    def __init__(self, app):
        self._app = app
        self.logger = app.logger

    def start(self, function, request: BoltRequest) -> None:
        self._app.listener_pool.submit_after_ack(self.run, function, request)

    def run(self, function, request: BoltRequest) -> None:
        try:
            function(
                **build_required_kwargs(
                    logger=self.logger,
                    required_arg_names=get_arg_names_of_callable(function),
                    request=request,
                    response=None,
                    this_func=function,
                )
            )
        except Exception as e:
            self._app.listener_runner.listener_error_handler.handle(
                error=e, request=request, response=None
            )


def serve(settings: Settings, queue, worker: int) -> None:
    """A listener process: builds the app, then dispatches what the worker (its parent,
    ``worker``) hands over until it is told to stop (None) or the worker is gone,
    finishing what it has taken. Each of its threads takes from the queue itself: one
    thread that took each request and handed it to a pool held 7–18 % of the process's
    samples in bench/ack_latency.py's profiles, and the process spent 0.26 ms more CPU a
    request with it, on average, in alternating runs (4–5 Dec 2026)."""
    from bot.bootstrap import build_listener_app
    from bot.logs import configure_logging

    configure_logging(settings.log_level, settings.secrets())
    os.nice(NICER)
    app = build_listener_app(settings)
    stopping = threading.Event()
    slots = CpuSlots(CPU_SLOTS)
    threads = [
        threading.Thread(
            target=_take, args=(app, queue, worker, stopping, slots), name=f"handed-over-{n}"
        )
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.listener_pool.shutdown(wait=True)


def _take(app, queue, worker: int, stopping: threading.Event, slots: CpuSlots) -> None:
    for parcel in _parcels(queue, worker, stopping, slots):
        _dispatch(app, *parcel)


def _parcels(queue, worker: int, stopping: threading.Event, slots: CpuSlots):
    """What the worker hands over, until None, or until the worker is gone (killed: this
    process holds the queue's pipe too, so it would never read an end); either stops
    the process's other threads too (``stopping``) once they finish what they took.
    ``worker`` is the pid it was started by, not read here: one killed while this
    process started would be gone already. A parcel is taken with one of ``slots``,
    kept for the next while the slots aren't over-subscribed."""
    held = False
    try:
        while not stopping.is_set():
            if not held and not slots.take(timeout=WATCH_SECONDS):
                _watch(worker, stopping)
                continue
            held = True
            try:
                parcel = queue.get(timeout=WATCH_SECONDS)
            except Empty:
                _watch(worker, stopping)
                continue
            if parcel is None:
                if not _stop(stopping):  # this process's None was taken: another's, put back
                    queue.put(None)
                return
            yield parcel
            held = slots.keep()
    finally:
        if held:
            slots.give_back()


def _watch(worker: int, stopping: threading.Event) -> None:
    if os.getppid() != worker and _stop(stopping):
        log.warning("the worker is gone; this listener process stops")


_STOPPING = threading.Lock()


def _stop(stopping: threading.Event) -> bool:
    """Whether this call stopped the process (it was not stopping yet)."""
    with _STOPPING:
        first = not stopping.is_set()
        stopping.set()
        return first


def _dispatch(app, body: str, headers: dict) -> None:
    try:
        app.dispatch(SlackRequest(body=body, headers=headers))
    except Exception:  # Bolt handles a listener's errors; this is anything around it
        log.exception("a handed-over request could not be dispatched")
