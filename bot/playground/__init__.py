"""Try Voice Coach without Slack (``python -m bot try``): the real app, a local stand-in
for Slack's Web API (``fakeslack``, the same strict one the tests use) and a web page that
plays Slack's client, sending the app signed requests as Slack would."""
