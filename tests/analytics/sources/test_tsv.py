"""Enriched TSV files as a source: decoding, the window, invalid lines, wide columns."""

from __future__ import annotations

import gzip
import uuid
from decimal import Decimal
from pathlib import Path

import fsspec
import pyarrow as pa
import pytest

from pyplow.analytics import SourceError, read_arrow
from pyplow.analytics.sources.tsv_wide import warehouse_value
from pyplow.event import FIELD_INDEX, Contexts, EnrichedEvent, Entity, encode_tsv
from pyplow.iglu import Resolver

from ..sdk_data import LINK_CLICK, PRODUCT, WEB_PAGE, event, events, stamp, write_tsv


def test_every_value_of_every_event_comes_back(tmp_path: Path) -> None:
    written = events()
    write_tsv(tmp_path / "a.tsv", written)
    table = read_arrow(tmp_path)
    assert table.num_rows == len(written)
    row = table.slice(4, 1).to_pylist()[0]
    source = written[4]
    assert row["event_id"] == source.event_id
    assert row["collector_tstamp"] == source.collector_tstamp
    assert row["page_title"] == "Odd \\ page – ünïcode"
    assert row["tr_total"] == Decimal("12.35")  # dec(18,2), rounded half-up like the loaders
    assert row["se_value"] == 10.0
    assert row["br_cookies"] is True
    assert row["page_urlport"] == 443
    assert row["load_tstamp"] is None  # never loaded
    assert row["contexts_com_acme_product_1"] == [
        {"_schema_version": "1-0-0", "in_stock": True, "sku": "sku-4", "unit_price": 4.5}
    ]
    assert row["contexts_com_snowplowanalytics_snowplow_web_page_1"] == [
        {"_schema_version": "1-0-0", "id": str(uuid.UUID(int=1004))}
    ]
    assert row["unstruct_event_com_snowplowanalytics_snowplow_link_click_1"] is None


def test_files_are_read_in_a_folder_tree_gzipped_or_not(tmp_path: Path) -> None:
    rows = events(6)
    write_tsv(tmp_path / "out" / "enriched" / "b.tsv", rows[3:])
    text = "".join(encode_tsv(e) + "\n" for e in rows[:3])
    (tmp_path / "out" / "enriched" / "a.tsv.gz").write_bytes(gzip.compress(text.encode()))
    write_tsv(tmp_path / "out" / "enriched" / ".c.tsv", events(9))  # hidden: being written
    (tmp_path / "out" / "enriched" / "d.tsv.inprogress").write_text("junk\n")
    (tmp_path / "out" / "bad").mkdir()
    (tmp_path / "out" / "bad" / "bad-1.json").write_text("{}\n")
    table = read_arrow(tmp_path / "out")
    assert table.column("event_id").to_pylist() == [e.event_id for e in rows]
    assert read_arrow(tmp_path / "out" / "enriched" / "b.tsv").num_rows == 3


def test_the_window_keeps_start_and_drops_end(tmp_path: Path) -> None:
    write_tsv(tmp_path / "a.tsv", events())
    table = read_arrow(tmp_path, stamp(2), stamp(5))
    assert table.column("event_id").to_pylist() == [event(n).event_id for n in (2, 3, 4)]
    assert read_arrow(tmp_path, end=stamp(0)).num_rows == 0


def test_invalid_lines_name_their_place_or_are_skipped(tmp_path: Path) -> None:
    good = [encode_tsv(e) for e in events(3)]
    path = tmp_path / "a.tsv"
    path.write_text(f"{good[0]}\nnot an event\n{good[1]}\n\n{good[2]}\r\n")
    with pytest.raises(SourceError, match=r"a\.tsv:2: .*"):
        read_arrow(path)
    assert read_arrow(path, on_error="skip").num_rows == 3
    with pytest.raises(ValueError, match="on_error"):
        read_arrow(path, on_error="ignore")  # type: ignore[arg-type]


def test_values_that_do_not_fit_their_columns_are_invalid(tmp_path: Path) -> None:
    huge = encode_tsv(event(0)).split("\t")
    huge[FIELD_INDEX["tr_total"]] = "1" + "0" * 20  # beyond dec(18,2)
    path = tmp_path / "a.tsv"
    path.write_text("\t".join(huge) + "\n" + encode_tsv(event(1)) + "\n")
    with pytest.raises(SourceError, match=r"a\.tsv:1: values do not fit"):
        read_arrow(path)
    assert read_arrow(path, on_error="skip").column("event_id").to_pylist() == [event(1).event_id]


