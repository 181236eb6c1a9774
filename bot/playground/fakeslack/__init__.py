"""A local Slack, as strict as the real one: the Web API (``web_api``), Block Kit's rules
(``blockkit``) and Slack's signed requests to the app (``slack_requests``). The tests use it
from here, and so does the playground."""
