"""What one Web API call costs the app: kept-alive connections against slack_sdk's own.

    python bench/slack_calls.py [--calls 400] [--rounds 3]

Posts a pre-meeting check-in (the DM the dispatcher sends most) ``--calls`` times to
the fake Slack, one call after another, with the app's client (``make_client``:
``bot.slack.transport.KeptAliveWebClient``) and with slack_sdk's WebClient given the
same retry handlers: the floor, and what the app used before. Both over plain HTTP and
over HTTPS (the fake Slack serving TLS with a throwaway certificate for 127.0.0.1;
Slack itself only speaks HTTPS), in alternating rounds so the machine's load hits both
alike. CPU is the calling thread's own (the fake Slack answers from threads of this
process, which are not counted); connections are those the fake Slack accepted.

Prints, per scheme, CPU and wall milliseconds a call (median of the rounds) and
connections opened per 100 calls, then the ratio of the app's CPU to the floor's; the
last line is JSON. Goals: ≤ 1.1× the floor over HTTP (pooling costs nothing there) and
≤ 0.5× over HTTPS (no handshake per call). Wall time on 127.0.0.1 hides what the
handshakes cost in round trips: to a Slack 50 ms away a new connection adds 2 of them
(TCP, then TLS 1.3) before the call's own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import ssl
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from slack_sdk import WebClient

from bot.content import load_ladder
from bot.playground.fakeslack.web_api import FakeSlack
from bot.services.coaching import ChallengeCard
from bot.services.dispatch import CheckinMessage
from bot.slack.app import make_client
from bot.slack.blocks.checkins import build_pre_checkin
from bot.slack.transport import KeptAliveWebClient
from tests.conftest import BOT_TOKEN, TEAM_ID, make_settings

USER = "U0CALLS"


def throwaway_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed ECDSA certificate for 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def checkin_content() -> dict:
    ladder = load_ladder()
    step = ladder.step(3)
    card = ChallengeCard(3, step.name, ladder.top, ladder.challenge("answer-any-thoughts"))
    now = datetime.now(UTC)
    message = CheckinMessage(1, "pre", TEAM_ID, USER, "Stand-up", now, now, card, now)
    return build_pre_checkin(message)


def measure(client: WebClient, fake: FakeSlack, calls: int, content: dict) -> dict:
    client.chat_postMessage(channel=USER, **content)  # a first call, outside the count
    opened = fake.connections_opened
    cpu, wall = time.thread_time(), time.perf_counter()
    for _ in range(calls):
        client.chat_postMessage(channel=USER, **content)
    return {
        "cpu_ms": 1000 * (time.thread_time() - cpu) / calls,
        "wall_ms": 1000 * (time.perf_counter() - wall) / calls,
        "connections_per_100": 100 * (fake.connections_opened - opened) / calls,
    }


def run(scheme: str, calls: int, rounds: int, workdir: Path) -> dict:
    fake = FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM_ID)
    trust = None
    if scheme == "https":
        cert, key = throwaway_certificate(workdir)
        serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        serving.load_cert_chain(cert, key)
        trust = ssl.create_default_context(cafile=str(cert))
        fake.start(tls=serving)
    else:
        fake.start()
    fake.add_user(USER)
    content = checkin_content()
    try:
        # The app's client, trusting the throwaway certificate, and the floor alike.
        app = make_client(make_settings(fake, f"sqlite:///{workdir}/unused.db"))
        same = dict(token=BOT_TOKEN, base_url=fake.base_url, timeout=app.timeout, ssl=trust)
        ours = KeptAliveWebClient(**same, retry_handlers=app.retry_handlers)
        floor = WebClient(**same, retry_handlers=app.retry_handlers)
        results: dict[str, list[dict]] = {"app": [], "slack_sdk": []}
        for _ in range(rounds):
            results["slack_sdk"].append(measure(floor, fake, calls, content))
            results["app"].append(measure(ours, fake, calls, content))
    finally:
        fake.stop()
    return {
        who: {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}
        for who, runs in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="voice-calls-"))
    report, goals = {}, {"http": 1.1, "https": 0.5}
    for scheme in ("http", "https"):
        r = run(scheme, args.calls, args.rounds, workdir)
        r["cpu_ratio"] = round(r["app"]["cpu_ms"] / r["slack_sdk"]["cpu_ms"], 2)
        report[scheme] = r
        print(f"{scheme}: {args.calls} chat.postMessage calls in a row, {args.rounds} rounds")
        for who in ("slack_sdk", "app"):
            m = r[who]
            print(
                f"  {who:>9}: {m['cpu_ms']:.3f} ms CPU, {m['wall_ms']:.3f} ms wall a call, "
                f"{m['connections_per_100']:.0f} connections per 100 calls"
            )
        print(f"  the app's CPU a call: {r['cpu_ratio']:.2f}x slack_sdk's (goal {goals[scheme]})")
    print(
        json.dumps(
            {
                "benchmark": "slack_calls",
                "calls": args.calls,
                "rounds": args.rounds,
                **report,
                "goals_met": {
                    f"{scheme}_cpu_le_{goal}x": report[scheme]["cpu_ratio"] <= goal
                    for scheme, goal in goals.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
