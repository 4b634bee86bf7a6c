"""Cluster the visitors of a shop by behaviour, from events that went through pyplow.

1. simulate visitors of four kinds (bouncers, browsers, readers, buyers) as the JavaScript
   tracker reports them: page views, page pings every 10 s of engagement, "add to basket"
   structured events, on desktop or mobile browsers;
2. turn each tracker request into a collector record and enrich it with pyplow's default
   enrichments (user-agent parsing among them), writing enriched TSV;
3. load the TSV into DuckDB with pyplow's loader;
4. read the events back with ``pyplow.analytics.read_events`` as a polars DataFrame;
5. compute one row of features per visitor (``domain_userid``) and group the visitors with
   scikit-learn's KMeans; print what each cluster looks like.

Needs ``pip install 'pyplow[analytics,ml]'``. Nothing is fetched from the network: the
example uses pyplow's embedded Iglu registry only.

    python examples/clustering/cluster_visitors.py --visitors 400 --clusters 4
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import msgspec
import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from pyplow.analytics import read_events
from pyplow.enrich.engine import Engine
from pyplow.enrich.loading import DEFAULT_CONFIGS, build_enrichments
from pyplow.event import EnrichedEvent, decode_tsv
from pyplow.iglu import Resolver, Validator, builtin_repository
from pyplow.loaders.base import LoadBatch
from pyplow.loaders.duckdb import DuckDBConfig, DuckDBLoader
from pyplow.protocol import CollectorPayload

START = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
SITE = "https://shop.acme.test"
DESKTOP = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
]
MOBILE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
]
PRODUCTS = [f"/products/{name}" for name in ("blue-widget", "red-widget", "gizmo", "sprocket")]
ARTICLES = [f"/blog/{name}" for name in ("care-guide", "widget-history", "top-ten", "faq")]
MOBILE_OS = ("iOS", "Android")


class Persona(msgspec.Struct, frozen=True):
    """How one kind of visitor behaves (ranges are inclusive)."""

    sessions: tuple[int, int]
    pages_per_session: tuple[int, int]
    pings_per_page: tuple[int, int]
    #: Chance of adding the product to the basket on a product page.
    basket: float
    #: Chance that the visitor uses a phone.
    mobile: float
    paths: tuple[str, ...]


PERSONAS: dict[str, Persona] = {
    "bouncer": Persona((1, 1), (1, 1), (0, 1), 0.0, 0.8, ("/", PRODUCTS[0])),
    "browser": Persona((2, 4), (5, 10), (0, 2), 0.05, 0.3, ("/", "/products", *PRODUCTS)),
    "reader": Persona((1, 3), (1, 3), (8, 20), 0.0, 0.4, ("/blog", *ARTICLES)),
    "buyer": Persona((3, 6), (3, 6), (1, 4), 0.6, 0.2, ("/products", *PRODUCTS, "/basket")),
}


def visitor_requests(rng: random.Random, persona: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(time in ms, tracker parameters)`` of every request one visitor's browser sends."""
    kind = PERSONAS[persona]
    duid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    agent = rng.choice(MOBILE if rng.random() < kind.mobile else DESKTOP)
    clock = START + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
    for index in range(1, rng.randint(*kind.sessions) + 1):
        sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        for _ in range(rng.randint(*kind.pages_per_session)):
            path = rng.choice(kind.paths)
            common = {
                "tv": "js-4.6.8",
                "tna": "sp",
                "aid": "shop",
                "p": "web",
                "url": SITE + path,
                "page": path.strip("/") or "home",
                "duid": duid,
                "sid": sid,
                "vid": str(index),
                "ua": agent,
                "res": "390x844" if agent in MOBILE else "1920x1080",
                "lang": "en-GB",
                "cookie": "1",
            }
            yield _stamp(clock), {"e": "pv", **common, "eid": _eid(rng)}
            for _ in range(rng.randint(*kind.pings_per_page)):
                clock += timedelta(seconds=10)
                yield _stamp(clock), {"e": "pp", **common, "eid": _eid(rng)}
            if path.startswith("/products/") and rng.random() < kind.basket:
                event = {"e": "se", "se_ca": "basket", "se_ac": "add", "se_la": path}
                yield _stamp(clock), {**event, **common, "eid": _eid(rng)}
            clock += timedelta(seconds=rng.randint(5, 40))
        clock += timedelta(hours=rng.randint(5, 48))


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _eid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def simulate(visitors: int, seed: int) -> tuple[list[tuple[int, dict[str, str]]], dict[str, str]]:
    """Every request of ``visitors`` visitors, and each visitor's true kind (for checking)."""
    rng = random.Random(seed)
    requests: list[tuple[int, dict[str, str]]] = []
    truth: dict[str, str] = {}
    kinds = list(PERSONAS)
    for n in range(visitors):
        persona = kinds[n % len(kinds)]
        sent = list(visitor_requests(rng, persona))
        truth[sent[0][1]["duid"]] = persona
        requests.extend(sent)
    return sorted(requests, key=lambda r: r[0]), truth


