"""The playground's Block Kit and mrkdwn rendering: safe HTML, what Slack shows, and the
state Slack sends back."""

from __future__ import annotations

from bot.playground.mrkdwn import mrkdwn_to_html, plain_to_html
from bot.playground.render import Names, Surface, blocks_html, state_values
from tests.slack.catalogue import CATALOGUE, render

NAMES = Names(users={"U0MILA": "Mila Novak"}, channels={"C0TEAM": "team"})


def _md(text: str) -> str:
    return mrkdwn_to_html(text, NAMES.user, NAMES.channel)


def test_mrkdwn_formats_mentions_links_and_emoji():
    html = _md("*Win!* _nice_ ~old~ `code` :tada: <@U0MILA> in <#C0TEAM> <https://x.org|here>")
    assert "<strong>Win!</strong>" in html and "<em>nice</em>" in html
    assert "<del>old</del>" in html and "<code>code</code>" in html
    assert "🎉" in html and "@Mila Novak" in html and "#team" in html
    assert '<a href="https://x.org"' in html and ">here</a>" in html
    assert _md("&gt; quoted\nnot") == "<blockquote>quoted</blockquote>not"
    assert _md(":not_an_emoji_at_all:") == ":not_an_emoji_at_all:"


def test_no_text_becomes_markup():
    html = _md("&lt;script&gt;alert(1)&lt;/script&gt; <javascript:alert(1)|click> \"'")
    assert "<script" not in html and "href" not in html
    assert "&lt;script&gt;" in html
    assert plain_to_html("<b>:wave:</b>") == "&lt;b&gt;👋&lt;/b&gt;"


def test_every_surface_in_the_catalogue_renders():
    """Each build_* function's output, in each state, draws without an unknown block or
    element (the page can show everything the app sends)."""
    for builder in CATALOGUE:
        for state, payload in render(builder):
            blocks = (payload or {}).get("blocks") or []
            html = blocks_html(blocks, Surface('["x"]', NAMES))
            assert "bk-unknown" not in html, (builder.__name__, state)


def test_inputs_go_back_in_slacks_state_shape():
    blocks = [
        {
            "type": "input",
            "block_id": "felt",
            "label": {"type": "plain_text", "text": "Felt"},
            "element": {
                "type": "radio_buttons",
                "action_id": "felt",
                "options": [{"text": {"type": "plain_text", "text": "Easy"}, "value": "easy"}],
            },
        },
        {
            "type": "input",
            "block_id": "days",
            "label": {"type": "plain_text", "text": "Days"},
            "element": {
                "type": "checkboxes",
                "action_id": "days",
                "options": [{"text": {"type": "plain_text", "text": "Mon"}, "value": "0"}],
            },
        },
        {
            "type": "input",
            "block_id": "at",
            "label": {"type": "plain_text", "text": "At"},
            "element": {"type": "timepicker", "action_id": "at"},
        },
    ]
    html = blocks_html(blocks, Surface('["view","V1"]', NAMES, modal=True))
    assert "<legend>Felt</legend>" in html and '<label for="' in html
    values = state_values(
        blocks, {"felt": {"felt": "easy"}, "days": {"days": ["0"]}, "at": {"at": "10:00"}}
    )
    assert values["felt"]["felt"]["selected_option"]["value"] == "easy"
    assert [o["value"] for o in values["days"]["days"]["selected_options"]] == ["0"]
    assert values["at"]["at"] == {"type": "timepicker", "selected_time": "10:00"}
    # A value that isn't one of the options is sent as nothing chosen, as Slack would.
    assert (
        state_values(blocks, {"felt": {"felt": "boss"}})["felt"]["felt"]["selected_option"] is None
    )
