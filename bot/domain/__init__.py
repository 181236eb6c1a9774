"""The rules of the product, in pure code: no Slack, database or scheduler imports."""
