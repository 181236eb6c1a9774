"""Pure builders of Block Kit surfaces: plain values in, Slack JSON out."""
