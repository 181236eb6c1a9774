"""The guarded calendar client, against servers on 127.0.0.1 only.

Every socket connect in these tests goes through a spy: anything off 127.0.0.0/8 is stopped
before it leaves and fails the test, and refusals assert that nothing connected at all.
Every link carries SECRET, which must never reach an error or a log line.
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time
import traceback

import pytest
from ssrfguard.httpx import SafeTransport

from bot.ical.client import (
    BROWSER_USER_AGENT,
    USER_AGENT,
    WHY_CODES,
    FeedClient,
    FeedError,
    Fetched,
    feed_policy,
    normalize_url,
    redact,
    user_agent_for,
)
from tests.ical.server import (
    FeedServer,
    RawServer,
    big,
    calendar,
    drip,
    never_answer,
    redirect,
    status,
)

SECRET = "private-5ec4e7c0ffee"
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
FEED = f"/calendar/ical/mila%40example.com/{SECRET}/basic.ics"
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


@pytest.fixture(autouse=True)
def connects(monkeypatch) -> list[str]:
    """Addresses sockets tried to connect to; one off 127.0.0.0/8 never gets out."""
    attempted: list[str] = []
    real_connect = socket.socket.connect

    def spy(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            attempted.append(address[0])
            if ipaddress.ip_address(address[0]) not in LOOPBACK:
                raise AssertionError(f"a connection to {address[0]} was attempted")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    return attempted


@pytest.fixture(autouse=True)
def logs_never_hold_the_link(caplog):
    caplog.set_level(logging.DEBUG)
    yield
    # At teardown caplog.records is teardown's own (empty) list: ask for the test's.
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        assert SECRET not in record.getMessage(), record.name
        assert SECRET not in (record.exc_text or ""), record.name


@pytest.fixture
def server():
    feed = FeedServer()
    feed.routes[FEED] = calendar(ICS, etag='"v1"', last_modified="Mon, 07 Dec 2026 09:00:00 GMT")
    yield feed
    feed.close()


@pytest.fixture
def raw_servers():
    started: list[RawServer] = []

    def start(behaviour) -> RawServer:
        started.append(RawServer(behaviour))
        return started[-1]

    yield start
    for raw in started:
        raw.close()


def refused(client: FeedClient, url, why: str) -> FeedError:
    """Fetches, expects FeedError(why), and checks that nothing in it names the link."""
    with pytest.raises(FeedError) as caught:
        client.fetch(url)
    error = caught.value
    assert error.why == why
    told = str(error) + repr(error) + "".join(traceback.format_exception(error))
    assert SECRET not in told
    assert error.__cause__ is None and error.__context__ is None
    return error


# ---- fetching -----------------------------------------------------------------------------


def test_fetches_her_calendar_with_its_validators(server):
    fetched = FeedClient(allow_loopback=True).fetch(server.url(FEED))

    assert fetched == Fetched("ok", ICS, etag='"v1"', last_modified="Mon, 07 Dec 2026 09:00:00 GMT")
    ((_, headers),) = server.requests
    assert headers["User-Agent"] == USER_AGENT
    assert headers["Accept-Encoding"] == "identity"
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers


@pytest.mark.parametrize(
    "validators",
    [{"etag": '"v1"'}, {"last_modified": "Mon, 07 Dec 2026 09:00:00 GMT"}],
    ids=["etag", "last-modified"],
)
def test_validators_sent_back_get_not_modified(server, validators):
    fetched = FeedClient(allow_loopback=True).fetch(server.url(FEED), **validators)

    assert fetched.status == "not_modified" and fetched.body is None
    assert fetched.etag == '"v1"'
    ((_, headers),) = server.requests
    assert headers.get("If-None-Match") == validators.get("etag")
    assert headers.get("If-Modified-Since") == validators.get("last_modified")


def test_follows_three_redirects_and_refuses_the_fourth(server):
    for hop in range(1, 5):
        server.routes[f"/{SECRET}/r{hop}"] = redirect(f"/{SECRET}/r{hop - 1}")
    server.routes[f"/{SECRET}/r0"] = calendar(ICS)
    client = FeedClient(allow_loopback=True)

    assert client.fetch(server.url(f"/{SECRET}/r3")).body == ICS
    server.requests.clear()
    refused(client, server.url(f"/{SECRET}/r4"), "too_many_redirects")
    assert server.paths() == [f"/{SECRET}/r{hop}" for hop in (4, 3, 2, 1)]  # r0 never asked


def test_no_cookie_is_kept_from_one_fetch_to_the_next(server):
    def with_cookie(handler):
        handler.send_response(200)
        handler.send_header("Set-Cookie", "affinity=mila; Path=/")
        handler.send_header("Content-Length", str(len(ICS)))
        handler.end_headers()
        handler.wfile.write(ICS)

    server.routes[f"/{SECRET}/mila"] = with_cookie
    client = FeedClient(allow_loopback=True)
    client.fetch(server.url(f"/{SECRET}/mila"))
    client.fetch(server.url(FEED))  # someone else's calendar on the same server

    assert [headers.get("Cookie") for _, headers in server.requests] == [None, None]


# ---- the production policy: https to public addresses only --------------------------------


def test_production_refuses_http_before_connecting(server, connects):
    refused(FeedClient(), server.url(FEED), "not_https")
    assert server.connections == 0 and connects == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:{port}" + FEED,
        "https://10.0.0.1" + FEED,
        "https://169.254.169.254/latest/meta-data/" + SECRET,
        "https://[fd00:ec2::254]/" + SECRET,
        "https://[::ffff:169.254.169.254]/" + SECRET,
        "https://100.64.0.1/" + SECRET,
        "https://224.0.0.1/" + SECRET,
        "https://[::1]/" + SECRET,
        "https://localhost/" + SECRET,
    ],
)
def test_production_refuses_forbidden_addresses_without_connecting(server, connects, url):
    refused(FeedClient(), url.format(port=server.port), "forbidden_address")
    assert server.connections == 0 and connects == []


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"]
)
def test_loopback_mode_widens_to_127_only(server, connects, url):
    client = FeedClient(allow_loopback=True)

    refused(client, url + SECRET, "forbidden_address")
    assert connects == []
    assert client.fetch(server.url(FEED)).status == "ok"


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "https://10.0.0.1/"]
)
def test_a_redirect_to_a_forbidden_address_is_refused(server, connects, target):
    server.routes[f"/{SECRET}/away"] = redirect(target + SECRET)

    refused(FeedClient(allow_loopback=True), server.url(f"/{SECRET}/away"), "forbidden_address")
    assert server.paths() == [f"/{SECRET}/away"]
    assert connects == ["127.0.0.1"]


def _stub_dns(names: dict[str, list[str]]):
    """ssrfguard's resolver hook: these names, these addresses, and no real lookup."""

    def resolve(host, port, *_args):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in names[host]
        ]

    return resolve


