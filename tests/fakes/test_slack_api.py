"""Tests of FakeSlack through slack_sdk's WebClient and raw HTTP."""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.playground.fakeslack.web_api import FakeSlack

QUICK = FixedValueRetryIntervalCalculator(0.01)
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}


@pytest.fixture
def fake():
    with FakeSlack() as fake:
        fake.add_user("U1", tz="Asia/Kolkata", real_name="Asha")
        fake.add_channel("C1", name="team", members=["U1"])
        yield fake


@pytest.fixture
def client(fake):
    return WebClient("xoxb-test", base_url=fake.base_url)


def error_of(call, **kwargs):
    with pytest.raises(SlackApiError) as raised:
        call(**kwargs)
    return raised.value.response


def post(url, body=b"", headers=None):
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_auth_test_and_tokens(fake, client):
    assert client.auth_test().data == {
        "ok": True,
        "url": "https://voicecoach-test.slack.com/",
        "team": "Voice Coach Test",
        "user": "voice-coach",
        "team_id": "T0TEAM",
        "user_id": "UBOT",
        "bot_id": "B0BOT",
        "is_enterprise_install": False,
    }
    assert error_of(WebClient(base_url=fake.base_url).auth_test)["error"] == "not_authed"
    assert error_of(WebClient("xoxb-other", base_url=fake.base_url).auth_test)["error"] == (
        "invalid_auth"
    )
    assert error_of(WebClient("xapp-test", base_url=fake.base_url).auth_test)["error"] == (
        "not_allowed_token_type"
    )
    assert json.loads(post(f"{fake.base_url}auth.test", b"token=xoxb-test")[1])["ok"]


def test_users_info(client):
    user = client.users_info(user="U1")["user"]
    assert (user["tz"], user["tz_offset"], user["tz_label"]) == ("Asia/Kolkata", 19800, "IST")
    assert user["profile"]["real_name"] == "Asha"
    assert (user["is_bot"], user["deleted"]) == (False, False)
    assert error_of(client.users_info, user="U0NOBODY")["error"] == "user_not_found"


def test_conversations(fake, client):
    assert client.conversations_open(users="U1")["channel"] == {"id": "DU1"}
    again = client.conversations_open(users="U1")
    assert (again["channel"]["id"], again["already_open"]) == (fake.dm_channel("U1"), True)
    info = client.conversations_info(channel="C1")["channel"]
    assert (info["name"], info["is_member"], info["is_private"]) == ("team", True, False)
    assert error_of(client.conversations_info, channel="C404")["error"] == "channel_not_found"
    first = client.conversations_members(channel="C1", limit=1)
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_members(channel="C1", cursor=cursor)
    assert first["members"] + rest["members"] == ["U1", "UBOT"]
    assert rest["response_metadata"]["next_cursor"] == ""


def test_post_message_stores_and_answers_like_slack(fake, client):
    fake.add_channel("C2", is_archived=True)
    fake.add_channel("C3", members=["U1"], bot_is_member=False)
    first = client.chat_postMessage(channel="C1", text="hi", blocks=[{"type": "divider"}])
    second = client.chat_postMessage(channel="U1", text="dm")
    assert float(second["ts"]) > float(first["ts"])
    assert second["channel"] == "DU1"
    assert first["message"]["blocks"] == [{"type": "divider"}]
    assert fake.message("C1", first["ts"])["text"] == "hi"
    errors = {"C404": "channel_not_found", "C2": "is_archived", "C3": "not_in_channel"}
    for channel, error in errors.items():
        assert error_of(client.chat_postMessage, channel=channel, text="x")["error"] == error
    no_text = error_of(client.api_call, api_method="chat.postMessage", json={"channel": "C1"})
    assert no_text["error"] == "no_text"
    too_many = [{"type": "divider"}] * 51
    assert error_of(client.chat_postMessage, channel="C1", text="x", blocks=too_many)["error"] == (
        "invalid_blocks"
    )


