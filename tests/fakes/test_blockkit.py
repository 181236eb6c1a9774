"""Each Block Kit rule of bot/playground/fakeslack/blockkit.py: a payload it refuses, with the exact
problem Slack would report, and a near-identical one it accepts."""

from __future__ import annotations

import pytest

from bot.playground.fakeslack.blockkit import (
    message_problems,
    view_problems,
    view_submission_ack_problems,
)

# -- small builders: every one makes a valid piece, keyword arguments change or add fields ---


def pt(text: str = "Hi", **kw) -> dict:
    return {"type": "plain_text", "text": text, **kw}


def md(text: str = "Hi", **kw) -> dict:
    return {"type": "mrkdwn", "text": text, **kw}


def opt(text: str = "One", value: str = "1", **kw) -> dict:
    return {"text": pt(text), "value": value, **kw}


def button(**kw) -> dict:
    return {"type": "button", "text": pt("Go"), "action_id": "go", **kw}


def select(**kw) -> dict:
    return {"type": "static_select", "action_id": "pick", "options": [opt(), opt("Two", "2")]} | kw


def group(*options: dict, label: dict | None = None) -> dict:
    return {"label": label or pt("Group"), "options": list(options or [opt()])}


def grouped(*groups: dict, **kw) -> dict:
    return {"type": "static_select", "action_id": "pick", "option_groups": list(groups)} | kw


def confirm(**kw) -> dict:
    return {
        "title": pt("Sure?"),
        "text": md("Really?"),
        "confirm": pt("Yes"),
        "deny": pt("No"),
    } | kw


def section(**kw) -> dict:
    return {"type": "section", "text": md(), **kw}


def with_accessory(element: dict) -> dict:
    return section(accessory=element)


def actions(*elements: dict, **kw) -> dict:
    return {"type": "actions", "elements": list(elements), **kw}


def inp(element: dict, **kw) -> dict:
    return {"type": "input", "block_id": "in", "label": pt("Label"), "element": element, **kw}


def text_input(**kw) -> dict:
    return {"type": "plain_text_input", "action_id": "typed", **kw}


def image(**kw) -> dict:
    return {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "A", **kw}


def msg(*blocks: dict, **kw) -> dict:
    return {"text": "fallback", "blocks": list(blocks), **kw}


def modal(*blocks: dict, **kw) -> dict:
    return {
        "type": "modal",
        "title": pt("Title"),
        "submit": pt("Save"),
        "blocks": list(blocks),
    } | kw


def home(*blocks: dict, **kw) -> dict:
    return {"type": "home", "blocks": list(blocks), **kw}


def check(payload: dict) -> list[str]:
    """A view has a `type`; a message never does."""
    return view_problems(payload) if "type" in payload else message_problems(payload)


def err(what: str, pointer: str) -> str:
    return f"[ERROR] {what} [json-pointer:{pointer}]"


B0 = "/blocks/0"
ACC = "/blocks/0/accessory"
EL0 = "/blocks/0/elements/0"
VB0 = "/view/blocks/0"
DIVIDER = {"type": "divider"}
LONG = "x" * 3001

