""" "Add to Slack" (many-workspace mode): Bolt's OAuth flow with our stores and pages.

``GET /slack/install`` sends the browser to Slack's authorize page (``SLACK_AUTHORIZE_URL``)
with a fresh single-use ``state`` and the app's scopes; ``GET /slack/oauth_redirect``
checks that state, calls ``oauth.v2.access`` through the app's client, stores the
installation (tokens sealed) and shows what to do next, or why it did not work.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_utils import OAuthStateUtils

from bot.pages import BOT_SCOPES, install_failed_page, installed_page
from bot.services.workspaces import WorkspaceService
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.installations import SealedInstallationStore, state_store

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# How long an install may take between "Add to Slack" and coming back (Bolt's default).
STATE_SECONDS = OAuthStateUtils.default_expiration_seconds
HTML = {"Content-Type": "text/html; charset=utf-8"}


def oauth_settings(
    settings: Settings,
    db: Database,
    store: SealedInstallationStore,
    workspaces: WorkspaceService,
) -> OAuthSettings:
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        # "Add to Slack" on the landing page goes straight to Slack's page.
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=settings.slack_authorize_url,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=state_store(db, expiration_seconds=STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
        logger=logging.getLogger("slack_bolt.oauth"),
    )
    deleted_cookie = oauth.state_utils.build_set_cookie_for_deletion()

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        org_wide = bool(installation.is_enterprise_install)
        key = installation.enterprise_id if org_wide else installation.team_id
        name = installation.enterprise_name if org_wide else installation.team_name
        workspaces.installed(
            team_id=key,
            name=name,
            enterprise_id=installation.enterprise_id,
            is_enterprise_install=org_wide,
        )
        log.info("installed in %s %s", "org" if org_wide else "workspace", key)
        headers = {**HTML, "Set-Cookie": [deleted_cookie]}
        return BoltResponse(status=200, body=installed_page(name), headers=headers)

    def failure(args: FailureArgs) -> BoltResponse:
        log.info("an install did not finish: %s", args.reason)
        headers = {**HTML, "Set-Cookie": [deleted_cookie]}
        return BoltResponse(
            status=args.suggested_status_code,
            body=install_failed_page(args.reason, INSTALL_PATH),
            headers=headers,
        )

    oauth.callback_options = CallbackOptions(success=success, failure=failure)
    return oauth
