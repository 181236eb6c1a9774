"""``python -m bot`` (and the ``voice-coach`` script): run the app or manage its database."""

from __future__ import annotations

import argparse
import sys

from bot.clock import SystemClock
from bot.settings import Settings, SettingsError, load_settings

PROG = "voice-coach"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Voice Coach. With no command, runs the app (Socket Mode when "
        "SLACK_APP_TOKEN is set, else HTTP on PORT).",
    )
    commands = parser.add_subparsers(dest="command")
    db = commands.add_parser("db", help="manage the database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="bring the schema up to date")
    db_commands.add_parser("current", help="print the schema revision")
    revision = db_commands.add_parser("revision", help="autogenerate a migration (developers)")
    revision.add_argument("-m", "--message", required=True)
    try_it = commands.add_parser(
        "try",
        help="try it without Slack: the app, a local Slack and a page that plays Slack's "
        "client, on PORT (default 3000)",
    )
    try_it.add_argument(
        "--screenshots",
        metavar="DIR",
        help="walk the tour in a headless Chromium and write its pictures to DIR, then stop",
    )
    commands.add_parser(
        "ladder-report",
        help="challenges whose real difficulty (learned from everyone) puts them on another step",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(require_slack=args.command is None)
        from bot.logs import configure_logging

        configure_logging(settings.log_level, settings.secrets())
        if args.command == "db":
            return _db(settings, args)
        if args.command == "try":
            return _try(settings, args)
        if args.command == "ladder-report":
            return _ladder_report(settings)
        return _run(settings)
    except SettingsError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _db(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import StartupError, open_database
    from bot.storage import migrate

    try:
        db = open_database(settings, upgrade=False)
    except StartupError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    if args.db_command == "upgrade":
        migrate.upgrade(db.engine)
        print(f"database is at revision {migrate.current_revision(db.engine)}")
    elif args.db_command == "current":
        print(migrate.current_revision(db.engine) or "empty (run: python -m bot db upgrade)")
    else:
        migrate.make_revision(db.engine, args.message)
    return 0


def _ladder_report(settings: Settings) -> int:
    from bot.bootstrap import StartupError, build_services, load_content, open_database
    from bot.domain.difficulty import MISPLACED_BY, TRUSTED_AFTER

    try:
        ladder = load_content()
        db = open_database(settings)
    except StartupError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    report = build_services(db, SystemClock(), ladder).coaching.ladder_report()
    print(
        f"Challenges {MISPLACED_BY} steps or more from their step, after {TRUSTED_AFTER} "
        "attempts or more (difficulty: the step at which people manage it 80 % of the time)."
    )
    if not any(report.values()):
        print("None: every challenge with enough attempts sits on the right step.")
    for pool, found in report.items():
        if not found:
            continue
        print(f"\n{'All workspaces' if pool == '*' else 'Workspace ' + pool}:")
        for m in found:
            print(
                f"  {m.challenge_id} (step {m.step}): difficulty {m.difficulty:.1f} "
                f"from {m.attempts} attempts; {'harder' if m.difficulty > m.step else 'easier'}"
                f" than its step, nearer step {round(m.difficulty)}"
            )
    return 0


def _try(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.playground.run import run

    return run(settings.port, screenshots=Path(args.screenshots) if args.screenshots else None)


def _run(settings: Settings) -> int:
    # Before anything imports prometheus_client: it picks its storage at import.
    from bot.observability import multiproc

    settings = multiproc.prepare(settings)
    from bot.bootstrap import StartupError, build
    from bot.server import serve_http, serve_socket_mode

    try:
        container = build(settings)
    except StartupError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    if settings.socket_mode:
        serve_socket_mode(container)
    else:
        serve_http(container)
    return 0
