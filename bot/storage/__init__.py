"""Storage: the engine, migrations, and plain query functions that take a session."""
