import msgspec

from pyplow.event import (
    FieldNumberMismatch,
    InvalidValue,
    NotTSV,
    RowDecodingError,
    TsvDecodeError,
    UnhandledRowDecodingError,
    describe_error,
)


def test_scala_sdk_json_shapes() -> None:
    assert msgspec.json.encode(NotTSV()) == b'{"type":"NotTSV"}'
    assert msgspec.json.encode(FieldNumberMismatch(5)) == (
        b'{"type":"FieldNumberMismatch","fieldCount":5}'
    )
    error = RowDecodingError(
        (
            InvalidValue("event_id", "x", "Cannot parse key event_id into UUID"),
            UnhandledRowDecodingError("boom"),
        )
    )
    assert msgspec.json.encode(error) == (
        b'{"type":"RowDecodingError","errors":[{"type":"InvalidValue","key":"event_id",'
        b'"value":"x","message":"Cannot parse key event_id into UUID"},'
        b'{"type":"UnhandledRowDecodingError","message":"boom"}]}'
    )


def test_errors_decode_back() -> None:
    for error in (
        NotTSV(),
        FieldNumberMismatch(130),
        RowDecodingError((InvalidValue("v_etl", "", "Field v_etl cannot be empty"),)),
    ):
        raw = msgspec.json.encode(error)
        assert msgspec.json.decode(raw, type=TsvDecodeError) == error


def test_describe() -> None:
    assert "got 7" in describe_error(FieldNumberMismatch(7))
    assert "no TAB" in describe_error(NotTSV())
    text = describe_error(RowDecodingError((InvalidValue("txn_id", "x", "Cannot parse"),)))
    assert text == "invalid enriched event: txn_id='x': Cannot parse"
