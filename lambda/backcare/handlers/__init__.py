"""Request handlers, one module per area. Each module exposes handlers(ctx) -> list."""
