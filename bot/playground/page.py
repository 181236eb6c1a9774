"""The playground's HTML: the page itself, and each pane as the chosen person sees it
(the Home tab, her DM with Voice Coach, #team, the modal on top), drawn from the local
Slack. A person sees only her own DM, replies and modals, as in Slack."""

from __future__ import annotations

import html
import json

from bot.playground.render import Names, Surface, blocks_html, text_html
from bot.playground.world import CLOCK_MOVES, PEOPLE, TEAM_CHANNEL, World

APP_NAME = "Voice Coach"


def names_of(world: World) -> Names:
    fake = world.fake
    return Names(
        users={u["id"]: u["real_name"] for u in fake.users()},
        channels={c["id"]: c["name"] for c in fake.channels()},
    )


def state(world: World, user: str) -> dict:
    """Everything the page shows for ``user``, as HTML fragments."""
    world.sync()
    names = names_of(world)
    conversations = [
        (c["id"], f"#{c['name']}")
        for c in world.fake.channels()
        if not c["is_private"] or user in c["members"]
    ]
    home = world.fake.home_view(user)
    home_html = (
        blocks_html(home["blocks"], Surface('["home"]', names, conversations=conversations))
        if home
        else '<p class="empty">Opening Voice Coach…</p>'
    )
    dm = world.fake.dm_channel(user)
    modal = None
    stack = world.stacks.get(user, [])
    if stack:
        view = world.fake.view(stack[-1])
        if view is not None:
            modal = {
                "id": view["id"],
                "hash": view["hash"],
                "html": modal_html(view, names, conversations, depth=len(stack)),
            }
    return {
        "clock": world.clock_text(),
        "home": home_html,
        "dm": timeline(world, user, dm, names, conversations),
        "channel": timeline(world, user, TEAM_CHANNEL, names, conversations),
        "modal": modal,
        "notices": list(world.notices),
    }


def timeline(world: World, user: str, channel: str, names: Names, conversations: list) -> str:
    items: list[tuple[float, str]] = []
    for message in world.fake.messages(channel):
        ref = json.dumps(["msg", channel, message["ts"]])
        items.append((float(message["ts"]), _message(message, ref, names, conversations)))
    for reply in world.replies:
        if reply.user == user and reply.channel == channel:
            ref = json.dumps(["reply", str(reply.id)])
            article = _message(reply.message, ref, names, conversations, only_you=True)
            items.append((float(reply.ts), article))
    for upload in world.fake.uploaded_files():
        if upload["channel"] == channel:
            items.append((float(upload["ts"]), _file(upload, names)))
    if not items:
        who = "Voice Coach" if channel.startswith("D") else f"#{names.channel(channel)}"
        return f'<p class="empty">Nothing here yet. This is the start of {html.escape(who)}.</p>'
    return "".join(article for _, article in sorted(items, key=lambda item: item[0]))


def _message(
    message: dict, ref: str, names: Names, conversations: list, *, only_you: bool = False
) -> str:
    surface = Surface(ref, names, conversations=conversations)
    if message.get("blocks"):
        body = blocks_html(message["blocks"], surface)
    else:
        text = text_html({"type": "mrkdwn", "text": message.get("text", "")}, names)
        body = f'<div class="bk-text">{text}</div>'
    edited = ' <span class="meta">(edited)</span>' if message.get("edited") else ""
    private = ' <span class="meta">Only visible to you</span>' if only_you else ""
    css = "msg only-you" if only_you else "msg"
    return (
        f'<article class="{css}" data-ref="{html.escape(ref)}">'
        f'<div class="avatar" aria-hidden="true">VC</div><div class="msg-body">'
        f'<p class="author"><strong>{APP_NAME}</strong> <span class="app">APP</span>'
        f"{private}{edited}</p>{body}</div></article>"
    )


def _file(upload: dict, names: Names) -> str:
    title = html.escape(upload.get("title") or upload["filename"])
    url = f"/play/files/{html.escape(upload['id'])}"
    comment = upload.get("initial_comment")
    note = (
        f'<div class="bk-text">{text_html({"type": "mrkdwn", "text": comment}, names)}</div>'
        if comment
        else ""
    )
    if upload["filename"].lower().endswith((".png", ".jpg", ".jpeg", ".gif")):
        shown = (
            f'<figure class="file"><img src="{url}" alt="{title}">'
            f"<figcaption>{title}</figcaption></figure>"
        )
    else:
        shown = f'<p class="file"><a href="{url}" download>{title}</a></p>'
    return (
        f'<article class="msg"><div class="avatar" aria-hidden="true">VC</div>'
        f'<div class="msg-body"><p class="author"><strong>{APP_NAME}</strong> '
        f'<span class="app">APP</span></p>{note}{shown}</div></article>'
    )


