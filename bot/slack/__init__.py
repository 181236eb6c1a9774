"""Everything that knows about Slack: ids, Block Kit builders, listeners, the Bolt app."""
