"""HTTP routers: thin; parse, call one service, return the public model."""
