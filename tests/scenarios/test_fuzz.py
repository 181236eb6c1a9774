"""Bad input never breaks the app: fuzzed slash-command text and interactive payloads
get a clear answer or a clean refusal, never a 5xx or an unhandled exception."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient

from bot.domain.placement import SelfPlacement
from bot.services.coaching import OnboardingAnswers
from bot.slack import ids
from bot.slack.subcommands import SUBCOMMANDS
from tests.conftest import TEAM_ID, USER_ID
from tests.slack.catalogue import modal_for
from tests.support.journey import wait

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00\x01\x1b[31m",
        "'; DROP TABLE coachee; --",
        "$(rm -rf /) `reboot` && echo",
        "<!channel> <@U0ANA> <#C0TEAM|team>",
        "pause until 2026-02-30",
        "pause -3d",
        "buddy <@U0MILA>",
        "x" * 10_000,
        "é" * 3000,
        "🙂" * 500,
        "\u202eevil",
    ]
)
COMMAND_TEXT = st.one_of(
    NASTY,
    st.text(max_size=300),
    st.builds(
        lambda sub, rest: f"{sub} {rest}",
        st.sampled_from([s.name for s in SUBCOMMANDS] + ["HELP", "Pause"]),
        st.one_of(NASTY, st.text(max_size=200)),
    ),
)


@pytest.fixture(params=["new user", "started user"])
def app(request, running_app, fake_slack):
    """Fuzz both a stranger and someone well into her journey (more code is reachable)."""
    if request.param == "started user":
        fake_slack.add_channel("C0TEAM", name="team", members=[USER_ID])
        running_app.container.services.coaching.start(
            team_id=TEAM_ID,
            user_id=USER_ID,
            answers=OnboardingAnswers("Speak up", SelfPlacement.WHEN_ASKED, 50, True, "C0TEAM"),
            tz="America/New_York",
        )
    return running_app


def _no_unhandled_errors(caplog) -> None:
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], [r.getMessage() for r in failures]


@FUZZ
@given(text=COMMAND_TEXT)
def test_fuzzed_command_text(slack, fake_slack, app, caplog, text):
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        opened = len(fake_slack.calls_to("views.open"))
        r = slack.command(text, user_id=USER_ID)
        assert r.status == 200
        # The answer is the acknowledgement, a message to the response_url, or a modal.
        if r.text:
            reply = r.json() if r.text.startswith("{") else {"text": r.text}
        else:
            posts = wait(
                lambda: (
                    fake_slack.response_url_posts(r.response_url)
                    or fake_slack.calls_to("views.open")[opened:]
                )
            )
            reply = posts[0] if "view" not in posts[0] else {"blocks": posts[0]["view"]["blocks"]}
    assert reply.get("text") or reply.get("blocks")
    assert "Traceback" not in str(reply)
    _no_unhandled_errors(caplog)


ACTION_IDS = st.sampled_from(
    [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)]
    + [f"{ids.CHECKIN_OUTCOME}_did_it"]
)
VALUES = st.one_of(NASTY, st.text(max_size=50), st.integers(-5, 10**12).map(str))


@FUZZ
@given(action_id=ACTION_IDS, value=VALUES)
def test_fuzzed_button_clicks(slack, app, caplog, action_id, value):
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        r = slack.block_action(user_id=USER_ID, action_id=action_id, value=value)
        app.settle()  # the click was acknowledged before its listener ran
    assert r.status < 500
    _no_unhandled_errors(caplog)


STATE_VALUE = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["plain_text_input", "static_select", "checkboxes"]),
        "value": st.one_of(st.none(), NASTY, st.text(max_size=40), st.integers()),
        "selected_option": st.one_of(
            st.none(), st.just({}), st.builds(lambda v: {"value": v}, VALUES)
        ),
        "selected_options": st.one_of(
            st.none(), st.lists(st.builds(lambda v: {"value": v}, VALUES))
        ),
        "selected_time": st.one_of(st.none(), VALUES),
        "selected_date": st.one_of(st.none(), VALUES),
        "selected_conversation": st.one_of(st.none(), VALUES),
    },
)
CALLBACKS = st.sampled_from(
    [
        ids.ONBOARDING_VIEW,
        ids.LOG_VIEW,
        ids.SETTINGS_VIEW,
        ids.MEETING_VIEW,
        ids.CHECKIN_DETAILS_VIEW,
        ids.SHARE_WORDING_VIEW,
        ids.ENCOURAGE_VIEW,
        ids.CALENDAR_LINK_VIEW,
        ids.CALENDAR_PICK_VIEW,
    ]
)


BLOCKS = st.sampled_from([v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)])


@FUZZ
@given(
    callback_id=CALLBACKS,
    values=st.dictionaries(BLOCKS, STATE_VALUE, max_size=8),
    metadata=VALUES,
)
def test_fuzzed_modal_submissions(slack, app, caplog, callback_id, values, metadata):
    caplog.clear()
    # Slack submits only a view it showed: open the app's own modal, so that any field
    # errors in the answer must name its input blocks.
    client = WebClient(slack.fake.bot_token, base_url=slack.fake.base_url)
    client.views_open(trigger_id=slack.fake.issue_trigger_id(), view=modal_for(callback_id))
    state = {block: {block: value} for block, value in values.items()}
    with caplog.at_level(logging.ERROR):
        r = slack.view_submission(
            user_id=USER_ID, callback_id=callback_id, values=state, private_metadata=metadata
        )
    assert r.status == 200
    if r.text:
        assert json.loads(r.text)["response_action"] == "errors"
    _no_unhandled_errors(caplog)
