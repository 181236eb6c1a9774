"""\"Send me a chart\": her confidence over time as a PNG, in her DM only."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.charts import PNG_FILENAME, render_confidence_chart
from bot.services import Services
from bot.services.coaching import NotStarted
from bot.slack.blocks.progress import NOT_STARTED
from bot.slack.surfaces import open_dm

CHART_WEEKS = 26


def make_handler(services: Services):
    def send_chart(ack: Ack, body: dict, context, client: WebClient, respond: Respond) -> None:
        ack()
        user_id = body["user"]["id"]
        from_message = body.get("container", {}).get("type") == "message"
        try:
            progress = services.progress.require(
                team_id=context.team_id, user_id=user_id, weeks=CHART_WEEKS
            )
        except NotStarted:
            if from_message:
                respond(text=NOT_STARTED, response_type="ephemeral", replace_original=False)
            return
        client.files_upload_v2(
            channel=open_dm(client, user_id),
            content=render_confidence_chart(
                progress.weeks, checks=[(when.date(), mean) for when, mean in progress.checks]
            ),
            filename=PNG_FILENAME,
            title="Your confidence, week by week",
            initial_comment="Here's how your confidence has moved, before and after meetings.",
        )
        if from_message:
            respond(
                text="Sent to your DMs with me. :chart_with_upwards_trend:",
                response_type="ephemeral",
                replace_original=False,
            )

    return send_chart