def test_form_encoded_json_fields_are_decoded(fake, client):
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": '[{"type":"divider"}]'})
    assert fake.calls_to("chat.postMessage") == [{"channel": "C1", "blocks": [{"type": "divider"}]}]


def test_update_delete_ephemeral_permalink(fake, client):
    ts = client.chat_postMessage(channel="C1", text="v1")["ts"]
    assert client.chat_update(channel="C1", ts=ts, text="v2")["message"]["text"] == "v2"
    assert fake.message("C1", ts)["text"] == "v2"
    assert error_of(client.chat_update, channel="C1", ts="1.2", text="x")["error"] == (
        "message_not_found"
    )
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/C1/p{ts.replace('.', '')}")
    client.chat_delete(channel="C1", ts=ts)
    assert fake.messages("C1") == []
    client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert [e["text"] for e in fake.ephemerals(channel="C1", user="U1")] == ["psst"]


def test_views_need_fresh_unused_triggers(fake, client):
    trigger = fake.issue_trigger_id()
    view = client.views_open(trigger_id=trigger, view={**MODAL, "callback_id": "cb"})["view"]
    assert view["id"].startswith("V") and view["state"] == {"values": {}}
    assert fake.open_views()[0]["callback_id"] == "cb"
    assert error_of(client.views_open, trigger_id=trigger, view=MODAL)["error"] == (
        "exchanged_trigger_id"
    )
    assert error_of(client.views_push, trigger_id="1.2.3", view=MODAL)["error"] == (
        "invalid_trigger_id"
    )
    fake.trigger_ttl = 0.01
    stale = fake.issue_trigger_id()
    time.sleep(0.02)
    assert error_of(client.views_open, trigger_id=stale, view=MODAL)["error"] == (
        "expired_trigger_id"
    )


def test_views_update_publish_and_validation(fake, client):
    view = client.views_open(trigger_id=fake.issue_trigger_id(), view=MODAL)["view"]
    new = {**MODAL, "blocks": [{"type": "divider"}]}
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=new)["view"]
    assert fake.view(view["id"])["blocks"] == updated["blocks"] == [{"type": "divider"}]
    stale = error_of(client.views_update, view_id=view["id"], hash=view["hash"], view=MODAL)
    assert stale["error"] == "hash_conflict"
    assert error_of(client.views_update, view_id="V404", view=MODAL)["error"] == "not_found"
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    client.views_publish(user_id="U1", view=home)
    assert fake.home_view("U1")["blocks"] == home["blocks"]
    invalid = [{"type": "modal", "blocks": []}, {**MODAL, "blocks": [{"type": "divider"}] * 101}]
    for bad in invalid:
        response = error_of(client.views_open, trigger_id=fake.issue_trigger_id(), view=bad)
        assert response["error"] == "invalid_arguments"
        assert response["response_metadata"]["messages"][0].startswith("[ERROR]")


def test_files_upload_v2_end_to_end(fake, client):
    result = client.files_upload_v2(
        channel="DU1", content=b"\x89PNG", filename="x.png", initial_comment="chart"
    )
    assert result["file"]["title"] == "x.png"
    [uploaded] = fake.uploaded_files()
    assert float(uploaded.pop("ts")) > 0  # when it was shared, for the playground's timeline
    assert uploaded == {
        "id": result["file"]["id"],
        "title": "x.png",
        "filename": "x.png",
        "bytes": b"\x89PNG",
        "channel": "DU1",
        "initial_comment": "chart",
    }
    missing = error_of(client.files_completeUploadExternal, files=[{"id": "F404", "title": "t"}])
    assert missing["error"] == "file_not_found"


def test_unknown_method_is_recorded(fake, client):
    assert error_of(client.api_call, api_method="foo.bar")["error"] == "unknown_method"
    assert fake.calls[-1].method == "foo.bar" and fake.calls[-1].status == 200


