"""The programme's sound cues: `<audio>` tags for the published assets (`backcare audio build`
and `publish`), or nothing when no audio is configured (AUDIO_BASE_URL)."""

from __future__ import annotations

from backcare.config import Config

CHIME, DONE = "chime", "done"
# Published file name of each audio asset the programme plays (see asset_url).
ASSET_FILES: dict[str, str] = {CHIME: "chime.mp3", DONE: "done.mp3"}


def _attribute(value: str) -> str:
    """Escape a value for a double-quoted SSML attribute (xml.sax.saxutils would cost a Lambda
    cold start ~30 ms: it imports urllib.request, http.client and ssl)."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def asset_url(config: Config, name: str) -> str | None:
    """The URL of audio asset `name`, or None when no audio is configured (AUDIO_BASE_URL).

    The one place that turns an asset name into a URL: if published names become
    content-hashed, look them up here (e.g. in the release manifest).
    """
    if not config.audio_base_url:
        return None
    return f"{config.audio_base_url.rstrip('/')}/{ASSET_FILES[name]}"


def audio_tag(config: Config, name: str) -> str:
    """`<audio src="..."/>` for asset `name`; empty when audio is not configured."""
    url = asset_url(config, name)
    return f'<audio src="{_attribute(url)}"/>' if url else ""