RULES = [
    # -- surfaces and blocks -------------------------------------------------------------------
    pytest.param(
        msg(),
        {"text": "x", "blocks": DIVIDER},
        err("must be an array", "/blocks"),
        id="blocks-are-an-array",
    ),
    pytest.param(
        msg(DIVIDER), msg("divider"), err("must be an object", B0), id="block-is-an-object"
    ),
    pytest.param(
        msg({"type": "divider", "block_id": "a"}),
        msg({"block_id": "a"}),
        err("missing required field: type", B0),
        id="block-type-required",
    ),
    pytest.param(
        msg(DIVIDER),
        msg({"type": "dividr"}),
        err("unsupported type: dividr", B0 + "/type"),
        id="block-type-unknown",
    ),
    pytest.param(
        msg(DIVIDER),
        msg({"type": "divider", "text": md()}),
        err("unsupported field: text", B0 + "/text"),
        id="block-field-unknown",
    ),
    pytest.param(
        msg(*[DIVIDER] * 50),
        msg(*[DIVIDER] * 51),
        err("no more than 50 items allowed", "/blocks"),
        id="message-at-most-50-blocks",
    ),
    pytest.param(
        modal(*[DIVIDER] * 100),
        modal(*[DIVIDER] * 101),
        err("no more than 100 items allowed", "/view/blocks"),
        id="modal-at-most-100-blocks",
    ),
    pytest.param(
        home(*[DIVIDER] * 100),
        home(*[DIVIDER] * 101),
        err("no more than 100 items allowed", "/view/blocks"),
        id="home-at-most-100-blocks",
    ),
    pytest.param(
        {"attachments": [{"color": "#f00", "blocks": [section()]}]},
        {"attachments": [{"color": "#f00", "blocks": [section(text=md(""))]}]},
        err("must be more than 0 characters", "/attachments/0/blocks/0/text/text"),
        id="attachment-blocks-checked",
    ),
    pytest.param(
        msg({"type": "file", "external_id": "F1", "source": "remote"}),
        modal({"type": "file", "external_id": "F1", "source": "remote"}),
        err("file blocks are not allowed in modals", VB0 + "/type"),
        id="file-block-messages-only",
    ),
    pytest.param(
        msg({"type": "file", "external_id": "F1", "source": "remote"}),
        msg({"type": "file", "external_id": "F1", "source": "local"}),
        err("must be remote", B0 + "/source"),
        id="file-block-source-remote",
    ),
    pytest.param(
        msg({"type": "markdown", "text": "**hi**"}),
        home({"type": "markdown", "text": "**hi**"}),
        err("markdown blocks are not allowed in Home tabs", VB0 + "/type"),
        id="markdown-block-messages-only",
    ),
    pytest.param(
        msg({"type": "markdown", "text": "x" * 6000}, {"type": "markdown", "text": "x" * 6000}),
        msg({"type": "markdown", "text": "x" * 6000}, {"type": "markdown", "text": "x" * 6001}),
        err("markdown blocks must total less than 12001 characters", "/blocks"),
        id="markdown-at-most-12000-in-all",
    ),
    pytest.param(
        msg({"type": "divider", "block_id": "b" * 255}),
        msg({"type": "divider", "block_id": "b" * 256}),
        err("must be less than 256 characters", B0 + "/block_id"),
        id="block_id-at-most-255",
    ),
    pytest.param(
        msg({"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "b"}),
        msg({"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}),
        err("duplicate block_id: a", "/blocks/1/block_id"),
        id="block_id-unique-in-message",
    ),
    pytest.param(
        modal(section(block_id="a"), inp(text_input(), block_id="b")),
        modal(section(block_id="a"), inp(text_input(), block_id="a")),
        err("duplicate block_id: a", "/view/blocks/1/block_id"),
        id="block_id-unique-in-view",
    ),
    pytest.param(
        msg(actions(button(action_id="a" * 255))),
        msg(actions(button(action_id="a" * 256))),
        err("must be less than 256 characters", EL0 + "/action_id"),
        id="action_id-at-most-255",
    ),
    # Slack's element pages: unique "among all other action_ids in the containing block";
    # the same action_id in two blocks (a list of rows, an Edit button each) is valid.
    pytest.param(
        msg(actions(button(action_id="edit")), actions(button(action_id="edit"))),
        msg(actions(button(action_id="edit"), button(action_id="edit"))),
        err("duplicate action_id: edit", "/blocks/0/elements/1/action_id"),
        id="action_id-unique-in-block",
    ),
    # -- text objects ----------------------------------------------------------------------------
    pytest.param(
        msg(section(text=md("*hi*"))),
        msg(section(text={"type": "markdown", "text": "*hi*"})),
        err("unsupported type: markdown", B0 + "/text/type"),
        id="text-type-plain_text-or-mrkdwn",
    ),
    pytest.param(
        msg(section(text={"type": "mrkdwn", "text": "hi"})),
        msg(section(text={"type": "mrkdwn"})),
        err("missing required field: text", B0 + "/text"),
        id="text-text-required",
    ),
    pytest.param(
        msg(section(text=md("5"))),
        msg(section(text=md(5))),
        err("must be a string", B0 + "/text/text"),
        id="text-text-a-string",
    ),
    pytest.param(
        msg(section(text=md(" "))),
        msg(section(text=md(""))),
        err("must be more than 0 characters", B0 + "/text/text"),
        id="text-text-not-empty",
    ),
    pytest.param(
        msg(section(text=pt(emoji=True))),
        msg(section(text=md(emoji=True))),
        err("emoji is only allowed on plain_text", B0 + "/text/emoji"),
        id="text-emoji-only-plain_text",
    ),
    pytest.param(
        msg(section(text=md(verbatim=True))),
        msg(section(text=pt(verbatim=True))),
        err("verbatim is only allowed on mrkdwn", B0 + "/text/verbatim"),
        id="text-verbatim-only-mrkdwn",
    ),
    pytest.param(
        msg(section(text=pt(emoji=False))),
        msg(section(text=pt(emoji="no"))),
        err("must be a boolean", B0 + "/text/emoji"),
        id="text-emoji-a-boolean",
    ),
    pytest.param(
        msg(section(text=pt())),
        msg(section(text=pt(bold=True))),
        err("unsupported field: bold", B0 + "/text/bold"),
        id="text-field-unknown",
    ),
    # -- section ---------------------------------------------------------------------------------
    pytest.param(
        msg({"type": "section", "fields": [md()]}),
        msg({"type": "section"}),
        err("must provide either text or fields", B0),
        id="section-text-or-fields",
    ),
    pytest.param(
        msg(section(text=md("x" * 3000))),
        msg(section(text=md(LONG))),
        err("must be less than 3001 characters", B0 + "/text/text"),
        id="section-text-at-most-3000",
    ),
    pytest.param(
        msg(section(fields=[md()] * 10)),
        msg(section(fields=[md()] * 11)),
        err("no more than 10 items allowed", B0 + "/fields"),
        id="section-at-most-10-fields",
    ),
    pytest.param(
        msg(section(fields=[md("x" * 2000)])),
        msg(section(fields=[md("x" * 2001)])),
        err("must be less than 2001 characters", B0 + "/fields/0/text"),
        id="section-field-at-most-2000",
    ),
    pytest.param(
        msg(with_accessory(button())),
        msg(with_accessory(text_input())),
        err("plain_text_input is not allowed in section blocks", ACC + "/type"),
        id="section-accessory-allowed-elements",
    ),
    pytest.param(
        msg(with_accessory(button())),
        msg(with_accessory({"type": "carousel"})),
        err("unsupported type: carousel", ACC + "/type"),
        id="element-type-unknown",
    ),
    # -- header, context, actions, image, rich_text, video ------------------------------------
    pytest.param(
        msg({"type": "header", "text": pt("Title")}),
        msg({"type": "header", "text": md("Title")}),
        err("must be plain_text", B0 + "/text/type"),
        id="header-plain_text-only",
    ),
    pytest.param(
        msg({"type": "header", "text": pt("x" * 150)}),
        msg({"type": "header", "text": pt("x" * 151)}),
        err("must be less than 151 characters", B0 + "/text/text"),
        id="header-at-most-150",
    ),
    pytest.param(
        msg({"type": "header", "text": pt()}),
        msg({"type": "header"}),
        err("missing required field: text", B0),
        id="header-text-required",
    ),
    pytest.param(
        msg({"type": "context", "elements": [md()] * 10}),
        msg({"type": "context", "elements": [md()] * 11}),
        err("no more than 10 items allowed", B0 + "/elements"),
        id="context-at-most-10-elements",
    ),
    pytest.param(
        msg({"type": "context", "elements": [md()]}),
        msg({"type": "context", "elements": []}),
        err("must provide at least 1 items", B0 + "/elements"),
        id="context-at-least-1-element",
    ),
    pytest.param(
        msg({"type": "context", "elements": [image()]}),
        msg({"type": "context", "elements": [button()]}),
        err("button is not allowed in context blocks", EL0 + "/type"),
        id="context-images-and-text-only",
    ),
    pytest.param(
        msg(actions(*[button(action_id=f"b{n}") for n in range(25)])),
        msg(actions(*[button(action_id=f"b{n}") for n in range(26)])),
        err("no more than 25 items allowed", B0 + "/elements"),
        id="actions-at-most-25-elements",
    ),
    pytest.param(
        msg(actions(button())),
        msg(actions()),
        err("must provide at least 1 items", B0 + "/elements"),
        id="actions-at-least-1-element",
    ),
    pytest.param(
        msg(actions(button())),
        msg(actions(text_input())),
        err("plain_text_input is not allowed in actions blocks", EL0 + "/type"),
        id="actions-interactive-elements-only",
    ),
    pytest.param(
        msg(image()),
        msg({"type": "image", "image_url": "https://x/a.png"}),
        err("missing required field: alt_text", B0),
        id="image-alt_text-required",
    ),
    pytest.param(
        msg(image(alt_text="x" * 2000)),
        msg(image(alt_text="x" * 2001)),
        err("must be less than 2001 characters", B0 + "/alt_text"),
        id="image-alt_text-at-most-2000",
    ),
    pytest.param(
        msg(image(image_url="https://x/" + "a" * 2990)),
        msg(image(image_url="https://x/" + "a" * 2991)),
        err("must be less than 3001 characters", B0 + "/image_url"),
        id="image-url-at-most-3000",
    ),
    pytest.param(
        msg({"type": "image", "slack_file": {"id": "F1"}, "alt_text": "A"}),
        msg({"type": "image", "alt_text": "A"}),
        err("must provide exactly one of image_url or slack_file", B0),
        id="image-url-or-slack_file",
    ),
    pytest.param(
        msg(
            {
                "type": "image",
                "slack_file": {"url": "https://files.slack.com/a.png"},
                "alt_text": "A",
            }
        ),
        msg({"type": "image", "slack_file": {}, "alt_text": "A"}),
        err("must provide exactly one of url or id", B0 + "/slack_file"),
        id="image-slack_file-url-or-id",
    ),
    pytest.param(
        msg(image(title=pt("Cat"))),
        msg(image(title=md("Cat"))),
        err("must be plain_text", B0 + "/title/type"),
        id="image-title-plain_text",
    ),
    pytest.param(
        msg({"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]}),
        msg({"type": "rich_text", "elements": [{"type": "section", "elements": []}]}),
        err("unsupported type: section", B0 + "/elements/0/type"),
        id="rich_text-sub-element-types",
    ),
    pytest.param(
        msg(
            {
                "type": "video",
                "alt_text": "A talk",
                "title": pt("A talk"),
                "thumbnail_url": "https://example.com/t.png",
                "video_url": "https://example.com/embed/1",
            }
        ),
        msg(
            {
                "type": "video",
                "alt_text": "A talk",
                "title": pt("A talk"),
                "video_url": "https://example.com/embed/1",
            }
        ),
        err("missing required field: thumbnail_url", B0),
        id="video-required-fields",
    ),
    # -- input -----------------------------------------------------------------------------------
    pytest.param(
        modal(inp(text_input())),
        modal({"type": "input", "element": text_input()}),
        err("missing required field: label", VB0),
        id="input-label-required",
    ),
    pytest.param(
        modal(inp(text_input(), label=pt("Name"))),
        modal(inp(text_input(), label=md("Name"))),
        err("must be plain_text", VB0 + "/label/type"),
        id="input-label-plain_text",
    ),
    pytest.param(
        modal(inp(text_input(), label=pt("x" * 2000))),
        modal(inp(text_input(), label=pt("x" * 2001))),
        err("must be less than 2001 characters", VB0 + "/label/text"),
        id="input-label-at-most-2000",
    ),
    pytest.param(
        modal(inp(text_input(), hint=pt("x" * 2000))),
        modal(inp(text_input(), hint=pt("x" * 2001))),
        err("must be less than 2001 characters", VB0 + "/hint/text"),
        id="input-hint-at-most-2000",
    ),
    pytest.param(
        modal(inp(text_input())),
        modal({"type": "input", "label": pt("Label")}),
        err("missing required field: element", VB0),
        id="input-element-required",
    ),
    pytest.param(
        modal(inp(select())),
        modal(inp(button())),
        err("button is not allowed in input blocks", VB0 + "/element/type"),
        id="input-input-elements-only",
    ),
    pytest.param(
        modal(inp(text_input(), optional=True)),
        modal(inp(text_input(), optional="true")),
        err("must be a boolean", VB0 + "/optional"),
        id="input-optional-boolean",
    ),
    pytest.param(
        modal(inp(text_input(), dispatch_action=True)),
        modal(inp(text_input(), dispatch_action=1)),
        err("must be a boolean", VB0 + "/dispatch_action"),
        id="input-dispatch_action-boolean",
    ),
    pytest.param(
        modal(inp({"type": "file_input", "action_id": "f"})),
        modal(inp({"type": "file_input", "action_id": "f"}, dispatch_action=True)),
        err("dispatch_action is not allowed with file_input", VB0 + "/dispatch_action"),
        id="input-no-dispatch_action-with-file_input",
    ),
    # -- button and confirm ----------------------------------------------------------------------
    pytest.param(
        msg(actions(button())),
        msg(actions({"type": "button", "action_id": "go"})),
        err("missing required field: text", EL0),
        id="button-text-required",
    ),
    pytest.param(
        msg(actions(button(text=pt("Go")))),
        msg(actions(button(text=md("Go")))),
        err("must be plain_text", EL0 + "/text/type"),
        id="button-text-plain_text",
    ),
    pytest.param(
        msg(actions(button(text=pt("x" * 75)))),
        msg(actions(button(text=pt("x" * 76)))),
        err("must be less than 76 characters", EL0 + "/text/text"),
        id="button-text-at-most-75",
    ),
    pytest.param(
        msg(actions(button(value="v" * 2000))),
        msg(actions(button(value="v" * 2001))),
        err("must be less than 2001 characters", EL0 + "/value"),
        id="button-value-at-most-2000",
    ),
    pytest.param(
        msg(actions(button(url="https://x/" + "a" * 2990))),
        msg(actions(button(url="https://x/" + "a" * 2991))),
        err("must be less than 3001 characters", EL0 + "/url"),
        id="button-url-at-most-3000",
    ),
    pytest.param(
        msg(actions(button(style="danger"))),
        msg(actions(button(style="secondary"))),
        err("must be one of: primary, danger", EL0 + "/style"),
        id="button-style-primary-or-danger",
    ),
    pytest.param(
        msg(actions(button(confirm=confirm()))),
        msg(actions(button(confirm={k: v for k, v in confirm().items() if k != "deny"}))),
        err("missing required field: deny", EL0 + "/confirm"),
        id="confirm-required-fields",
    ),
    pytest.param(
        msg(actions(button(confirm=confirm(title=pt("x" * 100))))),
        msg(actions(button(confirm=confirm(title=pt("x" * 101))))),
        err("must be less than 101 characters", EL0 + "/confirm/title/text"),
        id="confirm-title-at-most-100",
    ),
    pytest.param(
        msg(actions(button(confirm=confirm(title=pt("Sure?"))))),
        msg(actions(button(confirm=confirm(title=md("Sure?"))))),
        err("must be plain_text", EL0 + "/confirm/title/type"),
        id="confirm-title-plain_text",
    ),
    pytest.param(
        msg(actions(button(confirm=confirm(text=md("x" * 300))))),
        msg(actions(button(confirm=confirm(text=md("x" * 301))))),
        err("must be less than 301 characters", EL0 + "/confirm/text/text"),
        id="confirm-text-at-most-300",
    ),
    pytest.param(
        msg(actions(button(confirm=confirm(confirm=pt("x" * 30))))),
        msg(actions(button(confirm=confirm(confirm=pt("x" * 31))))),
        err("must be less than 31 characters", EL0 + "/confirm/confirm/text"),
        id="confirm-confirm-at-most-30",
    ),
    pytest.param(
        msg(actions(button(confirm=confirm(deny=pt("x" * 30))))),
        msg(actions(button(confirm=confirm(deny=pt("x" * 31))))),
        err("must be less than 31 characters", EL0 + "/confirm/deny/text"),
        id="confirm-deny-at-most-30",
    ),
    pytest.param(
        msg(actions(button(confirm=confirm(style="danger")))),
        msg(actions(button(confirm=confirm(style="warning")))),
        err("must be one of: primary, danger", EL0 + "/confirm/style"),
        id="confirm-style-primary-or-danger",
    ),
    # -- selects, options, option groups ---------------------------------------------------------
    pytest.param(
        msg(with_accessory(select())),
        msg(with_accessory({"type": "static_select", "action_id": "pick"})),
        err("missing required field: options", ACC),
        id="select-options-or-option_groups-required",
    ),
    pytest.param(
        msg(with_accessory(select())),
        msg(with_accessory(select(option_groups=[group()]))),
        err("must provide either options or option_groups, not both", ACC),
        id="select-not-both-options-and-option_groups",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt(value=str(n)) for n in range(100)]))),
        msg(with_accessory(select(options=[opt(value=str(n)) for n in range(101)]))),
        err("no more than 100 items allowed", ACC + "/options"),
        id="select-at-most-100-options",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt()]))),
        msg(with_accessory(select(options=[]))),
        err("must provide at least 1 items", ACC + "/options"),
        id="select-at-least-1-option",
    ),
    pytest.param(
        msg(with_accessory(grouped(*[group()] * 100))),
        msg(with_accessory(grouped(*[group()] * 101))),
        err("no more than 100 items allowed", ACC + "/option_groups"),
        id="select-at-most-100-option_groups",
    ),
    pytest.param(
        msg(with_accessory(grouped(group(label=pt("x" * 75))))),
        msg(with_accessory(grouped(group(label=pt("x" * 76))))),
        err("must be less than 76 characters", ACC + "/option_groups/0/label/text"),
        id="option_group-label-at-most-75",
    ),
    pytest.param(
        msg(with_accessory(grouped(group(label=pt("Group"))))),
        msg(with_accessory(grouped(group(label=md("Group"))))),
        err("must be plain_text", ACC + "/option_groups/0/label/type"),
        id="option_group-label-plain_text",
    ),
    pytest.param(
        msg(with_accessory(grouped(group(*[opt()] * 100)))),
        msg(with_accessory(grouped(group(*[opt()] * 101)))),
        err("no more than 100 items allowed", ACC + "/option_groups/0/options"),
        id="option_group-at-most-100-options",
    ),
    pytest.param(
        msg(with_accessory(select(placeholder=pt("x" * 150)))),
        msg(with_accessory(select(placeholder=pt("x" * 151)))),
        err("must be less than 151 characters", ACC + "/placeholder/text"),
        id="select-placeholder-at-most-150",
    ),
    pytest.param(
        msg(with_accessory(select(placeholder=pt("Pick")))),
        msg(with_accessory(select(placeholder=md("Pick")))),
        err("must be plain_text", ACC + "/placeholder/type"),
        id="select-placeholder-plain_text",
    ),
    pytest.param(
        msg(with_accessory(select(initial_option=opt("Two", "2")))),
        msg(with_accessory(select(initial_option=opt("2", "2")))),
        err("must match one of the options", ACC + "/initial_option"),
        id="select-initial_option-equals-an-option",
    ),
    pytest.param(
        msg(
            with_accessory(grouped(group(), group(opt("Two", "2")), initial_option=opt("Two", "2")))
        ),
        msg(
            with_accessory(grouped(group(), group(opt("Two", "2")), initial_option=opt("Two", "9")))
        ),
        err("must match one of the options", ACC + "/initial_option"),
        id="select-initial_option-equals-a-grouped-option",
    ),
    pytest.param(
        msg(with_accessory(select(type="multi_static_select", initial_options=[opt("Two", "2")]))),
        msg(
            with_accessory(select(type="multi_static_select", initial_options=[opt("Three", "3")]))
        ),
        err("must match one of the options", ACC + "/initial_options/0"),
        id="multi_select-initial_options-equal-options",
    ),
    pytest.param(
        msg(with_accessory(select(type="multi_static_select", max_selected_items=1))),
        msg(with_accessory(select(type="multi_static_select", max_selected_items=0))),
        err("must be an integer of at least 1", ACC + "/max_selected_items"),
        id="multi_select-max_selected_items-at-least-1",
    ),
    pytest.param(
        msg(with_accessory(select(options=[{"text": pt("One", emoji=True), "value": "1"}]))),
        msg(
            with_accessory(
                select(options=[{"text": {"type": "plain_text", "emoji": True}, "value": "1"}])
            )
        ),
        err("missing required field: text", ACC + "/options/0/text"),
        id="option-text-text-required",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt()]))),
        msg(with_accessory(select(options=[{"value": "1"}]))),
        err("missing required field: text", ACC + "/options/0"),
        id="option-text-required",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt()]))),
        msg(with_accessory(select(options=[{"text": md("One"), "value": "1"}]))),
        err("must be plain_text", ACC + "/options/0/text/type"),
        id="option-text-plain_text-in-selects",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt("x" * 75)]))),
        msg(with_accessory(select(options=[opt("x" * 76)]))),
        err("must be less than 76 characters", ACC + "/options/0/text/text"),
        id="option-text-at-most-75",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt()]))),
        msg(with_accessory(select(options=[{"text": pt("One")}]))),
        err("missing required field: value", ACC + "/options/0"),
        id="option-value-required",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt(value="v" * 150)]))),
        msg(with_accessory(select(options=[opt(value="v" * 151)]))),
        err("must be less than 151 characters", ACC + "/options/0/value"),
        id="option-value-at-most-150",
    ),
    pytest.param(
        msg(with_accessory(select(options=[opt(description=pt("x" * 75))]))),
        msg(with_accessory(select(options=[opt(description=pt("x" * 76))]))),
        err("must be less than 76 characters", ACC + "/options/0/description/text"),
        id="option-description-at-most-75",
    ),
    pytest.param(
        msg(with_accessory({"type": "overflow", "options": [opt(url="https://example.com")]})),
        msg(with_accessory(select(options=[opt(url="https://example.com")]))),
        err("url is only allowed in overflow menus", ACC + "/options/0/url"),
        id="option-url-only-in-overflow",
    ),
    pytest.param(
        msg(with_accessory({"type": "overflow", "options": [opt(value=str(n)) for n in range(5)]})),
        msg(with_accessory({"type": "overflow", "options": [opt(value=str(n)) for n in range(6)]})),
        err("no more than 5 items allowed", ACC + "/options"),
        id="overflow-at-most-5-options",
    ),
    pytest.param(
        msg(
            with_accessory(
                {"type": "radio_buttons", "options": [{"text": md("*One*"), "value": "1"}]}
            )
        ),
        msg(
            with_accessory(
                {"type": "radio_buttons", "options": [opt(value=str(n)) for n in range(11)]}
            )
        ),
        err("no more than 10 items allowed", ACC + "/options"),
        id="radio_buttons-at-most-10-options-mrkdwn-allowed",
    ),
    pytest.param(
        msg(with_accessory({"type": "radio_buttons", "options": [opt()], "initial_option": opt()})),
        msg(
            with_accessory(
                {"type": "radio_buttons", "options": [opt()], "initial_option": opt("Uno")}
            )
        ),
        err("must match one of the options", ACC + "/initial_option"),
        id="radio_buttons-initial_option-equals-an-option",
    ),
    pytest.param(
        msg(
            with_accessory(
                {"type": "checkboxes", "options": [opt(value=str(n)) for n in range(10)]}
            )
        ),
        msg(
            with_accessory(
                {"type": "checkboxes", "options": [opt(value=str(n)) for n in range(11)]}
            )
        ),
        err("no more than 10 items allowed", ACC + "/options"),
        id="checkboxes-at-most-10-options",
    ),
    pytest.param(
        msg(with_accessory({"type": "checkboxes", "options": [opt()], "initial_options": [opt()]})),
        msg(
            with_accessory(
                {"type": "checkboxes", "options": [opt()], "initial_options": [opt(value="2")]}
            )
        ),
        err("must match one of the options", ACC + "/initial_options/0"),
        id="checkboxes-initial_options-equal-options",
    ),
    pytest.param(
        msg(with_accessory({"type": "checkboxes", "options": [opt()], "initial_options": [opt()]})),
        msg(with_accessory({"type": "checkboxes", "options": [opt()], "initial_options": []})),
        err("must provide at least 1 items", ACC + "/initial_options"),
        id="checkboxes-initial_options-not-empty",
    ),
    # -- conversations filter, response_url_enabled ----------------------------------------------
    pytest.param(
        msg(
            with_accessory(
                {"type": "conversations_select", "filter": {"include": ["public", "im"]}}
            )
        ),
        msg(
            with_accessory(
                {"type": "conversations_select", "filter": {"include": ["public", "channels"]}}
            )
        ),
        err("must be one of: im, mpim, private, public", ACC + "/filter/include/1"),
        id="filter-include-values",
    ),
    pytest.param(
        msg(
            with_accessory({"type": "conversations_select", "filter": {"exclude_bot_users": True}})
        ),
        msg(with_accessory({"type": "conversations_select", "filter": {}})),
        err(
            "must provide at least one of: include, exclude_external_shared_channels,"
            " exclude_bot_users",
            ACC + "/filter",
        ),
        id="filter-at-least-one-field",
    ),
    pytest.param(
        msg(with_accessory({"type": "conversations_select", "filter": {"include": ["im"]}})),
        msg(with_accessory({"type": "conversations_select", "filter": {"include": []}})),
        err("must provide at least 1 items", ACC + "/filter/include"),
        id="filter-include-not-empty",
    ),
    pytest.param(
        modal(inp({"type": "conversations_select", "response_url_enabled": True})),
        msg(inp({"type": "conversations_select", "response_url_enabled": True})),
        err(
            "response_url_enabled is only allowed in input blocks of modals",
            "/blocks/0/element/response_url_enabled",
        ),
        id="response_url_enabled-only-in-modal-inputs",
    ),
    # -- text, number, date and time inputs ------------------------------------------------------
    pytest.param(
        modal(inp(text_input(max_length=3000))),
        modal(inp(text_input(max_length=3001))),
        err("must be an integer from 1 to 3000", VB0 + "/element/max_length"),
        id="plain_text_input-max_length-at-most-3000",
    ),
    pytest.param(
        modal(inp(text_input(min_length=3000))),
        modal(inp(text_input(min_length=3001))),
        err("must be an integer from 0 to 3000", VB0 + "/element/min_length"),
        id="plain_text_input-min_length-at-most-3000",
    ),
    pytest.param(
        modal(inp(text_input(min_length=10, max_length=10))),
        modal(inp(text_input(min_length=11, max_length=10))),
        err("must not be greater than max_length", VB0 + "/element/min_length"),
        id="plain_text_input-min_length-at-most-max_length",
    ),
    pytest.param(
        modal(inp(text_input(max_length=5, initial_value="12345"))),
        modal(inp(text_input(max_length=5, initial_value="123456"))),
        err("must be less than 6 characters", VB0 + "/element/initial_value"),
        id="plain_text_input-initial_value-within-max_length",
    ),
    pytest.param(
        modal(inp(text_input(min_length=3, initial_value="abc"))),
        modal(inp(text_input(min_length=3, initial_value="ab"))),
        err("must be more than 2 characters", VB0 + "/element/initial_value"),
        id="plain_text_input-initial_value-within-min_length",
    ),
    pytest.param(
        modal(inp(text_input(placeholder=pt("x" * 150)))),
        modal(inp(text_input(placeholder=pt("x" * 151)))),
        err("must be less than 151 characters", VB0 + "/element/placeholder/text"),
        id="plain_text_input-placeholder-at-most-150",
    ),
    pytest.param(
        modal(inp(text_input(dispatch_action_config={"trigger_actions_on": ["on_enter_pressed"]}))),
        modal(inp(text_input(dispatch_action_config={"trigger_actions_on": ["on_blur"]}))),
        err(
            "must be one of: on_character_entered, on_enter_pressed",
            VB0 + "/element/dispatch_action_config/trigger_actions_on/0",
        ),
        id="dispatch_action_config-triggers",
    ),
    pytest.param(
        modal(inp({"type": "number_input", "is_decimal_allowed": False})),
        modal(inp({"type": "number_input"})),
        err("missing required field: is_decimal_allowed", VB0 + "/element"),
        id="number_input-is_decimal_allowed-required",
    ),
    pytest.param(
        modal(
            inp(
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": "5",
                    "max_value": "5",
                }
            )
        ),
        modal(
            inp(
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": "6",
                    "max_value": "5",
                }
            )
        ),
        err("must not be greater than max_value", VB0 + "/element/min_value"),
        id="number_input-min_value-at-most-max_value",
    ),
    pytest.param(
        modal(inp({"type": "number_input", "is_decimal_allowed": True, "initial_value": "1.5"})),
        modal(inp({"type": "number_input", "is_decimal_allowed": False, "initial_value": "1.5"})),
        err("must be a whole number", VB0 + "/element/initial_value"),
        id="number_input-whole-numbers-unless-decimal",
    ),
    pytest.param(
        modal(
            inp(
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "max_value": "9",
                    "initial_value": "9",
                }
            )
        ),
        modal(
            inp(
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "max_value": "9",
                    "initial_value": "10",
                }
            )
        ),
        err("must be between min_value and max_value", VB0 + "/element/initial_value"),
        id="number_input-initial_value-in-range",
    ),
    pytest.param(
        modal(inp({"type": "number_input", "is_decimal_allowed": False})),
        home(inp({"type": "number_input", "is_decimal_allowed": False})),
        err("number_input is not allowed in Home tabs", VB0 + "/element/type"),
        id="number_input-modals-only",
    ),
    pytest.param(
        modal(inp({"type": "email_text_input"})),
        msg(inp({"type": "email_text_input"})),
        err("email_text_input is not allowed in messages", "/blocks/0/element/type"),
        id="email_text_input-modals-only",
    ),
    pytest.param(
        msg(with_accessory({"type": "datepicker", "initial_date": "1990-04-28"})),
        msg(with_accessory({"type": "datepicker", "initial_date": "28/04/1990"})),
        err("must be a date in the format YYYY-MM-DD", ACC + "/initial_date"),
        id="datepicker-initial_date-format",
    ),
    pytest.param(
        msg(with_accessory({"type": "datepicker", "initial_date": "2024-02-29"})),
        msg(with_accessory({"type": "datepicker", "initial_date": "2023-02-29"})),
        err("must be a date in the format YYYY-MM-DD", ACC + "/initial_date"),
        id="datepicker-initial_date-a-real-date",
    ),
    pytest.param(
        msg(with_accessory({"type": "timepicker", "initial_time": "23:59"})),
        msg(with_accessory({"type": "timepicker", "initial_time": "24:00"})),
        err("must be a time in the format HH:mm", ACC + "/initial_time"),
        id="timepicker-initial_time-format",
    ),
    pytest.param(
        msg(with_accessory({"type": "timepicker", "timezone": "America/Chicago"})),
        msg(with_accessory({"type": "timepicker", "timezone": "Mars/Olympus_Mons"})),
        err("must be an IANA time zone", ACC + "/timezone"),
        id="timepicker-timezone-iana",
    ),
    pytest.param(
        msg(actions({"type": "datetimepicker", "initial_date_time": 1628633820})),
        msg(actions({"type": "datetimepicker", "initial_date_time": 1628633820000})),
        err("must be a UNIX timestamp in seconds (10 digits)", EL0 + "/initial_date_time"),
        id="datetimepicker-initial_date_time-seconds",
    ),
    pytest.param(
        modal(actions({"type": "datetimepicker"})),
        home(actions({"type": "datetimepicker"})),
        err("datetimepicker is not allowed in Home tabs", "/view/blocks/0/elements/0/type"),
        id="datetimepicker-not-in-home-tabs",
    ),
    pytest.param(
        modal(inp(text_input(focus_on_load=True)), inp(select(), block_id="b")),
        modal(inp(text_input(focus_on_load=True)), inp(select(focus_on_load=True), block_id="b")),
        err("only one element may set focus_on_load", "/view/blocks/1/element/focus_on_load"),
        id="focus_on_load-at-most-one",
    ),
    # -- views -----------------------------------------------------------------------------------
    pytest.param(
        modal(section()),
        {"type": "dialog", "title": pt("Title"), "blocks": []},
        err("unsupported type: dialog", "/view/type"),
        id="view-type-modal-or-home",
    ),
    pytest.param(
        modal(section()),
        {"type": "modal", "title": pt("Title")},
        err("missing required field: blocks", "/view"),
        id="view-blocks-required",
    ),
    pytest.param(
        modal(section()),
        {"type": "modal", "blocks": [section()]},
        err("missing required field: title", "/view"),
        id="modal-title-required",
    ),
    pytest.param(
        modal(section(), title=pt("x" * 24)),
        modal(section(), title=pt("x" * 25)),
        err("must be less than 25 characters", "/view/title/text"),
        id="modal-title-at-most-24",
    ),
    pytest.param(
        modal(section(), title=pt("Title")),
        modal(section(), title=md("Title")),
        err("must be plain_text", "/view/title/type"),
        id="modal-title-plain_text",
    ),
    pytest.param(
        modal(section(), submit=pt("x" * 24)),
        modal(section(), submit=pt("x" * 25)),
        err("must be less than 25 characters", "/view/submit/text"),
        id="modal-submit-at-most-24",
    ),
    pytest.param(
        modal(section(), close=pt("x" * 24)),
        modal(section(), close=pt("x" * 25)),
        err("must be less than 25 characters", "/view/close/text"),
        id="modal-close-at-most-24",
    ),
    pytest.param(
        {"type": "modal", "title": pt("Title"), "blocks": [section()]},
        {"type": "modal", "title": pt("Title"), "blocks": [inp(text_input())]},
        err("submit is required when the view has input blocks", "/view/submit"),
        id="modal-submit-required-with-input-blocks",
    ),
    pytest.param(
        modal(section(), notify_on_close=True),
        modal(section(), notify_on_close="true"),
        err("must be a boolean", "/view/notify_on_close"),
        id="modal-notify_on_close-boolean",
    ),
    pytest.param(
        modal(section(), private_metadata="m" * 3000),
        modal(section(), private_metadata="m" * 3001),
        err("must be less than 3001 characters", "/view/private_metadata"),
        id="view-private_metadata-at-most-3000",
    ),
    pytest.param(
        home(section(), callback_id="c" * 255),
        home(section(), callback_id="c" * 256),
        err("must be less than 256 characters", "/view/callback_id"),
        id="view-callback_id-at-most-255",
    ),
    pytest.param(
        home(section(), external_id="e" * 255),
        home(section(), external_id="e" * 256),
        err("must be less than 256 characters", "/view/external_id"),
        id="view-external_id-at-most-255",
    ),
    pytest.param(
        home(section()),
        home(section(), title=pt("Home")),
        err("title is not allowed in home views", "/view/title"),
        id="home-no-title",
    ),
    pytest.param(
        home(section()),
        home(section(), submit=pt("Save"), close=pt("Cancel")),
        err("submit is not allowed in home views", "/view/submit"),
        id="home-no-submit-or-close",
    ),
]