def enrich(requests: list[tuple[int, dict[str, str]]], folder: Path) -> Path:
    """Enrich the requests as GET /i records; the enriched TSV file."""
    validator = Validator(Resolver([builtin_repository()]))
    enrichments = build_enrichments(
        [("defaults", c) for c in DEFAULT_CONFIGS], validator, trusted=True
    )
    engine = Engine(enrichments, validator)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "enriched-1.tsv"
    bad = 0
    with path.open("wb") as out:
        for millis, parameters in requests:
            payload = CollectorPayload(
                ip_address="203.0.113.9",
                timestamp=millis,
                encoding="UTF-8",
                collector="ssc-3.2.0-example",
                user_agent=parameters["ua"],
                path="/i",
                querystring=urlencode({**parameters, "dtm": str(millis), "stm": str(millis)}),
                hostname="collector.acme.test",
                network_user_id=parameters["duid"],
            )
            outcome = engine.process_payload(payload)
            out.writelines(row + b"\n" for row in outcome.good)
            bad += len(outcome.bad)
    engine.close()
    if bad:
        raise RuntimeError(f"{bad} simulated events failed enrichment")
    return path


def load(tsv: Path, database: Path) -> int:
    """Load the enriched file into DuckDB; the number of events stored."""
    events: list[EnrichedEvent] = []
    for line in tsv.read_text(encoding="utf-8").splitlines():
        decoded = decode_tsv(line)
        assert isinstance(decoded, EnrichedEvent), decoded
        events.append(decoded)
    loader = DuckDBLoader(DuckDBConfig(path=str(database)), Resolver([builtin_repository()]))
    try:
        return loader.load(LoadBatch(events=events)).loaded
    finally:
        loader.close()


#: What the visitors are clustered on: behaviour only.
FEATURES = [
    "sessions",
    "page_views",
    "distinct_pages",
    "engaged_minutes",
    "minutes_per_page",
    "basket_adds",
]
#: Shown for each cluster, not clustered on: a cookie (``domain_userid``) lives in one browser,
#: so a visitor's mobile share is 0 or 1, which would split clusters by device alone.
DESCRIPTIONS = [*FEATURES, "mobile_share"]


def visitor_features(events: pl.DataFrame) -> pl.DataFrame:
    """One row per visitor: how much and how they use the site."""
    os_family = (
        pl.col("contexts_com_snowplowanalytics_snowplow_ua_parser_context_1")
        .list.first()
        .struct.field("os_family")
    )
    return (
        events.with_columns(mobile=os_family.is_in(MOBILE_OS))
        .group_by("domain_userid")
        .agg(
            sessions=pl.col("domain_sessionid").n_unique(),
            page_views=(pl.col("event") == "page_view").sum().cast(pl.Float64),
            # a page ping every 10 seconds of activity on the page
            engaged_minutes=(pl.col("event") == "page_ping").sum() * 10 / 60,
            distinct_pages=pl.col("page_urlpath").filter(pl.col("event") == "page_view").n_unique(),
            basket_adds=((pl.col("event") == "struct") & (pl.col("se_action") == "add")).sum(),
            mobile_share=pl.col("mobile").mean(),
        )
        .with_columns(minutes_per_page=pl.col("engaged_minutes") / pl.col("page_views"))
        .sort("domain_userid")
    )


