"""Thin wrappers over the ASK SDK's service clients (Reminders, Settings) and an API client
with timeouts. Nothing here is imported on a request that does not call an Alexa API."""
