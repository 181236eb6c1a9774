"""The few web pages a person sees outside Slack (many-workspace mode): the landing
page with "Add to Slack", the privacy page, and the end of an install, good or not.

The privacy page is built from the facts the code acts on (the grace period after an
uninstall, the scopes asked for), so it cannot drift from what the app does.
"""

from __future__ import annotations

from html import escape

from bot.services.workspaces import GRACE

# What the app asks Slack for when installed, and why (manifest.yml declares the same set;
# tests/slack/test_manifest.py holds them equal).
BOT_SCOPES: dict[str, str] = {
    "commands": "the /voice command",
    "chat:write": "your check-ins and challenges by DM, and the wins you choose to share",
    "im:write": "to open the DM with you (and with a buddy you invite)",
    "users:read": "your time zone, so check-ins arrive at your local time",
    "users:read.email": (
        "your email address, only to skip the meetings of a connected calendar you declined"
    ),
    "channels:read": "to post a shared win only in a public channel you are a member of",
    "groups:read": "the same for private channels the app was invited to",
    "files:write": "to DM you your progress chart and your data export",
}

_STYLE = """
body{font:17px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1c1d;
background:#f7f5f0;margin:0}
main{max-width:40rem;margin:3rem auto;padding:0 1.25rem}
h1{font-size:1.9rem;margin:0 0 .5rem}h2{font-size:1.2rem;margin-top:2rem}
.lead{font-size:1.15rem;color:#454245}
a{color:#2f5d62}code{background:#ece9e2;padding:.1rem .3rem;border-radius:4px}
.add{display:inline-flex;align-items:center;gap:.5rem;margin:1.5rem 0;padding:.7rem 1.2rem;
border:1px solid #ddd;border-radius:8px;background:#fff;color:#1d1c1d;font-weight:600;
text-decoration:none}
.add:hover{border-color:#2f5d62}
footer{margin-top:3rem;font-size:.9rem;color:#616061}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · Voice Coach</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}<footer>Voice Coach · <a href=/>Home</a> · "
        "<a href=/privacy>Privacy</a></footer></main></body></html>"
    )


def landing_page(install_path: str = "/slack/install") -> str:
    return _page(
        "Find your voice in meetings",
        "<h1>Find your voice in meetings, one small win at a time</h1>"
        "<p class=lead>Voice Coach is a Slack app for people who have ideas but tend to stay "
        "quiet in meetings. It gives you a small speaking challenge just outside your comfort "
        "zone, checks in by DM before and after the meetings you pick, and adapts the next "
        "step to how it went.</p>"
        f'<a class=add href="{escape(install_path)}">Add to Slack</a>'
        "<h2>Who sees what</h2><ul>"
        "<li><b>You</b>: your goal, your challenges, how each meeting went, your confidence. "
        "Nobody else sees these: not your manager, not your admin, not your team.</li>"
        "<li><b>Your team</b>: only a win you choose to share, in a channel you are in, when "
        "you press Share. Never your scores, misses or notes.</li>"
        "<li><b>A buddy</b> you invite: a nudge before your meeting, never what you "
        "answered.</li></ul>"
        "<h2>Getting started</h2><p>A workspace admin adds the app; then anyone types "
        "<code>/voice</code> in Slack. "
        'Read <a href="/privacy">what is stored and for how long</a>.</p>',
    )


def privacy_page() -> str:
    scopes = "".join(
        f"<li><code>{escape(scope)}</code>: {escape(why)}</li>" for scope, why in BOT_SCOPES.items()
    )
    return _page(
        "Privacy",
        "<h1>Privacy</h1><p class=lead>Everything you tell Voice Coach is yours.</p>"
        "<h2>What is stored</h2><ul>"
        "<li>What you enter: your goal, where you start, your meetings (name and time), "
        "your answers before and after each one, your confidence and reflections.</li>"
        "<li>From Slack: your user id and time zone; the workspace's id and name.</li>"
        "<li>A calendar link, if you connect one: encrypted, and only the meetings you "
        "tick are kept, by title and time.</li>"
        "<li>The workspace's Slack tokens, encrypted at rest and never written to logs."
        "</li></ul>"
        f"<h2>What the app asks Slack for</h2><ul>{scopes}</ul>"
        "<h2>Export and deletion</h2><ul>"
        "<li><code>/voice export</code> sends you all your data as a file.</li>"
        "<li><code>/voice forget-me</code> deletes everything about you at once and "
        "cancels every pending check-in.</li>"
        "<li>When a workspace removes the app (or revokes its token), its tokens and "
        "calendar links are deleted at once and nothing more is sent there; the rest of its "
        f"data is kept for {GRACE.days} days, so that reinstalling resumes where you left "
        f"off, and then deleted. Other workspaces are not affected.</li></ul>",
    )


def installed_page(workspace: str | None) -> str:
    where = f" to <b>{escape(workspace)}</b>" if workspace else ""
    return _page(
        "Installed",
        f"<h1>You're all set 🎉</h1><p class=lead>Voice Coach was added{where}.</p>"
        "<p>Next, open Slack and type <code>/voice</code> to get started, or open "
        "<b>Voice Coach</b> under Apps and press <b>Get started</b>. Tell your colleagues: "
        "everyone gets their own private coach.</p>",
    )


# Why an install did not finish, in words for the person who tried.
_FAILURES = {
    "access_denied": (
        "No problem: nothing was installed",
        "You chose not to allow Voice Coach on Slack's page. You can add it any time.",
    ),
    "invalid_browser": (
        "Let's start that again",
        "This install was started in another browser, or its link is too old. Nothing "
        "was installed; start again from this page, in this browser.",
    ),
    "invalid_state": (
        "That install link has expired",
        "Install links work once, for a few minutes. Nothing was installed; please start again.",
    ),
    "missing_code": (
        "Slack didn't finish the install",
        "Slack sent us back without confirming the install. Nothing was installed; "
        "please try again.",
    ),
    "invalid_code": (
        "Slack didn't confirm the install",
        "Slack would not confirm this install (its confirmation had expired or was "
        "already used). Nothing was installed; please try again.",
    ),
    "storage_error": (
        "We couldn't save the install",
        "Something went wrong on our side. Nothing was installed; please try again in a minute.",
    ),
    "unavailable": (
        "Slack couldn't be reached",
        "We couldn't reach Slack to finish the install. Nothing was installed; please try "
        "again in a minute.",
    ),
}


def install_failed_page(reason: str, install_path: str = "/slack/install") -> str:
    title, text = _FAILURES.get(
        reason,
        (
            "Slack stopped the install",
            f"Slack said <code>{escape(reason)}</code>. Nothing was installed; please try "
            "again, or ask your Slack admin whether apps may be added.",
        ),
    )
    again = f'<a class=add href="{escape(install_path)}">Try again</a>'
    return _page(title, f"<h1>{escape(title)}</h1><p class=lead>{text}</p>{again}")
