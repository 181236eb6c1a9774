"""The one place that wires settings, clock, storage, services and Slack together."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.clock import Clock, ScaledClock, SystemClock
from bot.content import load_ladder
from bot.content.efficacy import load_efficacy_scale
from bot.content.exercises import load_exercises
from bot.content.stories import load_stories
from bot.domain.efficacy import Scale, ScaleError
from bot.domain.ladder import Ladder, LadderError
from bot.domain.nerves import ExerciseLibrary, NervesError
from bot.domain.stories import StoriesError, StoryLibrary
from bot.ical.client import FeedClient
from bot.services import Services
from bot.services.buddies import BuddyService
from bot.services.calendars import CalendarService
from bot.services.celebrations import CelebrationService
from bot.services.checkins import CheckinService
from bot.services.coaching import CoachingService
from bot.services.dispatch import DEFAULT_CONCURRENCY, Dispatcher
from bot.services.efficacy import EfficacyService
from bot.services.meetings import MeetingService
from bot.services.nerves import NervesService
from bot.services.pauses import PauseService
from bot.services.preferences import PreferencesService
from bot.services.privacy import PrivacyService
from bot.services.progress import ProgressService
from bot.services.roundups import RoundupService
from bot.services.stories import StoryService
from bot.services.workspaces import WorkspaceService
from bot.settings import Settings
from bot.slack.app import build_bolt_app, make_client
from bot.slack.checkin_sender import SlackCheckinSender
from bot.slack.install import oauth_settings
from bot.slack.tokens import OneWorkspaceToken, Tokens, WorkspaceTokens
from bot.storage import migrate
from bot.storage.crypto import SecretBox
from bot.storage.db import Database
from bot.storage.engine import make_engine
from bot.storage.installations import SealedInstallationStore

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Start-up cannot go on; the message is one line for a person."""


@dataclass
class Container:
    settings: Settings
    clock: Clock
    db: Database
    client: WebClient
    services: Services
    app: App
    # Each workspace's bot token, for every Slack call made outside a request (the
    # check-in dispatcher, scheduled jobs): ``tokens.bot_token(team_id=...)``.
    tokens: Tokens


def load_content() -> Ladder:
    try:
        return load_ladder()
    except LadderError as e:
        raise StartupError(f"the challenge ladder is broken: {e}") from None


def load_story_library(ladder: Ladder) -> StoryLibrary:
    """The coping stories (bot/content/stories.yml), checked against the ladder."""
    try:
        return load_stories(ladder)
    except StoriesError as e:
        raise StartupError(f"the coping stories are broken: {e}") from None


def load_scale(ladder: Ladder) -> Scale:
    """The self-efficacy check (bot/content/efficacy.yml), checked against the ladder."""
    try:
        return load_efficacy_scale(ladder)
    except ScaleError as e:
        raise StartupError(f"the self-efficacy check is broken: {e}") from None


def load_exercise_library() -> ExerciseLibrary:
    """The settle-your-nerves exercises (bot/content/exercises.yml)."""
    try:
        return load_exercises()
    except NervesError as e:
        raise StartupError(f"the settle-your-nerves exercises are broken: {e}") from None


def build_services(
    db: Database,
    clock: Clock,
    ladder: Ladder,
    settings: Settings | None = None,
    *,
    tokens: WorkspaceTokens | None = None,
    stories: StoryLibrary | None = None,
    exercises: ExerciseLibrary | None = None,
) -> Services:
    """Every service. Without ``settings`` (scripts, benchmarks) calendars are
    unavailable, as without SECRET_KEY. ``tokens``: many workspaces' stored tokens."""
    celebrations = CelebrationService(db, clock, ladder)
    coaching = CoachingService(
        db,
        clock,
        ladder,
        pool_everywhere=settings.pool_across_workspaces if settings else False,
        celebrations=celebrations,
    )
    roundups = RoundupService(db, clock, celebrations.headline_of)
    return Services(
        workspaces=WorkspaceService(db, clock, tokens),
        coaching=coaching,
        efficacy=EfficacyService(db, clock, load_scale(ladder)),
        progress=ProgressService(db, clock, ladder),
        preferences=PreferencesService(db, clock, roundups),
        meetings=MeetingService(db, clock),
        pauses=PauseService(db, clock),
        checkins=CheckinService(db, clock, coaching),
        celebrations=celebrations,
        buddies=BuddyService(db, clock),
        roundups=roundups,
        privacy=PrivacyService(db, clock),
        calendars=CalendarService(
            db,
            clock,
            client=FeedClient(
                allow_loopback=settings.calendar_allow_loopback if settings else False
            ),
            box=SecretBox.from_settings(settings) if settings else None,
        ),
        stories=StoryService(db, clock, ladder, stories or load_story_library(ladder)),
        nerves=NervesService(db, clock, exercises or load_exercise_library()),
    )


