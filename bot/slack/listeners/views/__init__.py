from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack import ids
from bot.slack.listeners.views import (
    calendar,
    checkin_details,
    efficacy,
    encourage,
    log_attempt,
    meeting,
    nerves,
    onboarding,
    plans,
    settings,
    share_wording,
    stories,
)


def register(app: App, services: Services) -> None:
    app.view(ids.ONBOARDING_VIEW)(onboarding.make_handler(services))
    check_log, log_meeting = log_attempt.make_handlers(services)
    app.view(ids.LOG_VIEW)(ack=check_log, lazy=[log_meeting])
    app.view(ids.SETTINGS_VIEW)(settings.make_handler(services))
    app.view(ids.MEETING_VIEW)(meeting.make_handler(services))
    app.view(ids.CHECKIN_DETAILS_VIEW)(checkin_details.make_handler(services))
    app.view(ids.PLAN_VIEW)(plans.make_handler(services))
    app.view(ids.NERVES_VIEW)(nerves.make_handler(services))
    app.view(ids.SHARE_WORDING_VIEW)(share_wording.make_handler(services))
    app.view(ids.STORY_SHARE_VIEW)(stories.make_handler(services))
    app.view(ids.ENCOURAGE_VIEW)(encourage.make_handler(services))
    app.view(ids.EFFICACY_VIEW)(efficacy.make_handler(services))
    app.view(ids.CALENDAR_LINK_VIEW)(calendar.make_link_handler(services))
    app.view(ids.CALENDAR_PICK_VIEW)(calendar.make_pick_handler(services))
