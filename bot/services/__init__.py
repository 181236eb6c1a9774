"""The service layer: what listeners and scheduled jobs ask for, in plain values."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.buddies import BuddyService
from bot.services.calendars import CalendarService
from bot.services.celebrations import CelebrationService
from bot.services.checkins import CheckinService
from bot.services.coaching import CoachingService
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


@dataclass(frozen=True)
class Services:
    workspaces: WorkspaceService
    coaching: CoachingService
    efficacy: EfficacyService
    progress: ProgressService
    preferences: PreferencesService
    meetings: MeetingService
    pauses: PauseService
    checkins: CheckinService
    celebrations: CelebrationService
    buddies: BuddyService
    roundups: RoundupService
    privacy: PrivacyService
    calendars: CalendarService
    stories: StoryService
    nerves: NervesService
