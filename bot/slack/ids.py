"""Every action_id and callback_id the app uses, in one place."""

COMMAND = "/voice"

# Actions
GET_STARTED = "get_started"
OPEN_HELP = "open_help"