def test_what_a_name_resolves_to_is_checked_on_every_hop(server, connects):
    dns = _stub_dns({"calendar.test": ["127.0.0.1"], "intranet.test": ["10.0.0.1"]})
    policy = feed_policy(allow_loopback=True)
    client = FeedClient(allow_loopback=True, transport=SafeTransport(policy=policy, resolver=dns))
    server.routes[f"/{SECRET}/hop"] = redirect(f"http://intranet.test:{server.port}/{SECRET}")
    named = f"http://calendar.test:{server.port}"

    assert client.fetch(named + FEED).body == ICS
    refused(client, named + f"/{SECRET}/hop", "forbidden_address")
    assert set(connects) == {"127.0.0.1"}


@pytest.mark.parametrize(
    "addresses",
    [["169.254.169.254"], ["::ffff:10.0.0.1"], ["93.184.215.14", "10.0.0.1"]],
    ids=["metadata", "mapped-private", "public-and-private"],
)
def test_production_checks_resolved_addresses_before_connecting(connects, addresses):
    dns = _stub_dns({"calendar.example": addresses})
    client = FeedClient(transport=SafeTransport(policy=feed_policy(), resolver=dns))

    # A name resolving both ways is the mark of DNS rebinding: refused whole, nothing tried.
    refused(client, "https://calendar.example/" + SECRET, "forbidden_address")
    assert connects == []


