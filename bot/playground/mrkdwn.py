"""Slack's text formatting as safe HTML: mrkdwn (bold, italic, strike, code, quotes, links,
user and channel mentions) and emoji shortcodes (``emoji``'s aliases, as Slack names them).

Slack's text arrives escaped (``&amp; &lt; &gt;``) with its special tokens in angle
brackets; everything else is escaped again here, so no text the app sends becomes markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import emoji

TOKEN = re.compile(r"<([^<>\n]+)>")
CODE = re.compile(r"`([^`\n]+)`")
BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
SHORTCODE = re.compile(r":([a-z0-9_+\-]+):")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Placeholders for pieces already turned into HTML (private-use characters never escaped).
HOLD = "\ue000{}\ue001"
HELD = re.compile("\ue000(\\d+)\ue001")

Name = Callable[[str], str]


def emojize(text: str) -> str:
    """``:tada:`` → 🎉; an unknown shortcode stays as it was, as in Slack."""
    return SHORTCODE.sub(lambda m: emoji.emojize(m.group(0), language="alias"), text)


def plain_to_html(text: str, *, emoji_on: bool = True) -> str:
    """A plain_text object: no formatting, emoji shortcodes when ``emoji`` is on."""
    return html.escape(emojize(text) if emoji_on else text)


def mrkdwn_to_html(text: str, user_name: Name, channel_name: Name) -> str:
    """A mrkdwn text object as HTML; ``user_name``/``channel_name`` name the mentioned ids."""
    held: list[str] = []

    def hold(piece: str) -> str:
        held.append(piece)
        return HOLD.format(len(held) - 1)

    text = TOKEN.sub(lambda m: hold(_token(m.group(1), user_name, channel_name)), text)
    text = html.escape(html.unescape(text), quote=False)
    text = CODE.sub(lambda m: hold(f"<code>{m.group(1)}</code>"), text)
    text = BOLD.sub(r"<strong>\1</strong>", text)
    text = ITALIC.sub(r"<em>\1</em>", text)
    text = STRIKE.sub(r"<del>\1</del>", text)
    text = emojize(text)
    text = _quotes(text)
    text = text.replace("\n", "<br>")
    while HELD.search(text):
        text = HELD.sub(lambda m: held[int(m.group(1))], text)
    return text


def _quotes(text: str) -> str:
    lines, out, quote = text.split("\n"), [], []
    for line in [*lines, None]:
        if line is not None and line.startswith("&gt;"):
            quote.append(line.removeprefix("&gt;").removeprefix(" "))
            continue
        if quote:
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote = []
        if line is not None:
            out.append(line)
    return "\n".join(out).replace("</blockquote>\n", "</blockquote>")


def _token(inner: str, user_name: Name, channel_name: Name) -> str:
    target, _, label = inner.partition("|")
    label = html.unescape(label)
    if target.startswith("@"):
        name = label or user_name(target[1:])
        return f'<span class="mention">@{html.escape(name)}</span>'
    if target.startswith("#"):
        name = label or channel_name(target[1:])
        return f'<span class="mention">#{html.escape(name)}</span>'
    if target.startswith("!"):
        special = target[1:].split("^", 1)[0]
        if special == "date":
            return html.escape(label or "a date")
        return f'<span class="mention">@{html.escape(label or special)}</span>'
    url = html.unescape(target)
    if url.startswith(SAFE_SCHEMES):
        return (
            f'<a href="{html.escape(url)}" rel="noopener noreferrer" target="_blank">'
            f"{html.escape(label or url)}</a>"
        )
    return html.escape(label or url)