def modal_html(view: dict, names: Names, conversations: list, *, depth: int) -> str:
    ref = json.dumps(["view", view["id"]])
    surface = Surface(ref, names, modal=True, conversations=conversations)
    title = text_html(view.get("title"), names)
    close = text_html(view.get("close"), names) or ("Back" if depth > 1 else "Cancel")
    submit = text_html(view.get("submit"), names)
    submit_button = (
        f'<button type="submit" class="bk-button primary">{submit}</button>' if submit else ""
    )
    return (
        f'<form class="modal-form" data-ref="{html.escape(ref)}" '
        f'data-view="{html.escape(view["id"])}" novalidate>'
        f'<h2 id="modal-title" class="modal-title">{title}</h2>'
        f'<div class="modal-body">{blocks_html(view["blocks"], surface)}</div>'
        f'<div class="modal-foot"><button type="button" class="bk-button" data-close>{close}'
        f"</button>{submit_button}</div></form>"
    )


def page() -> str:
    people = "".join(
        f'<option value="{p.user_id}">{html.escape(p.name)}: {html.escape(p.role)}</option>'
        for p in PEOPLE
    )
    moves = "".join(
        f'<button type="button" class="bk-button" data-move="{how}">{html.escape(label)}</button>'
        for how, label in CLOCK_MOVES.items()
    )
    return PAGE.format(people=people, moves=moves)


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Voice Coach playground</title>
<link rel="stylesheet" href="/play/static/play.css">
</head>
<body>
<a class="skip" href="#main">Skip to the conversation</a>
<header class="bar">
  <h1>Voice Coach <span class="sub">playground: no Slack needed</span></h1>
  <div class="controls">
    <div class="control"><label for="who">You are</label>
      <select id="who">{people}</select></div>
    <div class="control" role="group" aria-labelledby="clock-label">
      <span id="clock-label">Clock</span>
      <output id="clock" aria-live="polite"></output>
      <span class="moves">{moves}</span></div>
    <button type="button" class="bk-button danger" id="reset">Start over</button>
  </div>
</header>
<div class="layout">
  <nav aria-label="Conversations">
    <button type="button" class="tab" data-tab="home" aria-current="page">Voice Coach: Home</button>
    <button type="button" class="tab" data-tab="dm">Voice Coach: Messages</button>
    <button type="button" class="tab" data-tab="channel"># team</button>
  </nav>
  <main id="main" tabindex="-1">
    <section class="pane" id="pane-home" aria-labelledby="h-home">
      <h2 id="h-home">Voice Coach: Home</h2>
      <div class="surface" id="home" data-ref='["home"]'></div>
    </section>
    <section class="pane" id="pane-dm" aria-labelledby="h-dm" hidden>
      <h2 id="h-dm">Voice Coach: Messages</h2>
      <div class="timeline" id="dm" aria-live="polite"></div>
    </section>
    <section class="pane" id="pane-channel" aria-labelledby="h-channel" hidden>
      <h2 id="h-channel"># team</h2>
      <div class="timeline" id="channel" aria-live="polite"></div>
    </section>
    <form class="composer" id="composer" hidden>
      <label for="compose" id="compose-label">Message Voice Coach</label>
      <div class="compose-row">
        <input id="compose" type="text" autocomplete="off" placeholder="/voice help">
        <button type="submit" class="bk-button primary">Send</button>
      </div>
      <p class="bk-hint">Try <code>/voice help</code>, <code>/voice meetings</code> or
        <code>/voice progress</code>.</p>
    </form>
  </main>
</div>
<p id="compose-note" class="note" role="status" hidden></p>
<div id="notices" aria-live="assertive"></div>
<div id="modal-layer" hidden>
  <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title"
       id="modal"></div>
</div>
<script src="/play/static/play.js"></script>
</body>
</html>
"""
