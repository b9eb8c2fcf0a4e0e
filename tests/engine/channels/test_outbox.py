"""The outbox keeps a message instead of sending it, and says `sent` at once."""

from __future__ import annotations

from paypage.engine.channels.outbox import OutboxChannel
from paypage.engine.channels.protocol import Channel, Message


def message() -> Message:
    return Message(
        message_id="msg_1", channel="email", language="de", to="a@b.example", subject="Erinnerung", text="Bitte zahlen"
    )


def test_the_sink_receives_the_message_and_the_answer_is_sent() -> None:
    kept: list[Message] = []
    outbox = OutboxChannel("email", sink=kept.append)

    result = outbox.send(message())

    assert kept == [message()]
    assert result.status == "sent"
    assert result.provider_reference == "outbox:msg_1"


def test_without_a_sink_the_engine_record_is_the_only_copy() -> None:
    assert OutboxChannel("sms").send(message()).status == "sent"


def test_the_outbox_is_a_channel_named_for_the_channel_it_stands_in_for() -> None:
    assert isinstance(OutboxChannel(), Channel)
    assert OutboxChannel().name == "outbox"
    assert OutboxChannel("letter").name == "letter"