@pytest.mark.parametrize(("good", "bad", "problem"), RULES)
def test_each_rule_refuses_one_payload_and_accepts_its_twin(good, bad, problem):
    assert check(good) == []
    assert problem in check(bad)


SUBMITTED = modal(section(block_id="intro"), inp(text_input(), block_id="name"))
ACKS = [
    pytest.param(
        {"response_action": "clear"},
        {"response_action": "close"},
        err("must be one of: clear, errors, push, update", "/response_action"),
        id="response_action-known",
    ),
    pytest.param(
        {"response_action": "errors", "errors": {"name": "Too long"}},
        {"errors": {"name": "Too long"}},
        err("missing required field: response_action", "/response_action"),
        id="response_action-required-when-ack-has-a-body",
    ),
    pytest.param(
        {"response_action": "update", "view": modal(section())},
        {"response_action": "update"},
        err("missing required field: view", "/view"),
        id="update-needs-a-view",
    ),
    pytest.param(
        {"response_action": "push", "view": modal(section())},
        {"response_action": "push", "view": modal(section(), title=pt("x" * 25))},
        err("must be less than 25 characters", "/view/title/text"),
        id="push-needs-a-valid-view",
    ),
    pytest.param(
        {"response_action": "update", "view": modal(section())},
        {"response_action": "update", "view": home(section())},
        err("must be a modal", "/view/type"),
        id="update-view-is-a-modal",
    ),
    pytest.param(
        {"response_action": "errors", "errors": {"name": "Too long"}},
        {"response_action": "errors", "errors": {}},
        err("must be a non-empty object", "/errors"),
        id="errors-not-empty",
    ),
    pytest.param(
        {"response_action": "errors", "errors": {"name": "Too long"}},
        {"response_action": "errors", "errors": {"intro": "Too long"}},
        err("intro is not the block_id of an input block in the view", "/errors/intro"),
        id="errors-keys-are-input-block_ids",
    ),
    pytest.param(
        {"response_action": "errors", "errors": {"name": "Too long"}},
        {"response_action": "errors", "errors": {"name": ""}},
        err("must be more than 0 characters", "/errors/name"),
        id="errors-messages-not-empty",
    ),
    pytest.param(
        {"response_action": "errors", "errors": {"name": "Too long"}},
        {"response_action": "errors", "errors": {"name": ["Too long"]}},
        err("must be a string", "/errors/name"),
        id="errors-messages-strings",
    ),
]