def test_a_transport_must_carry_the_clients_policy():
    with pytest.raises(ValueError):
        FeedClient(transport=SafeTransport(policy=feed_policy(allow_loopback=True)))


# ---- size and time ------------------------------------------------------------------------


@pytest.mark.parametrize("content_length", [True, False], ids=["announced", "streamed"])
def test_a_6_mb_body_is_refused_without_reading_it_all(server, content_length):
    path = f"/{SECRET}/big"
    server.routes[path] = big(6_000_000, content_length=content_length)

    refused(FeedClient(allow_loopback=True), server.url(path), "too_large")
    deadline = time.monotonic() + 2
    while server.finished.get(path) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert server.finished[path] is False and server.sent[path] < 6_000_000


def test_a_server_that_never_answers_times_out(raw_servers):
    silent = raw_servers(never_answer)
    started = time.monotonic()

    refused(FeedClient(allow_loopback=True, timeout=0.5), silent.url(FEED), "timeout")
    assert 0.4 < time.monotonic() - started < 1.0


def test_a_name_server_that_never_answers_times_out_and_holds_no_fetch_past_its_time(server):
    """getaddrinfo takes no timeout: a lookup held by a hostile name server must not
    hold the fetch (nor, with every lookup thread held, the next ones)."""
    held = threading.Event()
    answer = _stub_dns({"calendar.test": ["127.0.0.1"]})

    def stalls(host, port, *args):
        if host == "stall.test":
            held.wait(10)
        return answer("calendar.test", port, *args)

    policy = feed_policy(allow_loopback=True)
    client = FeedClient(
        allow_loopback=True,
        timeout=0.5,
        transport=SafeTransport(policy=policy, resolver=stalls),
    )
    try:
        for _ in range(10):  # more than the lookup threads: the later ones queue
            started = time.monotonic()
            refused(client, f"http://stall.test:{server.port}{FEED}", "timeout")
            assert time.monotonic() - started < 0.8
        held.set()  # the name server answers at last: names resolve again
        assert client.fetch(f"http://calendar.test:{server.port}{FEED}").body == ICS
    finally:
        held.set()


@pytest.mark.parametrize(
    "head",
    [b"HTTP/1.1 200 OK\r\nX-Slow: ", b"HTTP/1.0 200 OK\r\nContent-Type: text/calendar\r\n\r\n"],
    ids=["headers", "body"],
)
def test_a_server_dripping_a_byte_every_tenth_of_a_second_is_cut_off(raw_servers, head):
    dripping = raw_servers(drip(head, every=0.1))
    started = time.monotonic()

    refused(FeedClient(allow_loopback=True, timeout=0.5), dripping.url(FEED), "timeout")
    assert time.monotonic() - started < 0.8


# ---- what else goes wrong -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not_found"),
        (410, "not_found"),
        (500, "server_error"),
        (503, "server_error"),
        (400, "http_error"),
        (418, "http_error"),
    ],
)
def test_http_statuses_map_to_codes(server, code, why):
    server.routes[f"/{SECRET}/{code}"] = status(code)
    refused(FeedClient(allow_loopback=True), server.url(f"/{SECRET}/{code}"), why)


def test_a_closed_port_or_broken_http_is_unreachable(raw_servers):
    with socket.create_server(("127.0.0.1", 0)) as unused:
        closed_port = unused.getsockname()[1]
    client = FeedClient(allow_loopback=True)
    refused(client, f"http://127.0.0.1:{closed_port}{FEED}", "unreachable")

    garbage = raw_servers(lambda conn: conn.sendall(b"NOT HTTP AT ALL\r\n\r\n"))
    refused(client, garbage.url(FEED), "unreachable")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "not_a_url"),
        ("not a url " + SECRET, "not_a_url"),
        ("calendar.google.com" + FEED, "not_a_url"),
        ("https://", "not_a_url"),
        ("https://[::1" + FEED, "not_a_url"),
        ("https://user:pw@calendar.example" + FEED, "not_a_url"),
        (None, "not_a_url"),
        ("ftp://calendar.example" + FEED, "not_https"),
        ("http://calendar.example" + FEED, "not_https"),
    ],
)
def test_what_is_not_an_https_link_is_refused_before_any_io(connects, url, why):
    refused(FeedClient(), url, why)
    assert connects == []


