"""Block Kit as accessible HTML, the way Slack's client shows it: pure functions of the
payloads the app sent (no state). Interactive elements carry ``data-block``,
``data-action`` and ``data-type``; their surface (a message, the Home tab, a modal) carries
``data-ref``, which the page sends back with each action.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from bot.playground.mrkdwn import mrkdwn_to_html, plain_to_html

INPUTS_IN_ACTIONS = ("static_select", "radio_buttons", "checkboxes", "datepicker", "timepicker")


@dataclass
class Names:
    """Who and what ids stand for, so mentions read as names."""

    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)

    def user(self, user_id: str) -> str:
        return self.users.get(user_id, user_id)

    def channel(self, channel_id: str) -> str:
        return self.channels.get(channel_id, channel_id)


@dataclass
class Surface:
    """Where blocks are drawn: ``ref`` names it for actions; ``modal``: inputs are a form
    submitted together; ``conversations``: (id, name) a conversations_select offers."""

    ref: str
    names: Names
    modal: bool = False
    conversations: list[tuple[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def dom_id(self, *parts: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join([self.ref, *parts]))


def text_html(obj: dict | str | None, names: Names) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return plain_to_html(obj)
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_html(obj.get("text", ""), names.user, names.channel)
    return plain_to_html(obj.get("text", ""), emoji_on=obj.get("emoji", True))


def blocks_html(blocks: list[dict], surface: Surface) -> str:
    return "".join(_block(b, surface) for b in blocks)


def _attrs(**values: str | None) -> str:
    return "".join(
        f' {k.rstrip("_").replace("_", "-")}="{html.escape(v)}"'
        for k, v in values.items()
        if v is not None
    )


def _block(block: dict, s: Surface) -> str:
    kind, block_id = block.get("type"), block.get("block_id", "")
    if kind == "section":
        body = f'<div class="bk-text">{text_html(block.get("text"), s.names)}</div>'
        if block.get("fields"):
            fields = "".join(
                f'<div class="bk-field">{text_html(f, s.names)}</div>' for f in block["fields"]
            )
            body += f'<div class="bk-fields">{fields}</div>'
        accessory = block.get("accessory")
        side = (
            f'<div class="bk-accessory">{_element(accessory, block_id, s)}</div>'
            if accessory
            else ""
        )
        return f'<div class="bk-section">{body}{side}</div>'
    if kind == "header":
        return f'<h3 class="bk-header">{text_html(block.get("text"), s.names)}</h3>'
    if kind == "divider":
        return '<hr class="bk-divider">'
    if kind == "context":
        items = "".join(
            _image(e, "bk-context-image") if e.get("type") == "image" else text_html(e, s.names)
            for e in block.get("elements", [])
        )
        return f'<div class="bk-context">{items}</div>'
    if kind == "actions":
        items = "".join(_element(e, block_id, s) for e in block.get("elements", []))
        return f'<div class="bk-actions" role="group">{items}</div>'
    if kind == "image":
        title = block.get("title")
        caption = f"<figcaption>{text_html(title, s.names)}</figcaption>" if title else ""
        return f'<figure class="bk-image">{_image(block, "")}{caption}</figure>'
    if kind == "input":
        return _input(block, s)
    if kind == "rich_text":
        return f'<div class="bk-text">{html.escape(_rich_text(block))}</div>'
    return f'<div class="bk-unknown">[{html.escape(str(kind))} block]</div>'


def _rich_text(block: dict) -> str:
    out = []
    for element in block.get("elements", []):
        out.extend(e.get("text", "") for e in element.get("elements", []) if isinstance(e, dict))
    return "".join(out)


def _image(obj: dict, css: str) -> str:
    url = obj.get("image_url") or ""
    if not url.startswith(("http://", "https://", "/")):
        url = ""
    source = f' src="{html.escape(url)}"' if url else ""
    return f'<img class="{css}"{source} alt="{html.escape(obj.get("alt_text", ""))}">'


def _label(text: dict | None, s: Surface) -> str:
    return text_html(text, s.names)


def _input(block: dict, s: Surface) -> str:
    block_id = block.get("block_id", "")
    element = block.get("element", {})
    dom = s.dom_id(block_id, element.get("action_id", ""))
    said = (block.get("label") or {}).get("text", "")
    optional = (
        ' <span class="bk-optional">(optional)</span>'
        if block.get("optional") and "optional" not in said
        else ""
    )
    hint = block.get("hint")
    hint_html = f'<p class="bk-hint" id="{dom}-hint">{_label(hint, s)}</p>' if hint else ""
    error = s.errors.get(block_id)
    error_html = (
        f'<p class="bk-error" id="{dom}-error" role="alert">{html.escape(error)}</p>'
        if error
        else f'<p class="bk-error" id="{dom}-error" hidden></p>'
    )
    described = " ".join(x for x in (f"{dom}-hint" if hint else "", f"{dom}-error") if x)
    label = f"{_label(block.get('label'), s)}{optional}"
    grouped = element.get("type") in ("radio_buttons", "checkboxes")
    control = _element(element, block_id, s, dom=dom, described=described, label=label)
    if grouped:  # a fieldset carries its own legend
        return (
            f'<div class="bk-input" data-input="{html.escape(block_id)}">'
            f"{control}{hint_html}{error_html}</div>"
        )
    return (
        f'<div class="bk-input" data-input="{html.escape(block_id)}">'
        f'<label for="{dom}">{label}</label>{control}{hint_html}{error_html}</div>'
    )


def _option_text(option: dict, s: Surface) -> str:
    return text_html(option.get("text"), s.names)


def _all_options(element: dict) -> list[dict]:
    if element.get("option_groups"):
        return [o for g in element["option_groups"] for o in g.get("options", [])]
    return list(element.get("options", []))


def _element(
    element: dict,
    block_id: str,
    s: Surface,
    *,
    dom: str | None = None,
    described: str | None = None,
    label: str = "",
) -> str:
    kind = element.get("type")
    action_id = element.get("action_id", "")
    dom = dom or s.dom_id(block_id, action_id or kind or "x")
    data = _attrs(data_block=block_id, data_action=action_id, data_type=kind)
    aria = _attrs(aria_describedby=described or None)
    if kind == "button":
        style = element.get("style")
        css = f"bk-button {style}" if style else "bk-button"
        url = element.get("url")
        if url and url.startswith(("http://", "https://")):
            return (
                f'<a class="{css}" href="{html.escape(url)}" target="_blank" '
                f'rel="noopener noreferrer">{text_html(element.get("text"), s.names)}</a>'
            )
        value = _attrs(data_value=element.get("value"))
        return (
            f'<button type="button" class="{css}"{data}{value}>'
            f"{text_html(element.get('text'), s.names)}</button>"
        )
    if kind == "image":
        return _image(element, "bk-accessory-image")
    if kind == "overflow":
        items = "".join(
            f'<option value="{html.escape(o.get("value", ""))}">{_option_text(o, s)}</option>'
            for o in element.get("options", [])
        )
        return (
            f'<select class="bk-select" aria-label="More actions"{data}>'
            f'<option value="">More…</option>{items}</select>'
        )
    if kind in ("static_select", "conversations_select", "users_select", "channels_select"):
        if kind == "static_select":
            options = [(o.get("value", ""), _option_text(o, s)) for o in _all_options(element)]
            chosen = (element.get("initial_option") or {}).get("value")
        else:
            options = [(i, html.escape(n)) for i, n in s.conversations]
            chosen = element.get("initial_conversation") or element.get("initial_channel")
            chosen = chosen or element.get("initial_user")
        placeholder = text_html(element.get("placeholder"), s.names) or "Choose…"
        items = "".join(
            f'<option value="{html.escape(v)}"{" selected" if v == chosen else ""}>{t}</option>'
            for v, t in options
        )
        named = "" if label else _attrs(aria_label=_strip(placeholder))
        return (
            f'<select class="bk-select" id="{dom}"{named}{data}{aria}>'
            f'<option value="">{placeholder}</option>{items}</select>'
        )
    if kind in ("radio_buttons", "checkboxes"):
        box = "radio" if kind == "radio_buttons" else "checkbox"
        initial = element.get("initial_options") or (
            [element["initial_option"]] if element.get("initial_option") else []
        )
        chosen = {o.get("value") for o in initial}
        items = []
        for option in element.get("options", []):
            value = option.get("value", "")
            checked = " checked" if value in chosen else ""
            description = option.get("description")
            more = (
                f'<span class="bk-hint">{text_html(description, s.names)}</span>'
                if description
                else ""
            )
            items.append(
                f'<label class="bk-choice"><input type="{box}" name="{dom}" '
                f'value="{html.escape(value)}"{checked}>'
                f"<span>{_option_text(option, s)}{more}</span></label>"
            )
        legend = f"<legend>{label}</legend>" if label else ""
        choices = "".join(items)
        return f'<fieldset class="bk-choices" id="{dom}"{data}{aria}>{legend}{choices}</fieldset>'
    if kind == "datepicker":
        value = _attrs(value=element.get("initial_date"))
        named = "" if label else _attrs(aria_label="Date")
        return f'<input type="date" class="bk-field-input" id="{dom}"{value}{named}{data}{aria}>'
    if kind == "timepicker":
        value = _attrs(value=element.get("initial_time"))
        named = "" if label else _attrs(aria_label="Time")
        return f'<input type="time" class="bk-field-input" id="{dom}"{value}{named}{data}{aria}>'
    if kind == "plain_text_input":
        placeholder = _attrs(placeholder=_strip(text_html(element.get("placeholder"), s.names)))
        limit = _attrs(maxlength=str(element["max_length"]) if element.get("max_length") else None)
        initial = element.get("initial_value") or ""
        if element.get("multiline"):
            return (
                f'<textarea class="bk-field-input" id="{dom}" rows="3"{placeholder}{limit}'
                f"{data}{aria}>{html.escape(initial)}</textarea>"
            )
        return (
            f'<input type="text" class="bk-field-input" id="{dom}" '
            f'value="{html.escape(initial)}"{placeholder}{limit}{data}{aria}>'
        )
    return f'<span class="bk-unknown">[{html.escape(str(kind))}]</span>'


def _strip(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# -- what the page sends back: Slack's shapes from the person's choices -----------------------


def find_element(blocks: list[dict], block_id: str, action_id: str) -> dict | None:
    for block in blocks:
        if block.get("block_id") != block_id:
            continue
        candidates = [block.get("element"), block.get("accessory"), *block.get("elements", [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    return None


def _option_of(element: dict, value: str) -> dict | None:
    for option in _all_options(element):
        if option.get("value") == value:
            return option
    return None


def element_state(element: dict, raw) -> dict:
    """What Slack puts in ``state.values`` (and in an action) for this element and the
    person's raw choice: a string, or a list for checkboxes."""
    kind = element.get("type")
    state: dict = {"type": kind}
    if kind == "plain_text_input":
        state["value"] = raw if raw else None
    elif kind in ("static_select", "radio_buttons", "overflow"):
        state["selected_option"] = _option_of(element, raw) if raw else None
    elif kind == "checkboxes":
        values = raw if isinstance(raw, list) else [raw] if raw else []
        state["selected_options"] = [
            o for o in element.get("options", []) if o.get("value") in values
        ]
    elif kind == "conversations_select":
        state["selected_conversation"] = raw or None
    elif kind == "channels_select":
        state["selected_channel"] = raw or None
    elif kind == "users_select":
        state["selected_user"] = raw or None
    elif kind == "datepicker":
        state["selected_date"] = raw or None
    elif kind == "timepicker":
        state["selected_time"] = raw or None
        if element.get("timezone"):
            state["timezone"] = element["timezone"]
    return state


def state_values(blocks: list[dict], raw: dict) -> dict:
    """``state.values`` of a view or message: ``raw`` is {block_id: {action_id: choice}}."""
    values: dict = {}
    for block_id, actions in (raw or {}).items():
        for action_id, choice in (actions or {}).items():
            element = find_element(blocks, block_id, action_id)
            if element is not None:
                values.setdefault(block_id, {})[action_id] = element_state(element, choice)
    return values
