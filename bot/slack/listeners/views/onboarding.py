"""The onboarding modal submitted: place her, DM her first challenge, refresh Home."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.slack import ids
from bot.slack.blocks.challenge import build_first_challenge_dm
from bot.slack.blocks.efficacy import build_check_offer
from bot.slack.forms import FormErrors, parse_onboarding
from bot.slack.sharing import channel_problem
from bot.slack.surfaces import publish_home, send_dm, user_tz


def make_handler(services: Services):
    def submit_onboarding(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        try:
            answers = parse_onboarding(view.get("state", {}).get("values", {}))
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        if answers.share_wins:
            problem = channel_problem(client, answers.share_channel_id, body["user"]["id"])
            if problem:
                ack(response_action="errors", errors={ids.SHARE_CHANNEL: problem})
                return
        ack()
        user_id = body["user"]["id"]
        started = services.coaching.start(
            team_id=context.team_id,
            user_id=user_id,
            answers=answers,
            tz=user_tz(client, user_id),
        )
        send_dm(client, user_id, build_first_challenge_dm(started))
        if started.first_time:  # the self-efficacy check, once: skippable, never reminded
            offer = services.efficacy.offer_at_start(team_id=context.team_id, user_id=user_id)
            if offer is not None:
                channel, ts = send_dm(client, user_id, build_check_offer(offer))
                services.efficacy.offered(offer, channel_id=channel, ts=ts)
        publish_home(client, services, team_id=context.team_id, user_id=user_id)

    return submit_onboarding
