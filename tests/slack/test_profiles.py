"""Her profile email for the calendar sync: asked once an hour, None on any error."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.slack.profiles import ProfileEmails


class Client:
    def __init__(self, answers: list):
        self.answers = answers
        self.asked: list[str] = []

    def users_info(self, *, user: str):
        self.asked.append(user)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {"ok": True, "user": {"id": user, "profile": answer}}


def _error(code: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/users.info",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=200,
    )
    return SlackApiError(code, response)


def test_the_email_is_asked_once_an_hour():
    now = [0.0]
    client = Client([{"email": " mila@example.com "}, {"email": "mila@new.example.com"}])
    emails = ProfileEmails(client, monotonic=lambda: now[0])

    assert emails.email_of("T1", "U1") == "mila@example.com"
    now[0] = 3599
    assert emails("T1", "U1") == "mila@example.com"
    now[0] = 3600
    assert emails.email_of("T1", "U1") == "mila@new.example.com"
    assert client.asked == ["U1", "U1"]


def test_no_scope_an_error_or_a_broken_answer_is_none_and_kept_too():
    client = Client([{"display_name": "Mila"}, _error("user_not_found"), ValueError("odd")])
    emails = ProfileEmails(client)

    assert emails.email_of("T1", "U1") is None  # users:read.email not granted
    assert emails.email_of("T1", "U2") is None
    assert emails.email_of("T1", "U3") is None
    assert emails.email_of("T1", "U2") is None
    assert client.asked == ["U1", "U2", "U3"]
