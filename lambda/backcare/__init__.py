"""Back Care Coach: an Alexa custom skill for people whose back hurts."""

__version__ = "0.1.0"
