"""A progressive response ("one moment…") through the SDK's DirectiveServiceClient, within budget.

    from backcare.services.progressive import send_progressive_response

    send_progressive_response(handler_input, texts("progress.one_moment"))   # then the slow work

Alexa speaks it while the skill keeps working on the answer (at most five per request). It is a
courtesy, never a requirement: this function never raises, returns False when it did not send
(no API client, no request id, the directive API failed or was slow, or the request's deadline
has too little left), and takes at most `cap` seconds of the request's budget — and never the
time the real answer needs (`reserve`).
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

PROGRESSIVE_TIMEOUT_SECONDS = 0.5  # the directive API answers in tens of milliseconds
RESERVE_SECONDS = 1.0  # what must stay in the budget for the work the user is waiting for
MAX_SPEECH_CHARACTERS = 600  # Alexa's limit for a progressive response's speech


def send_progressive_response(handler_input: Any, speech: str, *, cap: float = PROGRESSIVE_TIMEOUT_SECONDS,
                              reserve: float = RESERVE_SECONDS) -> bool:
    """Send `speech` (plain text or SSML) as a progressive response. True if Alexa accepted it."""
    try:
        from backcare.deadline import deadline_of

        deadline = deadline_of(handler_input)
        if not deadline.allows(cap + reserve):
            log.info("No progressive response: %.2f s left in the request", deadline.remaining())
            return False
        request_id = getattr(handler_input.request_envelope.request, "request_id", None)
        if not request_id or not speech:
            return False
        _send(handler_input, request_id, speech[:MAX_SPEECH_CHARACTERS], cap)
    except Exception as error:  # a courtesy: whatever went wrong, the real answer still comes
        status = getattr(error, "status_code", None)
        log.warning("Progressive response not sent: %s %s", type(error).__name__, status or "")
        return False
    return True


def _send(handler_input: Any, request_id: str, speech: str, cap: float) -> None:
    from ask_sdk_model.services.directive import Header, SendDirectiveRequest, SpeakDirective

    from backcare.services.api_client import call_cap

    client = handler_input.service_client_factory.get_directive_service()  # ValueError without api_client
    directive = SendDirectiveRequest(header=Header(request_id=request_id), directive=SpeakDirective(speech=speech))
    with call_cap(cap):
        client.enqueue(directive)