def test_rate_limit_is_429_with_retry_after_and_retried(fake, client):
    fake.fail_next("chat.postMessage", retry_after=7)
    response = error_of(client.chat_postMessage, channel="C1", text="x")
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "7"
    fake.fail_next("chat.postMessage", error="ratelimited", retry_after=0)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls] == [429, 429, 200]


def test_server_errors_are_retried(fake, client):
    fake.fail_next("users.info", status=500, times=2)
    client.retry_handlers.append(ServerErrorRetryHandler(2, QUICK))
    assert client.users_info(user="U1")["ok"]
    assert [c.status for c in fake.calls] == [500, 500, 200]
    assert fake.calls[0].response == {"ok": False, "error": "internal_error"}


def test_injected_api_error_and_connection_reset(fake, client):
    fake.fail_next("auth.test", error="account_inactive")
    assert error_of(client.auth_test)["error"] == "account_inactive"
    fake.fail_next("auth.test", error="connection_reset")
    client.retry_handlers = [ConnectionErrorRetryHandler(1, QUICK)]  # not the default backoff
    assert client.auth_test()["ok"]
    assert [c.status for c in fake.calls] == [200, 0, 200]


def test_apps_connections_open_wants_the_app_token(fake):
    web = WebClient("xoxb-test", base_url=fake.base_url)
    assert error_of(web.apps_connections_open, app_token="xoxb-test")["error"] == (
        "not_allowed_token_type"
    )
    assert error_of(web.apps_connections_open, app_token="xapp-test")["error"] == (
        "socket_mode_not_enabled"
    )


def test_response_urls(fake):
    url = fake.new_response_url()
    threading.Timer(0.05, post, [url, b'{"text": "done"}']).start()
    assert fake.wait_for_response_url_post(url, timeout=2) == {"text": "done"}
    assert post(f"{fake.url}/response/unknown", b"{}") == (404, "no_service")
    assert fake.response_url_posts() == [{"text": "done"}]


def test_wait_for_and_latency(fake, client):
    fake.latency = 0.05
    worker = threading.Thread(target=client.auth_test)
    started = time.monotonic()
    worker.start()
    assert fake.wait_for("auth.test", timeout=2) == [{}]
    assert time.monotonic() - started >= 0.05
    worker.join()
    with pytest.raises(AssertionError, match=r"chat\.postMessage"):
        fake.wait_for("chat.postMessage", timeout=0.05)
    fake.reset_calls()
    assert fake.calls == []


def test_concurrent_posts_get_unique_increasing_ts(fake, client):
    threads = [
        threading.Thread(target=client.chat_postMessage, kwargs={"channel": "C1", "text": str(i)})
        for i in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m["ts"] for m in fake.messages("C1")]
    assert len(set(stamps)) == 20 and stamps == sorted(stamps, key=float)


def test_slacks_posting_limits_can_be_enforced(fake, client):
    fake.add_user("U2")

    def post_to(user: str):
        try:
            client.chat_postMessage(channel=user, text="hi")
            return 200, None
        except SlackApiError as e:
            return e.response.status_code, e.response.headers.get("retry-after")

    fake.enforce_channel_rate = True
    assert post_to("U1") == (200, None)
    assert post_to("U1") == (429, "1")  # the same channel within a second
    assert post_to("U2") == (200, None)  # another channel is fine
    fake.enforce_channel_rate = False
    fake.workspace_limit = (1, 60.0)
    assert post_to("U1") == (200, None)
    status, retry_after = post_to("U2")  # the second post this minute
    assert status == 429 and 1 <= int(retry_after) <= 60
    assert fake.rate_limited_answers == 2
    assert fake.calls[-1].retry_after == int(retry_after)


# -- as strict as Slack ----------------------------------------------------------------------

NO_TEXT_OPTION = {
    "type": "section",
    "text": {"type": "mrkdwn", "text": "How confident?"},
    "accessory": {
        "type": "static_select",
        "action_id": "confidence",
        "placeholder": {"type": "plain_text", "text": "0–100"},
        "options": [{"text": {"type": "plain_text", "emoji": True}, "value": "0"}],
    },
}


