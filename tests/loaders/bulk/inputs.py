"""Enriched TSV inputs with tricky rows, for comparing the columnar and per-row paths."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from pyplow.event import FIELD_INDEX, Contexts, EnrichedEvent, Entity, encode_tsv

from ..wide_fixtures import CHECKOUT, PRODUCT, TS, event

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
UNKNOWN = "iglu:com.acme/unknown/jsonschema/1-0-0"
BLOB = "iglu:com.acme/blob/jsonschema/1-0-0"


def _id(n: int) -> str:
    return str(uuid.UUID(int=n + 1))


def page_view(n: int, **fields: Any) -> EnrichedEvent:
    """A page view with a web_page context and one or two product contexts."""
    products: tuple[tuple[str, dict[str, Any]], ...] = (
        (WEB_PAGE, {"id": str(uuid.UUID(int=10**6 + n))}),
        (PRODUCT + "1-0-0", {"sku": f"sku-{n}", "unitPrice": n / 4}),
    )
    if n % 3 == 0:
        products += ((PRODUCT + "1-0-0", {"sku": f"extra-{n}", "unitPrice": None}),)
    base: dict[str, Any] = {
        "fingerprint": f"fp-{n}",
        "products": products,
        "app_id": "shop",
        "platform": "web",
        "page_title": f"Product {n}",
        "page_urlport": 443,
        "br_cookies": n % 2 == 0,
        "domain_sessionidx": n % 7,
        "geo_latitude": 48.8566 + n / 1000,
        "tr_total": None,
        "dvce_created_tstamp": TS - timedelta(milliseconds=n),
    }
    base.update(fields)
    return event(_id(n), **base)


def line(e: EnrichedEvent, **raw: str) -> str:
    """``e`` as a TSV line, with some fields replaced by raw text."""
    parts = encode_tsv(e).split("\t")
    for name, text in raw.items():
        parts[FIELD_INDEX[name]] = text
    return "\t".join(parts)


def _contexts(*entities: tuple[str, Any]) -> str:
    return json.dumps(
        {
            "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
            "data": [{"schema": s, "data": d} for s, d in entities],
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def tricky_lines() -> list[str]:
    """Valid, duplicated, odd and invalid rows, in one order."""
    rows = [line(page_view(n)) for n in range(40)]
    rows += [
        # unstruct events, several schemas, unicode, empty fields
        line(
            page_view(
                100,
                unstruct=(CHECKOUT + "1-0-0", {"step": 2, "paid": True}),
                page_title="Café ☕ 日本語 — ünïcödé",
                event="unstruct",
            )
        ),
        line(page_view(101, unstruct=(CHECKOUT + "1-0-0", {"step": None, "paid": False}))),
        line(event(_id(102))),  # only the required fields
        line(page_view(103, products=())),
        line(
            page_view(
                104,
                derived_contexts=Contexts(
                    data=(
                        Entity(PRODUCT + "1-0-0", {"sku": "derived", "unitPrice": 1}),
                        Entity(WEB_PAGE, {"id": "w-derived"}),
                    )
                ),
            )
        ),
        line(page_view(105, products=((PRODUCT + "1-0-0", {"sku": 'ütf ✓ "q" \\ b'}),))),
        # duplicates within the batch: redelivery, reused id, reused id without fingerprint
        line(page_view(3)),
        line(page_view(4, fingerprint="other")),
        line(page_view(5, fingerprint=None)),
        line(page_view(5, fingerprint=None)),
        line(page_view(5, fingerprint=None)),
        line(page_view(106, fingerprint=None)),
        # valid rows in forms the columnar checks leave to the per-row path
        line(page_view(107), collector_tstamp="2024-05-01 12:30:15"),
        line(page_view(108), domain_sessionidx="000000000012", page_urlport="+443"),
        line(page_view(109), tr_total="1E+3", se_value="1e3", geo_latitude="1.5e1"),
        line(page_view(110), tr_total="12.345", ti_price="-0.005"),
        line(page_view(111), tr_total="12345678901234567.00"),  # too big: a bad row
        line(page_view(112), contexts=_contexts((WEB_PAGE, {"id": "caf\\u00e9"}))),
        line(page_view(113), contexts=" " + _contexts((WEB_PAGE, {"id": "spaced"}))),
        line(page_view(114), contexts=_contexts((WEB_PAGE, None))),
        line(page_view(115), contexts=_contexts((WEB_PAGE, "a string"))),
        line(page_view(116), contexts=_contexts((PRODUCT + "1-0-0", {"sku": 5}))),
        line(page_view(117), contexts=_contexts((PRODUCT + "1-0-0", {"unitPrice": "12"}))),
        line(page_view(118, unstruct=(CHECKOUT + "1-0-0", {"step": 3.0}))),
        line(page_view(119, unstruct=(CHECKOUT + "1-0-0", {"step": "x"}))),
        line(page_view(120, unstruct=(CHECKOUT + "1-0-0", {"step": 2**40, "extra": [1]}))),
        line(page_view(122, products=((BLOB, {"anything": [1, {"x": None}]}),))),
        line(page_view(123, products=((UNKNOWN, {"a": 1}),))),
        line(page_view(124, products=((PRODUCT + "1-0-0", {"sku": "n", "unitPrice": 1e300}),))),
        line(page_view(125)).replace('"unitPrice":31.25', '"unitPrice":3125E-2'),
        line(page_view(126, page_title="  padded\u00a0 ", user_id=" ")),
        # exponent-like text inside strings is fine; numbers with huge exponents are not
        line(
            page_view(127, products=((PRODUCT + "1-0-0", {"sku": "5e123 x1e400", "unitPrice": 2}),))
        ),
        line(page_view(128)).replace('"unitPrice":32.0', '"unitPrice": 1.5e-300'),
        line(page_view(129)).replace('"unitPrice":32.25', '"unitPrice":-1E+400'),
        line(page_view(130)).replace('"unitPrice":32.5', '"tags":[ 1e999],"unitPrice":-Infinity'),
        # invalid rows: loader_parsing_error
        "not a tsv line",
        "a\tfew\tfields",
        "\t" * 130,
        line(page_view(200), txn_id="abc"),
        line(page_view(201), collector_tstamp="2024-02-30 00:00:00.000"),
        line(page_view(202), collector_tstamp="2024-05-01 24:00:00.000"),
        line(page_view(203), event_id="not-a-uuid"),
        line(page_view(204), event_id=""),
        line(page_view(205), br_cookies="true"),
        line(page_view(206), contexts="{not json"),
        line(page_view(207), contexts=_contexts(("not an iglu uri", {}))),
        line(page_view(208), contexts='{"schema":"iglu:com.acme/x/jsonschema/1-0-0","data":[]}'),
        line(page_view(209), contexts=_contexts((WEB_PAGE, {"id": "x"}))[:-1] + ",]}"),
        line(page_view(210), contexts=_contexts((WEB_PAGE, {"id": "x"})).replace('"x"', "NaN")),
        line(
            page_view(211),
            unstruct_event='{"schema":"iglu:com.snowplowanalytics.snowplow/'
            'unstruct_event/jsonschema/1-0-0","data":{"schema":"iglu:com.acme/checkout/'
            'jsonschema/1-0-0"}}',
        ),
        line(page_view(212), geo_latitude="NaN", txn_id="99999999999"),
        line(
            page_view(213),
            contexts='{"schema":"iglu:com.snowplowanalytics.snowplow/'
            'contexts/jsonschema/1-0-0","data":[{"schema":"' + WEB_PAGE + '"}]}',
        ),
    ]
    return rows


def write_inputs(folder: Path) -> list[Path]:
    """Three enriched files (one gzipped) with rows duplicated across them, and a bad-row
    file; returns the enriched files in name order."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = tricky_lines()
    first = folder / "a.tsv"
    first.write_text("\n".join(rows) + "\n", encoding="utf-8")
    again = [line(page_view(n)) for n in (1, 2, 39)]  # redelivered in another file
    again += [line(page_view(7, fingerprint="changed")), line(page_view(300)), ""]
    second = folder / "b.tsv.gz"
    with gzip.open(second, "wt", encoding="utf-8") as out:
        out.write("\r\n".join(again) + "\r\n")
    third = folder / "c.tsv"
    last = [line(page_view(n)) for n in range(400, 460)]
    # a later revision with an array property: the family's column widens
    last.append(line(page_view(121, products=((PRODUCT + "1-0-1", {"sku": "t", "tags": ["a"]}),))))
    third.write_text("\n".join(last), encoding="utf-8")
    (folder / "bad.json").write_text(
        json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow.badrows/x/jsonschema/1-0-0"})
        + "\nnot json\n",
        encoding="utf-8",
    )
    return [first, second, third]


def write_redelivery(folder: Path) -> tuple[Path, Path]:
    """Two files for a second run: the first holds page views 0-9; the second 5-14 (5-9 are
    redelivered), then events 2 and 3 again under another fingerprint and none (flagged)."""
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / "first.tsv"
    first.write_text("\n".join(line(page_view(n)) for n in range(10)))
    second = folder / "second.tsv"
    second.write_text(
        "\n".join(
            [line(page_view(n)) for n in range(5, 15)]
            + [line(page_view(2, fingerprint="new")), line(page_view(3, fingerprint=None))]
        )
    )
    return first, second
