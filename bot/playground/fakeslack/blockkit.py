"""Block Kit's rules, as Slack enforces them, for the local stand-in for Slack.

Slack refuses a message that breaks Block Kit's rules (`invalid_blocks` from chat.*) and a
view that does (`invalid_arguments` from views.*), listing each broken spot as
``[ERROR] <what is wrong> [json-pointer:/blocks/2/accessory/options/0/text]``. This module
finds the same problems in a payload, so that a test that sends one fails as it would
against Slack. It is hand-written from Slack's Block Kit reference pages, stdlib only.

What it checks:
- surfaces: which block types a message, a modal and a Home tab accept; unknown block types;
  at most 50 blocks in a message (and in each attachment), 100 in a view; block_id at
  most 255 characters and unique within the message or view; action_id at most 255
  characters and unique within its block (Slack's element pages: "the containing block");
- every block type: its fields (unknown fields are refused), required fields, text lengths,
  item counts, and which elements it may hold (e.g. no plain_text_input in actions, no
  button in input); which elements a surface accepts (e.g. number_input only in modals);
- every element and composition object: text objects (plain_text or mrkdwn, non-empty
  `text`, `emoji` only on plain_text, `verbatim` only on mrkdwn, plain_text where only that
  is allowed), options and option groups, initial_option(s) equal to one of the options,
  confirmation dialogs, conversation filters, date/time formats, input lengths and ranges;
- views: type, title/submit/close, submit required with input blocks, blocks,
  private_metadata, callback_id, external_id, fields a Home tab may not have, at most one
  element with focus_on_load;
- view_submission acks: response_action and what each one needs.

What it does not check: the message envelope beyond Block Kit (`text`, `no_text`,
`msg_too_long`, thread_ts, metadata: the fake server does those), legacy attachment fields,
the inside of rich_text blocks (only their sub-element types), whether URLs resolve or are
well-formed, whether user/channel ids exist, workflow_button's `workflow` object, and
newer AI-app block types (table, context_actions, plan, task_card), which it refuses as
unknown. Where Slack's pages are unclear it takes the stricter reading; each such place
says so in a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

MESSAGE, MODAL, HOME = "message", "modal", "home"
ALL_SURFACES = frozenset({MESSAGE, MODAL, HOME})
SURFACE_NAMES = {MESSAGE: "messages", MODAL: "modals", HOME: "Home tabs"}
MAX_BLOCKS = {MESSAGE: 50, MODAL: 100, HOME: 100}
TEXT_TYPES = ("plain_text", "mrkdwn")
STYLES = ("primary", "danger")
RESPONSE_ACTIONS = ("clear", "errors", "push", "update")
FILTER_INCLUDES = ("im", "mpim", "private", "public")
TRIGGERS = ("on_character_entered", "on_enter_pressed")
RICH_TEXT_ELEMENTS = frozenset(
    {"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"}
)
MARKDOWN_TOTAL = 12_000  # cumulative over every markdown block of one message


@dataclass(frozen=True)
class Spec:
    """What one block or element type may contain."""

    fields: frozenset[str]  # every field allowed besides "type"
    required: frozenset[str] = frozenset()
    texts: tuple[tuple[str, int, bool], ...] = ()  # (field, max chars, plain_text only)
    strings: tuple[tuple[str, int], ...] = ()  # (field, max chars; 0: no maximum), non-empty
    bools: frozenset[str] = frozenset()
    surfaces: frozenset[str] = ALL_SURFACES
    blocks: frozenset[str] = frozenset()  # for elements: the blocks that may hold it


def spec(
    fields: str,
    required: str = "",
    texts: tuple = (),
    strings: dict[str, int] | None = None,
    bools: str = "",
    surfaces: Iterable[str] = ALL_SURFACES,
    blocks: str = "",
) -> Spec:
    names = frozenset(fields.split())
    lengths = ({"action_id": 255} if "action_id" in names else {}) | (strings or {})
    return Spec(
        names,
        frozenset(required.split()),
        texts,
        tuple(lengths.items()),
        frozenset(bools.split()),
        frozenset(surfaces),
        frozenset(blocks.split()),
    )


PLACEHOLDER = (("placeholder", 150, True),)
FOCUS = "focus_on_load"
SELECT = "action_id confirm focus_on_load placeholder"
MULTI = SELECT + " max_selected_items"
# Selects and multi-selects alike: the current block-elements reference lists multi-selects
# for actions blocks too (an older page said section and input only).
SELECT_BLOCKS = "section actions input"
INPUT_TEXT = "action_id initial_value dispatch_action_config focus_on_load placeholder"

BLOCKS: dict[str, Spec] = {
    "section": spec(
        "block_id text fields accessory expand", texts=(("text", 3000, False),), bools="expand"
    ),
    "divider": spec("block_id"),
    "image": spec(
        "block_id image_url slack_file alt_text title",
        "alt_text",
        texts=(("title", 2000, True),),
        strings={"image_url": 3000, "alt_text": 2000},
    ),
    "actions": spec("block_id elements", "elements"),
    "context": spec("block_id elements", "elements"),
    "header": spec("block_id text", "text", texts=(("text", 150, True),)),
    "input": spec(
        "block_id label element hint optional dispatch_action",
        "label element",
        texts=(("label", 2000, True), ("hint", 2000, True)),
        bools="optional dispatch_action",
    ),
    "rich_text": spec("block_id elements", "elements"),
    # "Must be less than 200 / 50 characters": at most 199 and 49.
    "video": spec(
        "block_id alt_text author_name description provider_icon_url provider_name title"
        " title_url thumbnail_url video_url",
        "alt_text title thumbnail_url video_url",
        texts=(("title", 199, True), ("description", 199, True)),
        strings={"alt_text": 0, "author_name": 49, "provider_name": 0, "provider_icon_url": 0}
        | {"title_url": 0, "thumbnail_url": 0, "video_url": 0},
    ),
    "file": spec(
        "block_id external_id source",
        "external_id source",
        strings={"external_id": 0},
        surfaces=[MESSAGE],
    ),
    "markdown": spec("block_id text", "text", strings={"text": MARKDOWN_TOTAL}, surfaces=[MESSAGE]),
}

ELEMENTS: dict[str, Spec] = {
    "button": spec(
        "action_id text url value style confirm accessibility_label",
        "text",
        texts=(("text", 75, True),),
        strings={"url": 3000, "value": 2000, "accessibility_label": 75},
        blocks="section actions",
    ),
    "workflow_button": spec(
        "action_id text workflow style accessibility_label",
        "text workflow action_id",
        texts=(("text", 75, True),),
        strings={"accessibility_label": 75},
        surfaces=[MESSAGE],
        blocks="section actions",
    ),
    "checkboxes": spec(
        "action_id options initial_options confirm focus_on_load",
        "options",
        bools=FOCUS,
        blocks="section actions input",
    ),
    "radio_buttons": spec(
        "action_id options initial_option confirm focus_on_load",
        "options",
        bools=FOCUS,
        blocks="section actions input",
    ),
    "overflow": spec("action_id options confirm", "options", blocks="section actions"),
    "datepicker": spec(
        "action_id initial_date confirm focus_on_load placeholder",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks="section actions input",
    ),
    "timepicker": spec(
        "action_id initial_time confirm focus_on_load placeholder timezone",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks="section actions input",
    ),
    # Listed for modals and messages only, and for actions and input blocks only.
    "datetimepicker": spec(
        "action_id initial_date_time confirm focus_on_load",
        bools=FOCUS,
        surfaces=[MESSAGE, MODAL],
        blocks="actions input",
    ),
    "image": spec(
        "image_url slack_file alt_text",
        "alt_text",
        # The element's page gives no maximum for alt_text; the image block's 2000 applies.
        strings={"image_url": 3000, "alt_text": 2000},
        blocks="section context",
    ),
    "static_select": spec(
        SELECT + " options option_groups initial_option",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks=SELECT_BLOCKS,
    ),
    "multi_static_select": spec(
        MULTI + " options option_groups initial_options",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks=SELECT_BLOCKS,
    ),
    "external_select": spec(
        SELECT + " initial_option min_query_length",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks=SELECT_BLOCKS,
    ),
    "multi_external_select": spec(
        MULTI + " initial_options min_query_length",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks=SELECT_BLOCKS,
    ),
    "users_select": spec(
        SELECT + " initial_user",
        texts=PLACEHOLDER,
        strings={"initial_user": 0},
        bools=FOCUS,
        blocks=SELECT_BLOCKS,
    ),
    "multi_users_select": spec(
        MULTI + " initial_users",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks=SELECT_BLOCKS,
    ),
    "conversations_select": spec(
        SELECT + " initial_conversation default_to_current_conversation response_url_enabled"
        " filter",
        texts=PLACEHOLDER,
        strings={"initial_conversation": 0},
        bools=FOCUS + " default_to_current_conversation response_url_enabled",
        blocks=SELECT_BLOCKS,
    ),
    "multi_conversations_select": spec(
        MULTI + " initial_conversations default_to_current_conversation filter",
        texts=PLACEHOLDER,
        bools=FOCUS + " default_to_current_conversation",
        blocks=SELECT_BLOCKS,
    ),
    "channels_select": spec(
        SELECT + " initial_channel response_url_enabled",
        texts=PLACEHOLDER,
        strings={"initial_channel": 0},
        bools=FOCUS + " response_url_enabled",
        blocks=SELECT_BLOCKS,
    ),
    "multi_channels_select": spec(
        MULTI + " initial_channels",
        texts=PLACEHOLDER,
        bools=FOCUS,
        blocks=SELECT_BLOCKS,
    ),
    "plain_text_input": spec(
        INPUT_TEXT + " multiline min_length max_length",
        texts=PLACEHOLDER,
        strings={"initial_value": 0},
        bools=FOCUS + " multiline",
        blocks="input",
    ),
    "email_text_input": spec(
        INPUT_TEXT,
        texts=PLACEHOLDER,
        strings={"initial_value": 0},
        bools=FOCUS,
        surfaces=[MODAL],
        blocks="input",
    ),
    "url_text_input": spec(
        INPUT_TEXT,
        texts=PLACEHOLDER,
        strings={"initial_value": 0},
        bools=FOCUS,
        surfaces=[MODAL],
        blocks="input",
    ),
    "number_input": spec(
        INPUT_TEXT + " is_decimal_allowed min_value max_value",
        "is_decimal_allowed",
        texts=PLACEHOLDER,
        strings={"initial_value": 0, "min_value": 0, "max_value": 0},
        bools=FOCUS + " is_decimal_allowed",
        surfaces=[MODAL],
        blocks="input",
    ),
    # The actions block's page also lists it; the element's own page says input only and
    # the element table says modals and Home tabs: the stricter reading.
    "rich_text_input": spec(
        INPUT_TEXT,
        texts=PLACEHOLDER,
        bools=FOCUS,
        surfaces=[MODAL, HOME],
        blocks="input",
    ),
    "file_input": spec("action_id filetypes max_files", surfaces=[MODAL], blocks="input"),
}

# Option-holding elements: (min options, max options, mrkdwn text allowed, url allowed).
OPTION_RULES = {
    "static_select": (1, 100, False, False),
    "multi_static_select": (1, 100, False, False),
    "overflow": (1, 5, False, True),
    "radio_buttons": (1, 10, True, False),
    "checkboxes": (1, 10, True, False),
}


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Walk:
    """Collects problems in one message or view, with what must be unique across it."""

    def __init__(self, surface: str) -> None:
        self.surface = surface
        self.problems: list[str] = []
        self.block_ids: set[str] = set()
        self.action_ids: set[str] = set()
        self.focused = 0
        self.markdown = 0

    def error(self, what: str, ptr: str) -> None:
        self.problems.append(f"[ERROR] {what} [json-pointer:{ptr}]")

    # -- plain values ----------------------------------------------------------------------

    def string(self, value: Any, ptr: str, max_len: int = 0, min_len: int = 0) -> bool:
        if not isinstance(value, str):
            self.error("must be a string", ptr)
            return False
        if len(value) < min_len:
            self.error(f"must be more than {min_len - 1} characters", ptr)
        if max_len and len(value) > max_len:
            self.error(f"must be less than {max_len + 1} characters", ptr)
        return True

    def boolean(self, value: Any, ptr: str) -> None:
        if not isinstance(value, bool):
            self.error("must be a boolean", ptr)

    def array(self, value: Any, ptr: str, min_items: int, max_items: int) -> list:
        if not isinstance(value, list):
            self.error("must be an array", ptr)
            return []
        if len(value) < min_items:
            self.error(f"must provide at least {min_items} items", ptr)
        if len(value) > max_items:
            self.error(f"no more than {max_items} items allowed", ptr)
        return value

    def obj(self, value: Any, ptr: str) -> bool:
        if not isinstance(value, dict):
            self.error("must be an object", ptr)
            return False
        return True

    def fields(self, value: dict, allowed: Iterable[str], required: Iterable[str], ptr: str):
        for name in sorted(value.keys() - set(allowed), key=str):
            self.error(f"unsupported field: {name}", f"{ptr}/{_escape(str(name))}")
        for name in sorted(set(required) - value.keys()):
            self.error(f"missing required field: {name}", ptr)

    def unique(self, seen: set[str], value: Any, what: str, ptr: str) -> None:
        if isinstance(value, str):
            if value in seen:
                self.error(f"duplicate {what}: {value}", ptr)
            seen.add(value)

    # -- composition objects ---------------------------------------------------------------

    def text(self, value: Any, ptr: str, max_len: int = 3000, plain_only: bool = False) -> None:
        if not self.obj(value, ptr):
            return
        self.fields(value, ("type", "text", "emoji", "verbatim"), ("type", "text"), ptr)
        kind = value.get("type")
        if "type" in value and kind not in TEXT_TYPES:
            self.error(f"unsupported type: {kind}", f"{ptr}/type")
        elif plain_only and kind == "mrkdwn":
            self.error("must be plain_text", f"{ptr}/type")
        if "text" in value:
            self.string(value["text"], f"{ptr}/text", max_len, min_len=1)
        if "emoji" in value:
            self.boolean(value["emoji"], f"{ptr}/emoji")
            if kind == "mrkdwn":
                self.error("emoji is only allowed on plain_text", f"{ptr}/emoji")
        if "verbatim" in value:
            self.boolean(value["verbatim"], f"{ptr}/verbatim")
            if kind == "plain_text":
                self.error("verbatim is only allowed on mrkdwn", f"{ptr}/verbatim")

    def confirm(self, value: Any, ptr: str) -> None:
        if not self.obj(value, ptr):
            return
        required = ("title", "text", "confirm", "deny")
        self.fields(value, (*required, "style"), required, ptr)
        if "title" in value:
            self.text(value["title"], f"{ptr}/title", 100, plain_only=True)
        if "text" in value:
            # docs.slack.dev's table says plain_text, but its own example uses mrkdwn (as
            # does the older page's "a text object"): both are accepted.
            self.text(value["text"], f"{ptr}/text", 300)
        for name in ("confirm", "deny"):
            if name in value:
                self.text(value[name], f"{ptr}/{name}", 30, plain_only=True)
        if "style" in value and value["style"] not in STYLES:
            self.error("must be one of: primary, danger", f"{ptr}/style")

    def option(self, value: Any, ptr: str, mrkdwn: bool, url: bool) -> None:
        if not self.obj(value, ptr):
            return
        self.fields(value, ("text", "value", "description", "url"), ("text", "value"), ptr)
        if "text" in value:
            self.text(value["text"], f"{ptr}/text", 75, plain_only=not mrkdwn)
        if "value" in value:
            self.string(value["value"], f"{ptr}/value", 150)
        if "description" in value:
            self.text(value["description"], f"{ptr}/description", 75, plain_only=not mrkdwn)
        if "url" in value:
            if url:
                self.string(value["url"], f"{ptr}/url", 3000)
            else:
                self.error("url is only allowed in overflow menus", f"{ptr}/url")

    def options(self, element: dict, ptr: str, rules: tuple[int, int, bool, bool]) -> list:
        """Checks options or option_groups; returns every option (for initial_option)."""
        least, most, mrkdwn, url = rules
        if "option_groups" in element:
            if "options" in element:
                self.error("must provide either options or option_groups, not both", ptr)
            found = []
            groups = self.array(element["option_groups"], f"{ptr}/option_groups", 1, 100)
            for g, group in enumerate(groups):
                gptr = f"{ptr}/option_groups/{g}"
                if not self.obj(group, gptr):
                    continue
                self.fields(group, ("label", "options"), ("label", "options"), gptr)
                if "label" in group:
                    self.text(group["label"], f"{gptr}/label", 75, plain_only=True)
                opts = self.array(group.get("options", []), f"{gptr}/options", 1, 100)
                for o, opt in enumerate(opts):
                    self.option(opt, f"{gptr}/options/{o}", mrkdwn, url)
                found += opts
            return found
        if "options" not in element:
            self.error("missing required field: options", ptr)
            return []
        opts = self.array(element["options"], f"{ptr}/options", least, most)
        for o, opt in enumerate(opts):
            self.option(opt, f"{ptr}/options/{o}", mrkdwn, url)
        return opts

    def initial(self, element: dict, ptr: str, options: list) -> None:
        """initial_option(s) must each equal one of the options: same text and value."""

        def key(opt: Any):
            if not isinstance(opt, dict) or not isinstance(opt.get("text"), dict):
                return None
            return opt.get("value"), opt["text"].get("type"), opt["text"].get("text")

        known = {key(o) for o in options} - {None}
        first = element.get("initial_option")
        if (
            first is not None
            and self.obj(first, f"{ptr}/initial_option")
            and key(first) not in known
        ):
            self.error("must match one of the options", f"{ptr}/initial_option")
        if "initial_options" in element:
            chosen = self.array(element["initial_options"], f"{ptr}/initial_options", 1, 100)
            for i, opt in enumerate(chosen):
                if self.obj(opt, f"{ptr}/initial_options/{i}") and key(opt) not in known:
                    self.error("must match one of the options", f"{ptr}/initial_options/{i}")

    def conversation_filter(self, value: Any, ptr: str) -> None:
        if not self.obj(value, ptr):
            return
        allowed = ("include", "exclude_external_shared_channels", "exclude_bot_users")
        self.fields(value, allowed, (), ptr)
        if not value:
            self.error("must provide at least one of: " + ", ".join(allowed), ptr)
        if "include" in value:
            for i, kind in enumerate(self.array(value["include"], f"{ptr}/include", 1, 4)):
                if kind not in FILTER_INCLUDES:
                    self.error("must be one of: im, mpim, private, public", f"{ptr}/include/{i}")
        for name in allowed[1:]:
            if name in value:
                self.boolean(value[name], f"{ptr}/{name}")

    # -- blocks and elements ---------------------------------------------------------------

    def blocks(self, blocks: Any, ptr: str) -> None:
        for b, block in enumerate(self.array(blocks, ptr, 0, MAX_BLOCKS[self.surface])):
            self.block(block, f"{ptr}/{b}")
        if self.markdown > MARKDOWN_TOTAL:
            self.error(f"markdown blocks must total less than {MARKDOWN_TOTAL + 1} characters", ptr)

    def block(self, block: Any, ptr: str) -> None:
        if not self.obj(block, ptr):
            return
        kind = block.get("type")
        rules = BLOCKS.get(kind) if isinstance(kind, str) else None
        if "type" not in block:
            return self.error("missing required field: type", ptr)
        if rules is None:
            return self.error(f"unsupported type: {kind}", f"{ptr}/type")
        if self.surface not in rules.surfaces:
            return self.error(
                f"{kind} blocks are not allowed in {SURFACE_NAMES[self.surface]}", f"{ptr}/type"
            )
        self.common(block, ptr, rules)
        # Every element page says action_id "should be unique among all other action_ids in
        # the containing block"; the same action_id in two blocks (a list of rows with an
        # Edit button each) is valid. block_id is unique across the message or view.
        self.action_ids = set()
        if "block_id" in block:
            self.string(block["block_id"], f"{ptr}/block_id", 255)
            self.unique(self.block_ids, block["block_id"], "block_id", f"{ptr}/block_id")
        getattr(self, f"block_{kind}", lambda *_: None)(block, ptr)

    def common(self, value: dict, ptr: str, rules: Spec) -> None:
        """The table-driven part: fields, required fields, texts, strings and booleans."""
        self.fields(value, rules.fields | {"type"}, rules.required, ptr)
        for name, max_len, plain_only in rules.texts:
            if name in value:
                self.text(value[name], f"{ptr}/{name}", max_len, plain_only)
        for name, max_len in rules.strings:
            if name in value:  # non-empty, but an input may start empty
                least = 0 if name == "initial_value" else 1
                self.string(value[name], f"{ptr}/{name}", max_len, min_len=least)
        for name in rules.bools:
            if name in value:
                self.boolean(value[name], f"{ptr}/{name}")

    def element(self, element: Any, ptr: str, block: str) -> None:
        if not self.obj(element, ptr):
            return
        kind = element.get("type")
        rules = ELEMENTS.get(kind) if isinstance(kind, str) else None
        if "type" not in element:
            return self.error("missing required field: type", ptr)
        if rules is None:
            return self.error(f"unsupported type: {kind}", f"{ptr}/type")
        if block not in rules.blocks:
            return self.error(f"{kind} is not allowed in {block} blocks", f"{ptr}/type")
        if self.surface not in rules.surfaces:
            return self.error(
                f"{kind} is not allowed in {SURFACE_NAMES[self.surface]}", f"{ptr}/type"
            )
        self.common(element, ptr, rules)
        if "action_id" in element:
            self.unique(self.action_ids, element["action_id"], "action_id", f"{ptr}/action_id")
        if "confirm" in element:
            self.confirm(element["confirm"], f"{ptr}/confirm")
        if element.get("focus_on_load") is True:
            self.focused += 1
            if self.focused > 1:
                self.error("only one element may set focus_on_load", f"{ptr}/focus_on_load")
        if kind in OPTION_RULES:
            self.initial(element, ptr, self.options(element, ptr, OPTION_RULES[kind]))
        else:  # external selects: their options come later, from the app's options URL
            if "initial_option" in element:
                self.option(element["initial_option"], f"{ptr}/initial_option", False, False)
            if "initial_options" in element:
                chosen = self.array(element["initial_options"], f"{ptr}/initial_options", 1, 100)
                for i, opt in enumerate(chosen):
                    self.option(opt, f"{ptr}/initial_options/{i}", False, False)
        getattr(self, f"element_{kind}", lambda *_: None)(element, ptr)
        self.element_extras(element, ptr, block)

    def element_extras(self, element: dict, ptr: str, block: str) -> None:
        if "max_selected_items" in element:
            value = element["max_selected_items"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                self.error("must be an integer of at least 1", f"{ptr}/max_selected_items")
        if "filter" in element:
            self.conversation_filter(element["filter"], f"{ptr}/filter")
        if element.get("response_url_enabled") and (self.surface != MODAL or block != "input"):
            self.error(
                "response_url_enabled is only allowed in input blocks of modals",
                f"{ptr}/response_url_enabled",
            )
        if "dispatch_action_config" in element:
            cptr = f"{ptr}/dispatch_action_config"
            config = element["dispatch_action_config"]
            if self.obj(config, cptr):
                self.fields(config, ("trigger_actions_on",), (), cptr)
                triggers = self.array(
                    config.get("trigger_actions_on", []), f"{cptr}/trigger_actions_on", 0, 2
                )
                for t, trigger in enumerate(triggers):
                    if trigger not in TRIGGERS:
                        self.error(
                            "must be one of: " + ", ".join(TRIGGERS),
                            f"{cptr}/trigger_actions_on/{t}",
                        )
        for name in ("initial_users", "initial_conversations", "initial_channels", "filetypes"):
            if name in element:
                for i, item in enumerate(self.array(element[name], f"{ptr}/{name}", 0, 100)):
                    self.string(item, f"{ptr}/{name}/{i}", min_len=1)

    def image_source(self, value: dict, ptr: str) -> None:
        """An image needs exactly one of image_url and slack_file ({url} or {id})."""
        if ("image_url" in value) == ("slack_file" in value):
            self.error("must provide exactly one of image_url or slack_file", ptr)
        if "slack_file" in value and self.obj(value["slack_file"], f"{ptr}/slack_file"):
            file = value["slack_file"]
            self.fields(file, ("url", "id"), (), f"{ptr}/slack_file")
            if ("url" in file) == ("id" in file):
                self.error("must provide exactly one of url or id", f"{ptr}/slack_file")

    # Per-type rules beyond the tables: block_<type> and element_<type>.

    def block_section(self, block: dict, ptr: str) -> None:
        if "text" not in block and "fields" not in block:
            self.error("must provide either text or fields", ptr)
        if "fields" in block:
            for f, field in enumerate(self.array(block["fields"], f"{ptr}/fields", 1, 10)):
                self.text(field, f"{ptr}/fields/{f}", 2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{ptr}/accessory", "section")

    def block_image(self, block: dict, ptr: str) -> None:
        self.image_source(block, ptr)

    def block_actions(self, block: dict, ptr: str) -> None:
        for e, element in enumerate(
            self.array(block.get("elements", []), f"{ptr}/elements", 1, 25)
        ):
            self.element(element, f"{ptr}/elements/{e}", "actions")

    def block_context(self, block: dict, ptr: str) -> None:
        for e, item in enumerate(self.array(block.get("elements", []), f"{ptr}/elements", 1, 10)):
            if isinstance(item, dict) and item.get("type") in TEXT_TYPES:
                self.text(item, f"{ptr}/elements/{e}")
            else:
                self.element(item, f"{ptr}/elements/{e}", "context")

    def block_input(self, block: dict, ptr: str) -> None:
        if "element" in block:
            self.element(block["element"], f"{ptr}/element", "input")
            kind = block["element"].get("type") if isinstance(block["element"], dict) else None
            if block.get("dispatch_action") is True and kind == "file_input":
                self.error(
                    "dispatch_action is not allowed with file_input", f"{ptr}/dispatch_action"
                )

    def block_rich_text(self, block: dict, ptr: str) -> None:
        for e, item in enumerate(self.array(block.get("elements", []), f"{ptr}/elements", 1, 100)):
            if self.obj(item, f"{ptr}/elements/{e}") and item.get("type") not in RICH_TEXT_ELEMENTS:
                self.error(f"unsupported type: {item.get('type')}", f"{ptr}/elements/{e}/type")

    def block_file(self, block: dict, ptr: str) -> None:
        if "source" in block and block["source"] != "remote":
            self.error("must be remote", f"{ptr}/source")

    def block_markdown(self, block: dict, ptr: str) -> None:
        if isinstance(block.get("text"), str):
            self.markdown += len(block["text"])

    def element_image(self, element: dict, ptr: str) -> None:
        self.image_source(element, ptr)

    def element_button(self, element: dict, ptr: str) -> None:
        if "style" in element and element["style"] not in STYLES:
            self.error("must be one of: primary, danger", f"{ptr}/style")

    element_workflow_button = element_button

    def element_datepicker(self, element: dict, ptr: str) -> None:
        value = element.get("initial_date")
        if value is not None and not _is_date(value):
            self.error("must be a date in the format YYYY-MM-DD", f"{ptr}/initial_date")

    def element_timepicker(self, element: dict, ptr: str) -> None:
        value = element.get("initial_time")
        if value is not None and not (
            isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value)
        ):
            self.error("must be a time in the format HH:mm", f"{ptr}/initial_time")
        if "timezone" in element and not _is_zone(element["timezone"]):
            self.error("must be an IANA time zone", f"{ptr}/timezone")

    def element_datetimepicker(self, element: dict, ptr: str) -> None:
        value = element.get("initial_date_time")
        if value is not None and not (
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**10
        ):
            self.error(
                "must be a UNIX timestamp in seconds (10 digits)", f"{ptr}/initial_date_time"
            )

    def element_plain_text_input(self, element: dict, ptr: str) -> None:
        low = self.bound(element, "min_length", ptr, 0, 3000)
        high = self.bound(element, "max_length", ptr, 1, 3000)
        if low is not None and high is not None and low > high:
            self.error("must not be greater than max_length", f"{ptr}/min_length")
        value = element.get("initial_value")
        if isinstance(value, str) and value:  # an empty input is not an initial value
            if high is not None and len(value) > high:
                self.error(f"must be less than {high + 1} characters", f"{ptr}/initial_value")
            if low is not None and len(value) < low:
                self.error(f"must be more than {low - 1} characters", f"{ptr}/initial_value")

    def bound(self, element: dict, name: str, ptr: str, least: int, most: int) -> int | None:
        value = element.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
            self.error(f"must be an integer from {least} to {most}", f"{ptr}/{name}")
            return None
        return value

    def element_number_input(self, element: dict, ptr: str) -> None:
        decimal = element.get("is_decimal_allowed") is True
        numbers = {}
        for name in ("min_value", "max_value", "initial_value"):
            value = element.get(name)
            if isinstance(value, str) and value:
                number = _number(value, decimal)
                if number is None:
                    kind = "a number" if decimal else "a whole number"
                    self.error(f"must be {kind}", f"{ptr}/{name}")
                numbers[name] = number
        low, high, start = (numbers.get(n) for n in ("min_value", "max_value", "initial_value"))
        if low is not None and high is not None and low > high:
            self.error("must not be greater than max_value", f"{ptr}/min_value")
        if start is not None and (
            (low is not None and start < low) or (high is not None and start > high)
        ):
            self.error("must be between min_value and max_value", f"{ptr}/initial_value")

    def element_file_input(self, element: dict, ptr: str) -> None:
        self.bound(element, "max_files", ptr, 1, 10)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_zone(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        ZoneInfo(value)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def _number(value: str, decimal: bool) -> float | None:
    pattern = r"-?\d+(\.\d+)?" if decimal else r"-?\d+"
    return float(value) if re.fullmatch(pattern, value) else None


# -- the interface -------------------------------------------------------------------------


def message_problems(payload: dict) -> list[str]:
    """Problems Slack would refuse in a message: the arguments of chat.postMessage,
    chat.update, chat.postEphemeral, or the JSON body posted to a response_url, or a
    slash command's ack body (keys text, blocks, attachments, response_type,
    replace_original, delete_original, thread_ts, metadata, ...). Only Block Kit rules
    (blocks, and blocks inside attachments if present); [] when fine."""
    walk = _Walk(MESSAGE)
    if not walk.obj(payload, ""):
        return walk.problems
    if "blocks" in payload:
        walk.blocks(payload["blocks"], "/blocks")
    attachments = payload.get("attachments")
    if isinstance(attachments, list):
        for a, attachment in enumerate(attachments):
            if isinstance(attachment, dict) and "blocks" in attachment:
                walk.blocks(attachment["blocks"], f"/attachments/{a}/blocks")
    return walk.problems


VIEW_FIELDS = {
    MODAL: ("title", "submit", "close", "clear_on_close", "notify_on_close", "submit_disabled"),
    HOME: (),
}


def view_problems(view: dict) -> list[str]:
    """Problems in a view (type modal or home) as passed to views.open/push/update/publish
    or returned in a view_submission ack; pointers start at /view."""
    walk = _Walk(MODAL)
    ptr = "/view"
    if not walk.obj(view, ptr):
        return walk.problems
    kind = view.get("type")
    if "type" not in view:
        walk.error("missing required field: type", ptr)
        return walk.problems
    if kind not in VIEW_FIELDS:
        walk.error(f"unsupported type: {kind}", f"{ptr}/type")
        return walk.problems
    walk.surface = kind
    # A Home tab's page lists only type, blocks, private_metadata, callback_id and
    # external_id: the modal-only fields are refused there (the stricter reading). Fields
    # Slack itself adds to a view it returns (id, hash, state, ...) are let through.
    for name in VIEW_FIELDS[MODAL]:
        if name in view and name not in VIEW_FIELDS[kind]:
            walk.error(f"{name} is not allowed in {kind} views", f"{ptr}/{name}")
    if "blocks" not in view:
        walk.error("missing required field: blocks", ptr)
    else:
        walk.blocks(view["blocks"], f"{ptr}/blocks")
    for name, max_len in (("private_metadata", 3000), ("callback_id", 255), ("external_id", 255)):
        # Slack's docs give external_id no maximum; 255 as for callback_id (stricter).
        if name in view:
            walk.string(view[name], f"{ptr}/{name}", max_len)
    if kind == MODAL:
        if "title" not in view:
            walk.error("missing required field: title", ptr)
        for name in ("title", "submit", "close"):
            if name in view:
                walk.text(view[name], f"{ptr}/{name}", 24, plain_only=True)
        for name in ("clear_on_close", "notify_on_close", "submit_disabled"):
            if name in view:
                walk.boolean(view[name], f"{ptr}/{name}")
        if "submit" not in view and _input_blocks(view):
            walk.error("submit is required when the view has input blocks", f"{ptr}/submit")
    return walk.problems


def _input_blocks(view: Any) -> list[dict]:
    blocks = view.get("blocks") if isinstance(view, dict) else None
    blocks = blocks if isinstance(blocks, list) else []
    return [b for b in blocks if isinstance(b, dict) and b.get("type") == "input"]


def view_submission_ack_problems(ack: dict, submitted_view: dict) -> list[str]:
    """Problems in the JSON an app returns to ack a view_submission:
    response_action in {update, push, errors, clear}; update/push need a valid `view`
    (view_problems); errors needs a non-empty `errors` object whose keys must each be the
    block_id of an INPUT block in `submitted_view` (Slack silently ignores others, so the
    user sees nothing: treat as a problem), values non-empty strings; an unknown
    response_action is a problem. An empty ack ({} or no body) is fine."""
    walk = _Walk(MODAL)
    if not ack:
        return []
    if not walk.obj(ack, ""):
        return walk.problems
    action = ack.get("response_action")
    if "response_action" not in ack:
        # Without one Slack closes the modal and ignores the rest: an ack that says more
        # than nothing is a mistake (stricter reading).
        walk.error("missing required field: response_action", "/response_action")
    elif action not in RESPONSE_ACTIONS:
        walk.error("must be one of: " + ", ".join(RESPONSE_ACTIONS), "/response_action")
    elif action in ("update", "push"):
        if "view" not in ack:
            walk.error("missing required field: view", "/view")
        else:
            walk.problems += view_problems(ack["view"])
            if isinstance(ack["view"], dict) and ack["view"].get("type") == HOME:
                walk.error("must be a modal", "/view/type")
    elif action == "errors":
        errors = ack.get("errors")
        if "errors" not in ack:
            walk.error("missing required field: errors", "/errors")
        elif not isinstance(errors, dict) or not errors:
            walk.error("must be a non-empty object", "/errors")
        else:
            inputs = {b.get("block_id") for b in _input_blocks(submitted_view)}
            for key, message in errors.items():
                ptr = f"/errors/{_escape(str(key))}"
                if key not in inputs:
                    walk.error(f"{key} is not the block_id of an input block in the view", ptr)
                # Slack's docs give the message no maximum length: none is invented here.
                walk.string(message, ptr, min_len=1)
    return walk.problems
