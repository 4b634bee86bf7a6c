"""NatsConfig validation and the lazy import of nats-py (no server needed)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.streams import TerminalStreamError
from pyplow.streams.nats import NatsConfig, NatsSink, NatsSource, content_message_id


def test_defaults_are_the_documented_ones() -> None:
    config = NatsConfig()
    assert config.servers == ("nats://127.0.0.1:4222",)
    assert config.retention_max_age_seconds == 7 * 24 * 3600
    assert config.retention_max_bytes == -1
    assert config.max_msg_bytes == 1_000_000
    assert config.max_deliver == -1
    assert config.max_reconnect_attempts == -1
    assert config.create_stream is True
    assert config.replicas == 1


def test_config_decodes_from_plain_data() -> None:
    config = msgspec.convert(
        {"servers": ["nats://a:4222", "nats://b:4222"], "subject": "x.y", "stream": "XY"},
        NatsConfig,
    )
    assert config.servers == ("nats://a:4222", "nats://b:4222")
    assert config.subject == "x.y"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stream", "PY.RAW", "stream must be a non-empty name.*got 'PY.RAW'"),
        ("stream", "", "stream must be a non-empty name.*got ''"),
        ("durable", "en rich", "durable must be a non-empty name.*got 'en rich'"),
        ("subject", "a b", "subject must be non-empty.*got 'a b'"),
        ("servers", (), "servers must name at least one"),
        ("max_in_flight", 0, "max_in_flight must be positive, got 0"),
        ("publish_timeout", -1.0, "publish_timeout must be positive, got -1.0"),
        ("max_deliver", 0, "max_deliver must be positive or -1 .no limit., got 0"),
        ("max_deliver", 1, "max_deliver must allow redelivery.*got 1"),
        (
            "retention_max_bytes",
            -5,
            "retention_max_bytes must be positive or -1 .no limit., got -5",
        ),
        ("nack_delay_seconds", -0.5, "nack_delay_seconds must not be negative, got -0.5"),
    ],
)
def test_invalid_settings_say_what_is_wrong(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NatsConfig(**{field: value})  # type: ignore[arg-type]


def test_invalid_settings_from_data_are_validation_errors() -> None:
    with pytest.raises(msgspec.ValidationError, match="fetch_batch must be positive"):
        msgspec.convert({"fetch_batch": 0}, NatsConfig)


@settings(max_examples=50)
@given(st.binary(max_size=256), st.binary(max_size=256))
def test_content_message_id_depends_only_on_the_bytes(first: bytes, second: bytes) -> None:
    assert content_message_id(first) == content_message_id(bytes(first))
    assert len(content_message_id(first)) == 32
    assert (content_message_id(first) == content_message_id(second)) == (first == second)


def test_importing_the_backend_does_not_import_nats_py() -> None:
    code = "import sys, pyplow.streams, pyplow.streams.nats; print('nats' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("connect", [NatsSink.connect, NatsSource.connect])
def test_a_missing_client_asks_for_the_extra(
    monkeypatch: pytest.MonkeyPatch, connect: object
) -> None:
    monkeypatch.setitem(sys.modules, "nats", None)  # makes `import nats` fail
    with pytest.raises(TerminalStreamError, match=r"pyplow\[nats\]"):
        asyncio.run(connect(NatsConfig()))  # type: ignore[operator]