def test_a_missing_source(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        read_arrow(tmp_path / "gone", kind="tsv")


def test_wide_columns_take_their_type_from_the_schemas(tmp_path: Path) -> None:
    write_tsv(tmp_path / "a.tsv", events(6))
    click = read_arrow(tmp_path).schema.field(
        "unstruct_event_com_snowplowanalytics_snowplow_link_click_1"
    )
    # link_click 1-0-1 is in the embedded registry: every property of the schema is a field
    assert [f.name for f in click.type] == [
        "element_classes",
        "element_content",
        "element_id",
        "element_target",
        "target_url",
    ]
    assert click.type.field("element_classes").type == pa.list_(pa.string())


def _product_event(n: int, data: dict[str, object]) -> EnrichedEvent:
    contexts = Contexts(data=(Entity(WEB_PAGE, {"id": "p"}), Entity(PRODUCT, data)))
    return EnrichedEvent(
        event_id=str(uuid.UUID(int=n + 1)),
        collector_tstamp=stamp(n),
        v_collector="c",
        v_etl="e",
        contexts=contexts,
    )


def test_unknown_families_are_inferred_or_kept_as_json(tmp_path: Path) -> None:
    write_tsv(
        tmp_path / "a.tsv",
        [_product_event(0, {"sku": "a", "unitPrice": 1}), _product_event(1, {"sku": 2})],
    )
    table = read_arrow(tmp_path)
    column = table.column("contexts_com_acme_product_1")
    assert column.type == pa.string()  # sku is text in one event and a number in the other
    assert column.to_pylist() == [
        '[{"_schema_version":"1-0-0","sku":"a","unit_price":1}]',
        '[{"_schema_version":"1-0-0","sku":2}]',
    ]


def test_a_resolver_types_your_own_families(tmp_path: Path, sdk_resolver: Resolver) -> None:
    write_tsv(tmp_path / "a.tsv", [_product_event(0, {"sku": "a", "unitPrice": 1})])
    inferred = read_arrow(tmp_path).schema.field("contexts_com_acme_product_1").type
    typed = read_arrow(tmp_path, resolver=sdk_resolver)
    column = typed.schema.field("contexts_com_acme_product_1").type
    assert inferred.value_type.field("unit_price").type == pa.int64()
    assert column.value_type.field("unit_price").type == pa.float64()  # "type": "number"
    assert column.value_type.field("in_stock").type == pa.bool_()
    assert typed.column("contexts_com_acme_product_1").to_pylist() == [
        [{"_schema_version": "1-0-0", "in_stock": None, "sku": "a", "unit_price": 1.0}]
    ]


def test_warehouse_names() -> None:
    assert warehouse_value({"unitPrice": 1, "a": [{"innerKey": None}], "B": "x"}) == {
        "a": [{"inner_key": None}],
        "b": "x",
        "unit_price": 1,
    }


def test_tsv_on_an_fsspec_filesystem() -> None:
    fs = fsspec.filesystem("memory")
    text = "".join(encode_tsv(e) + "\n" for e in events(4))
    fs.pipe("/sdk-tsv/enriched/a.tsv", text.encode())
    fs.pipe("/sdk-tsv/enriched/notes.txt", b"not read")
    try:
        table = read_arrow("memory://sdk-tsv/enriched", kind="tsv")
        single = read_arrow("memory://sdk-tsv/enriched/a.tsv")
    finally:
        fs.rm("/sdk-tsv", recursive=True)
    assert table.num_rows == single.num_rows == 4
    assert table.column("unstruct_event_com_snowplowanalytics_snowplow_link_click_1")[2].as_py()[
        "target_url"
    ] == ("https://example.org/2")
    assert LINK_CLICK.endswith("1-0-1")


def test_unreadable_files_and_urls(tmp_path: Path) -> None:
    (tmp_path / "a.tsv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(SourceError, match=r"cannot read .*a\.tsv\.gz"):
        read_arrow(tmp_path)
    with pytest.raises(SourceError, match="does not exist"):
        read_arrow("memory://no-such-folder", kind="tsv")
    with pytest.raises(SourceError, match="cannot open"):
        read_arrow("nosuchprotocol://x/a.tsv")