@pytest.mark.parametrize(("good", "bad", "problem"), ACKS)
def test_each_view_submission_ack_rule(good, bad, problem):
    assert view_submission_ack_problems(good, SUBMITTED) == []
    assert problem in view_submission_ack_problems(bad, SUBMITTED)


@pytest.mark.parametrize("ack", [{}, None, ""])
def test_an_empty_ack_is_fine(ack):
    assert view_submission_ack_problems(ack, SUBMITTED) == []


def test_every_problem_is_reported_not_only_the_first():
    broken = msg(
        {"type": "header", "text": pt("")},
        with_accessory(
            select(options=[{"text": {"type": "plain_text", "emoji": True}, "value": "1"}])
        ),
        actions(button(text=pt("x" * 76))),
    )
    assert check(broken) == [
        err("must be more than 0 characters", "/blocks/0/text/text"),
        err("missing required field: text", "/blocks/1/accessory/options/0/text"),
        err("must be less than 76 characters", "/blocks/2/elements/0/text/text"),
    ]


def test_a_message_without_blocks_has_no_block_kit_problems():
    assert message_problems({"text": "plain", "response_type": "ephemeral"}) == []
    assert message_problems({"delete_original": True}) == []


def test_the_apps_own_payloads_are_accepted():
    """A false refusal would fail good tests: the app's builders that need no data pass."""
    from bot.slack.blocks import celebrations, help, home, onboarding, privacy, progress

    payloads = [
        help.build_help(),
        home.build_home_welcome(),
        onboarding.build_onboarding_modal(None),
        privacy.build_forget_question(),
        privacy.build_forgotten(),
        progress.build_not_started(),
        celebrations.build_declined(),
    ]
    for payload in payloads:
        assert check(payload) == [], payload
