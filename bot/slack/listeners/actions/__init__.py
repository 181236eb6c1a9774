from __future__ import annotations

import re

from slack_bolt import App

from bot.services import Services
from bot.slack import ids
from bot.slack.listeners.actions import (
    buddy,
    calendar,
    celebrations,
    challenge,
    checkins,
    efficacy,
    forget,
    get_started,
    home_buttons,
    meetings,
    nerves,
    offer,
    plans,
    send_chart,
    stories,
)


def register(app: App, services: Services) -> None:
    app.action(ids.GET_STARTED)(get_started.make_handler(services))
    for action_id in (ids.CHALLENGE_SWAP, ids.CHALLENGE_EASIER, ids.CHALLENGE_HARDER):
        app.action(action_id)(challenge.make_handler(services))
    for action_id in (ids.OFFER_ACCEPT, ids.OFFER_STAY):
        app.action(action_id)(offer.make_handler(services))
    for action_id in (ids.OPEN_LOG, ids.OPEN_SETTINGS):
        app.action(action_id)(home_buttons.make_handler(services))
    app.action(ids.SEND_CHART)(send_chart.make_handler(services))
    for action_id in (ids.MEETING_ADD, ids.MEETING_EDIT, ids.MEETING_REMOVE):
        app.action(action_id)(meetings.make_handler(services))
    answer_checkin = checkins.make_handler(services)
    for action_id in (
        ids.CHECKIN_CONFIDENCE,
        ids.CHECKIN_SWAP,
        ids.CHECKIN_SKIP,
        ids.CHECKIN_DETAILS,
    ):
        app.action(action_id)(answer_checkin)
    app.action(re.compile(f"^{ids.CHECKIN_OUTCOME}_"))(answer_checkin)
    plan_action = plans.make_handler(services)
    for action_id in (ids.PLAN_ACCEPT, ids.PLAN_WRITE):
        app.action(action_id)(plan_action)
    app.action(re.compile(f"^{ids.PLAN_FIRED}_"))(plan_action)
    app.action(ids.NERVES_OPEN)(nerves.make_handler(services))
    share = celebrations.make_share_handler(services)
    for action_id in (ids.SHARE_WIN, ids.SHARE_EDIT, ids.SHARE_DECLINE, ids.SHARE_RETRY):
        app.action(action_id)(share)
    app.action(ids.STORY_SHARE)(stories.make_handler(services))
    app.action(ids.CHEER)(celebrations.make_cheer_handler(services))
    for action_id in (
        ids.BUDDY_ACCEPT,
        ids.BUDDY_DECLINE,
        ids.BUDDY_STEP_DOWN,
        ids.BUDDY_ENCOURAGE,
    ):
        app.action(action_id)(buddy.make_handler(services))
    for action_id in (ids.EFFICACY_OPEN, ids.EFFICACY_SKIP):
        app.action(action_id)(efficacy.make_handler(services))
    app.action(ids.FORGET_CONFIRM)(forget.make_handler(services))
    app.action(ids.CALENDAR_OTHER_LINK)(calendar.make_handler(services))