def build_dispatcher(container: Container) -> Dispatcher:
    """The sender of due check-ins; one per process (its lease owner is unique)."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    client = make_client(container.settings, retry_rate_limits=False)
    # Its own pool: a connection per sender plus one for claims, and no ping before
    # each transaction (the dispatcher retries on a dropped connection itself).
    db = Database(
        make_engine(
            container.settings.database_url, pool_size=DEFAULT_CONCURRENCY + 1, pre_ping=False
        )
    )
    tokens = container.tokens
    token_for = token_refused = None
    if isinstance(tokens, WorkspaceTokens):  # many workspaces: each check-in its own token

        def token_for(team_id: str, enterprise_id: str | None) -> str | None:
            return tokens.bot_token(team_id=team_id, enterprise_id=enterprise_id)

        def token_refused(team_id: str, error: str) -> None:
            tokens.token_refused(team_id=team_id, error=error)

    return Dispatcher(
        db,
        container.clock,
        container.services.coaching,
        SlackCheckinSender(
            client,
            token_for=token_for,
            token_refused=token_refused,
        ),
        owner=owner[:64],
        per_minute=container.settings.slack_messages_per_minute,
        stories=container.services.stories,
    )


def open_database(settings: Settings, *, upgrade: bool = True) -> Database:
    db = Database(make_engine(settings.database_url))
    if not db.answers():
        raise StartupError(
            f"DATABASE_URL: cannot connect to {settings.redacted_database_url()}; "
            "check that the database server is running and the URL is right."
        )
    if upgrade:
        migrate.upgrade(db.engine)
    return db


def clock_of(settings: Settings) -> Clock:
    """Real time, unless CLOCK_START asks for a scaled clock (benchmarks and demos)."""
    if settings.clock_start is None:
        return SystemClock()
    log.warning(
        "CLOCK_START is set: the app's clock reads %s and runs %g× real time "
        "(benchmarks and demos only)",
        settings.clock_start.isoformat(),
        settings.clock_speed,
    )
    return ScaledClock(settings.clock_start, settings.clock_speed, settings.clock_anchor)


def build(
    settings: Settings, *, clock: Clock | None = None, listener_process: bool = False
) -> Container:
    """Everything the running app needs; raises StartupError with a clear line.
    ``listener_process``: for one of a worker's listener processes (``bot.slack.handover``),
    after the worker has upgraded the database and checked the token."""
    clock = clock or clock_of(settings)
    if settings.calendar_allow_loopback and not listener_process:
        log.warning(
            "CALENDAR_ALLOW_LOOPBACK is on: calendar links may now be fetched over http and "
            "from 127.0.0.0/8, which is unsafe outside tests"
        )
    ladder = load_content()
    stories = load_story_library(ladder)
    exercises = load_exercise_library()
    db = open_database(settings, upgrade=not listener_process)
    client = make_client(settings)
    if settings.many_workspaces:
        tokens = workspace_tokens(settings, db, client)
        services = build_services(
            db, clock, ladder, settings, tokens=tokens, stories=stories, exercises=exercises
        )
        tokens.on_revoked(lambda team_id: services.workspaces.uninstalled(team_id=team_id))
        oauth = oauth_settings(settings, db, tokens.store, services.workspaces)
        app = build_bolt_app(
            settings,
            client,
            services,
            tokens=tokens,
            oauth=oauth,
            listener_process=listener_process,
        )
        return Container(settings, clock, db, client, services, app, tokens)
    services = build_services(db, clock, ladder, settings, stories=stories, exercises=exercises)
    if not listener_process:
        team_id, team_name = _check_token(client)
        services.workspaces.installed(team_id=team_id, name=team_name)
    try:
        app = build_bolt_app(settings, client, services, listener_process=listener_process)
    except ValueError as e:
        raise StartupError(str(e)) from None
    return Container(
        settings,
        clock,
        db,
        client,
        services,
        app,
        tokens=OneWorkspaceToken(settings.slack_bot_token),
    )


def build_listener_app(settings: Settings) -> App:
    """The app of a worker's listener process (``bot.slack.handover.serve``)."""
    return build(settings, listener_process=True).app


def workspace_tokens(settings: Settings, db: Database, client: WebClient) -> WorkspaceTokens:
    """Many workspaces: their installations, tokens sealed with SECRET_KEY, refreshed
    through ``client`` (so SLACK_API_URL applies to oauth.v2.access too)."""
    store = SealedInstallationStore(settings.slack_client_id, db, SecretBox.from_settings(settings))
    rotator = TokenRotator(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        client=client,
    )
    return WorkspaceTokens(db, store, rotator)


def _check_token(client: WebClient) -> tuple[str, str | None]:
    try:
        auth = client.auth_test()
    except SlackApiError as e:
        raise StartupError(
            f"SLACK_BOT_TOKEN was refused by Slack ({e.response.get('error')}); "
            "copy the current Bot User OAuth Token from OAuth & Permissions."
        ) from None
    except OSError as e:
        raise StartupError(
            f"cannot reach Slack's Web API at {client.base_url} ({e.__class__.__name__}); "
            "check the network, or SLACK_API_URL if you set it."
        ) from None
    return auth["team_id"], auth.get("team")