def cluster(features: pl.DataFrame, clusters: int, seed: int) -> tuple[pl.DataFrame, float]:
    """The features with a ``cluster`` column, and the silhouette score of the grouping."""
    matrix = features.select(FEATURES).to_numpy().astype(float)
    scaled = StandardScaler().fit_transform(np.log1p(matrix))  # counts are skewed: log first
    model = KMeans(n_clusters=clusters, n_init=10, random_state=seed).fit(scaled)
    score = float(silhouette_score(scaled, model.labels_))
    return features.with_columns(cluster=pl.Series(model.labels_, dtype=pl.Int32)), score


def profiles(grouped: pl.DataFrame) -> pl.DataFrame:
    """Size and mean features of each cluster, largest first, with the feature that sets
    the cluster most apart from the average visitor (in standard deviations)."""
    means = [pl.col(f).mean().alias(f) for f in DESCRIPTIONS]
    table = grouped.group_by("cluster").agg(pl.len().alias("visitors"), *means)
    overall = grouped.select(FEATURES)
    distance = table.select(
        [((pl.col(f) - overall[f].mean()) / (overall[f].std() or 1.0)).alias(f) for f in FEATURES]
    ).to_numpy()
    labels = []
    for row in distance:
        i = int(np.argmax(np.abs(row)))
        labels.append(f"{'most' if row[i] > 0 else 'fewest'} {FEATURES[i].replace('_', ' ')}")
    return table.with_columns(pl.col(DESCRIPTIONS).round(2), stands_out=pl.Series(labels)).sort(
        ["visitors", "cluster"], descending=[True, False]
    )


def purity(grouped: pl.DataFrame, truth: dict[str, str]) -> float:
    """Share of visitors whose cluster's most common simulated kind is their own kind."""
    kinds = grouped.with_columns(kind=pl.col("domain_userid").replace_strict(truth))
    counts = kinds.group_by("cluster", "kind").len()
    return float(counts.group_by("cluster").agg(pl.col("len").max())["len"].sum()) / len(kinds)


def run(visitors: int, clusters: int, seed: int, workdir: Path) -> dict[str, Any]:
    requests, truth = simulate(visitors, seed)
    tsv = enrich(requests, workdir / "enriched")
    database = workdir / "events.duckdb"
    stored = load(tsv, database)
    columns = [
        "domain_userid",
        "domain_sessionid",
        "event",
        "page_urlpath",
        "se_action",
        "contexts_com_snowplowanalytics_snowplow_ua_parser_context_1",
    ]
    events = read_events(database, columns=columns)
    features = visitor_features(events)
    grouped, score = cluster(features, clusters, seed)
    kinds = grouped.with_columns(kind=pl.col("domain_userid").replace_strict(truth))
    return {
        "events": stored,
        "visitors": features.height,
        "profiles": profiles(grouped),
        "silhouette": score,
        "kinds": kinds.group_by("cluster", "kind").len().sort("cluster", "kind"),
        "purity": purity(grouped, truth),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=400, help="visitors to simulate")
    parser.add_argument("--clusters", type=int, default=4, help="KMeans clusters")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep the TSV and DuckDB files here")
    args = parser.parse_args(argv)
    if args.workdir is not None:
        result = run(args.visitors, args.clusters, args.seed, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="pyplow-clustering-") as scratch:
            result = run(args.visitors, args.clusters, args.seed, Path(scratch))
    print(f"{result['events']} events of {result['visitors']} visitors loaded into DuckDB")
    with pl.Config(
        tbl_width_chars=160,
        tbl_cols=-1,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        tbl_rows=50,
    ):
        print(f"\nClusters (means per visitor; silhouette {result['silhouette']:.2f}):")
        print(result["profiles"])
        print("\nSimulated kinds of visitor in each cluster:")
        print(result["kinds"])
    print(f"\n{result['purity']:.0%} of visitors share a cluster with a majority of their kind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