def test_a_message_slack_refuses_is_refused_with_its_pointers(fake, client):
    response = error_of(client.chat_postMessage, channel="C1", text="x", blocks=[NO_TEXT_OPTION])
    assert response["error"] == "invalid_blocks"
    pointer = "[json-pointer:/blocks/0/accessory/options/0/text"
    assert any(pointer in m for m in response["response_metadata"]["messages"])
    assert all(m.startswith("[ERROR] ") for m in response["response_metadata"]["messages"])
    assert response["errors"] == [
        m.removeprefix("[ERROR] ") for m in response["response_metadata"]["messages"]
    ]
    assert fake.messages("C1") == []
    ts = client.chat_postMessage(channel="C1", text="v1")["ts"]
    assert error_of(client.chat_update, channel="C1", ts=ts, text="v2", blocks=[NO_TEXT_OPTION])[
        "error"
    ] == ("invalid_blocks")
    assert fake.message("C1", ts)["text"] == "v1"  # unchanged
    assert error_of(
        client.chat_postEphemeral, channel="C1", user="U1", text="x", blocks=[NO_TEXT_OPTION]
    )["error"] == ("invalid_blocks")
    assert [r.where for r in fake.expect_refusals()] == [
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
    ]
    assert fake.refusals == []
    too_long = error_of(client.chat_postMessage, channel="C1", text="x" * 40_001)
    assert too_long["error"] == "msg_too_long"


def test_a_view_slack_refuses_is_refused(fake, client):
    bad = {**MODAL, "blocks": [NO_TEXT_OPTION]}
    opened = error_of(client.views_open, trigger_id=fake.issue_trigger_id(), view=bad)
    assert opened["error"] == "invalid_arguments"
    assert any("/view/blocks/0/accessory" in m for m in opened["response_metadata"]["messages"])
    published = error_of(client.views_publish, user_id="U1", view={**bad, "type": "home"})
    assert published["error"] == "invalid_arguments"
    assert fake.home_view("U1") is None and fake.open_views() == []
    assert [r.error for r in fake.expect_refusals()] == ["invalid_arguments"] * 2


def test_an_ephemeral_message_cannot_be_updated(fake, client):
    ts = client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    assert error_of(client.chat_update, channel="C1", ts=ts, text="x")["error"] == (
        "message_not_found"
    )


def test_response_urls_take_five_posts_within_30_minutes(fake):
    url = fake.new_response_url()
    for n in range(5):
        assert post(url, b'{"text": "%d"}' % n) == (200, "ok")
    assert post(url, b'{"text": "6th"}') == (404, "used_url")
    stale = fake.new_response_url()
    fake.expire_response_url(stale)
    assert post(stale, b'{"text": "late"}') == (404, "expired_url")
    assert len(fake.response_url_posts()) == 5


def test_a_response_url_refuses_what_slack_refuses(fake):
    url = fake.new_response_url()
    body = json.dumps({"text": "x", "blocks": [NO_TEXT_OPTION]}).encode()
    assert post(url, body) == (400, "invalid_blocks")
    assert post(url, b"[]") == (400, "invalid_payload")
    assert fake.response_url_posts() == []
    assert [r.where for r in fake.expect_refusals()] == ["response_url", "response_url"]


def test_the_dm_of_a_deactivated_person_is_archived(fake, client):
    fake.add_user("U2", deleted=True)
    assert error_of(client.chat_postMessage, channel="DU2", text="hi")["error"] == "is_archived"
    assert error_of(client.conversations_open, users="U2")["error"] == "user_disabled"
    assert error_of(client.conversations_open, users=fake.bot_user_id)["error"] == "cannot_dm_bot"
    first = client.conversations_open(users="U1")["channel"]["id"]
    assert client.conversations_open(users="U1")["channel"]["id"] == first == "DU1"
