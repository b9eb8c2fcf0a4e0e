"""The outbox: a channel that keeps the message instead of sending it, for the demo and test mode.

The engine has already recorded the rendered message (the portal shows it from there), so by default the
outbox only has to say `sent`; a sink passed in receives each message as well (a list in tests, a store
for a demo that wants its own copy).
"""

from __future__ import annotations

from collections.abc import Callable

from paypage.engine.channels.protocol import ChannelName, Message, SendResult

Sink = Callable[[Message], None]


def _discard(message: Message) -> None:
    """Keep nothing here: the engine's own record of the message is the copy that counts."""


class OutboxChannel:
    def __init__(self, name: ChannelName = "outbox", sink: Sink = _discard) -> None:
        # The name of the channel the outbox stands in for ("email", "sms", ...), so the engine records
        # the message under the channel the strategy chose.
        self.name: ChannelName = name
        self._sink = sink

    def send(self, message: Message) -> SendResult:
        self._sink(message)
        return SendResult(status="sent", provider_reference=f"outbox:{message.message_id}")
