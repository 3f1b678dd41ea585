"""Use cases: load, call the engine, write, commit. Routers and the CLI call these."""