def test_every_code_is_declared():
    # The closed set the UI turns into field errors (issue 13), pinned here.
    declared = """not_a_url not_https forbidden_address too_many_redirects too_large timeout
        unreachable unauthorized forbidden not_found server_error http_error"""
    assert set(declared.split()) == WHY_CODES
    with pytest.raises(ValueError):
        FeedError("something else")


# ---- webcal, User-Agent, what may be shown ------------------------------------------------


def test_webcal_links_mean_https():
    assert normalize_url(" webcal://calendar.google.com/x.ics\n") == (
        "https://calendar.google.com/x.ics"
    )
    assert normalize_url("WEBCALS://outlook.office365.com/x") == "https://outlook.office365.com/x"
    assert normalize_url("https://example.com/webcal://x") == "https://example.com/webcal://x"


def test_a_webcal_link_opens_tls(raw_servers):
    plain = raw_servers(never_answer)

    refused(FeedClient(allow_loopback=True, timeout=0.5), plain.url(FEED, "webcal"), "timeout")
    assert plain.first_bytes[:1] == b"\x16"  # a TLS handshake record, not "GET "


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_a_webcal_link_is_fetched_over_https(tls_files, monkeypatch, connects):
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    secure = FeedServer(tls=context)
    secure.routes[FEED] = calendar(ICS)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # httpx trusts it when the client is built
    try:
        fetched = FeedClient(allow_loopback=True).fetch(secure.url(FEED, "webcal"))
    finally:
        secure.close()
    assert fetched.body == ICS and secure.paths() == [FEED]


def test_outlook_hosts_get_a_browser_user_agent():
    for host in ("outlook.office365.com", "outlook.live.com", "OUTLOOK.OFFICE.COM."):
        assert user_agent_for(host) == BROWSER_USER_AGENT
        assert BROWSER_USER_AGENT.startswith("Mozilla/5.0")
    for host in ("calendar.google.com", "outlook.office365.com.evil.test", "127.0.0.1"):
        assert user_agent_for(host) == USER_AGENT == "VoiceCoach/1.0 (+calendar sync)"


def test_the_user_agent_is_chosen_for_each_hop(server):
    dns = _stub_dns({"outlook.office365.com": ["127.0.0.1"], "calendar.test": ["127.0.0.1"]})
    transport = SafeTransport(policy=feed_policy(allow_loopback=True), resolver=dns)
    client = FeedClient(allow_loopback=True, transport=transport)
    server.routes[f"/{SECRET}/owa"] = redirect(f"http://calendar.test:{server.port}{FEED}")

    client.fetch(f"http://outlook.office365.com:{server.port}/{SECRET}/owa")
    assert [headers["User-Agent"] for _, headers in server.requests] == [
        BROWSER_USER_AGENT,
        USER_AGENT,
    ]


def test_logs_show_the_host_only(server, caplog):
    client = FeedClient(allow_loopback=True)
    client.fetch(server.url(FEED))
    refused(client, server.url(f"/{SECRET}/missing"), "not_found")

    assert "http://127.0.0.1/…" in caplog.text  # httpx's own request line, redacted
    assert "failed: not_found" in caplog.text


def test_redact_keeps_scheme_and_host():
    assert redact("https://calendar.google.com" + FEED) == "https://calendar.google.com/…"
    assert redact("https://mila:pw@[::1]:8443/x?token=1") == "https://[::1]/…"
    assert redact("not a url " + SECRET) == "<not a URL>"
    assert redact("http://[::1" + SECRET) == "<not a URL>"


def test_reprs_hold_neither_link_nor_calendar():
    fetched = Fetched("ok", ICS, etag='"v1"')
    assert repr(fetched) == (
        f"Fetched(status='ok', body=<{len(ICS)} bytes>, etag='\"v1\"', last_modified=None)"
    )
    assert repr(FeedError("timeout")) == "FeedError('timeout')" and str(FeedError("timeout")) == (
        "timeout"
    )
    with FeedClient() as client:
        assert repr(client) == (
            "FeedClient(allow_loopback=False, timeout=10.0, max_bytes=5000000, max_redirects=3)"
        )
