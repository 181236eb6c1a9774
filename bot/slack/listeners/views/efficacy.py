"""The check's modal submitted: friendly field errors in the ack, else her answers are
stored once, the offer DM says thanks in place and Home shows her average."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.efficacy import CheckClosed
from bot.slack.blocks.efficacy import build_check_done
from bot.slack.forms import FormErrors, efficacy_block, parse_efficacy
from bot.slack.surfaces import publish_home, update_in_place
from bot.slack.values import row_id


def make_handler(services: Services):
    def submit_check(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        try:
            check_id = row_id(view.get("private_metadata", ""))
            form = services.efficacy.form(**where, check_id=check_id)
            answers = parse_efficacy(
                view.get("state", {}).get("values", {}),
                items=len(form.scale.items),
                looking_back=form.looking_back,
            )
            channel, ts = services.efficacy.answer(**where, check_id=check_id, answers=answers)
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        except (ValueError, CheckClosed):
            ack(
                response_action="errors",
                errors={efficacy_block(1): "This check already has your answers. Thank you!"},
            )
            return
        ack()
        update_in_place(
            client, {"channel_id": channel, "message_ts": ts}, build_check_done(answered=True)
        )
        publish_home(client, services, **where)

    return submit_check
