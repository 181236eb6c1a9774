"""Her calendar link: fetching it safely (`client`)."""
