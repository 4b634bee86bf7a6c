"""The events a model run reads: one normalised row per event, whatever the target.

DuckDB keeps entities in wide-row columns (``contexts_com_snowplowanalytics_snowplow_web_page_1``,
a list of structs); PostgreSQL keeps them in shredded tables joined on ``root_id`` and
``root_tstamp``. :func:`scope_select` hides the difference: it returns one ``SELECT`` with the
same columns on both, where the page view id, the browser, the operating system and the device
category come from whichever entities are there (the web page entity of the JavaScript
trackers; the UA parser or YAUAA entities), with heuristics on the raw user agent as the last
resort. An entity that is not in the database yields NULL, so the models run on any data.
"""

from __future__ import annotations

from typing import Final

from pyplow.analytics.models.database import Database

__all__ = ["SCOPE_COLUMNS", "scope_select"]

#: Canonical columns copied as they are into the scope.
_CANONICAL: Final = (
    "event_id",
    "event_name",
    "app_id",
    "platform",
    "collector_tstamp",
    "domain_userid",
    "domain_sessionid",
    "domain_sessionidx",
    "network_userid",
    "user_id",
    "page_url",
    "page_urlhost",
    "page_urlpath",
    "page_title",
    "page_referrer",
    "refr_urlhost",
    "refr_medium",
    "refr_source",
    "refr_term",
    "mkt_medium",
    "mkt_source",
    "mkt_campaign",
    "mkt_term",
    "mkt_content",
    "geo_country",
    "geo_region",
    "geo_city",
    "geo_timezone",
    "br_lang",
    "br_viewwidth",
    "br_viewheight",
    "doc_width",
    "doc_height",
    "pp_xoffset_max",
    "pp_yoffset_max",
)

#: The columns of the scope, in order.
SCOPE_COLUMNS: Final = (
    *_CANONICAL,
    "ts",
    "ctx_page_view_id",
    "browser_family",
    "os_family",
    "device_category",
)

_VENDOR: Final = "com_snowplowanalytics_snowplow"
#: (entity, its fields the scope reads) — table/column suffix ``<vendor>_<name>_1``.
_ENTITIES: Final = {
    "web_page": (f"{_VENDOR}_web_page_1", ("id",)),
    "ua": (f"{_VENDOR}_ua_parser_context_1", ("useragent_family", "os_family", "device_family")),
    "yauaa": ("nl_basjes_yauaa_context_1", ("device_class", "agent_name", "operating_system_name")),
}

_MOBILE_OS: Final = "('iOS', 'Android', 'Windows Phone', 'BlackBerry OS', 'KaiOS')"
_DESKTOP_OS: Final = (
    "('Windows', 'Mac OS X', 'Linux', 'Ubuntu', 'Chrome OS', 'Fedora', 'FreeBSD', 'macOS')"
)


def _device_category(f: dict[str, str]) -> str:
    ua = "lower(e.useragent)"
    return f"""case
      when {f["yauaa_device_class"]} in ('Phone', 'Mobile', 'Handheld Game Console', 'Watch')
        then 'Mobile'
      when {f["yauaa_device_class"]} in ('Tablet', 'eReader') then 'Tablet'
      when {f["yauaa_device_class"]} = 'Desktop' then 'Desktop'
      when {f["yauaa_device_class"]} is not null and {f["yauaa_device_class"]} <> 'Unknown'
        then 'Other'
      when {f["ua_device_family"]} = 'iPad' or lower({f["ua_device_family"]}) like '%tablet%'
        or {f["ua_device_family"]} like 'Kindle%' then 'Tablet'
      when {f["ua_os_family"]} in {_MOBILE_OS} then 'Mobile'
      when {f["ua_os_family"]} in {_DESKTOP_OS} then 'Desktop'
      when {ua} like '%ipad%' or {ua} like '%tablet%' then 'Tablet'
      when {ua} like '%mobi%' or {ua} like '%android%' or {ua} like '%iphone%' then 'Mobile'
      when e.useragent is not null and e.useragent <> '' then 'Desktop'
      else 'Unknown'
    end"""


def _entity_fields(db: Database, events_schema: str) -> tuple[dict[str, str], str]:
    """SQL expressions for each entity field (``<entity>_<field>``) and the joins they need."""
    fields: dict[str, str] = {}
    joins: list[str] = []
    if db.dialect == "duckdb":
        present = set(db.columns(events_schema, "events"))
        for entity, (suffix, names) in _ENTITIES.items():
            column = f"contexts_{suffix}"
            for name in names:
                expr = f'e."{column}"[1]."{name}"'
                usable = column in present and _compiles(db, events_schema, expr)
                fields[f"{entity}_{name}"] = expr if usable else "cast(null as varchar)"
        return fields, ""
    for entity, (suffix, names) in _ENTITIES.items():
        present = set(db.columns(events_schema, suffix))
        found = [n for n in names if n in present]
        alias = f"x_{entity}"
        if found and {"root_id", "root_tstamp"} <= present:
            picks = ", ".join(f'min("{n}") as "{n}"' for n in found)
            joins.append(
                f'left join (select root_id, root_tstamp, {picks} from "{events_schema}"."{suffix}"'
                f" group by root_id, root_tstamp) {alias}"
                f" on cast({alias}.root_id as varchar) = cast(e.event_id as varchar)"
                f" and {alias}.root_tstamp = e.collector_tstamp"
            )
        for name in names:
            fields[f"{entity}_{name}"] = (
                f'{alias}."{name}"' if name in found else "cast(null as varchar)"
            )
    return fields, "\n  ".join(joins)


def _compiles(db: Database, events_schema: str, expr: str) -> bool:
    try:
        db.query(f'select {expr} from "{events_schema}".events e limit 0')
    except Exception:  # the column is JSON text or lacks the field: treat as absent
        return False
    return True


def scope_select(db: Database, events_schema: str, where: str = "") -> str:
    """``SELECT`` of the scope columns from ``<events_schema>.events`` (filtered by ``where``,
    an SQL condition on alias ``e``), one row per ``event_id``."""
    f, joins = _entity_fields(db, events_schema)
    canonical = ", ".join(
        "cast(e.event_id as varchar) as event_id" if c == "event_id" else f"e.{c}"
        for c in _CANONICAL
    )
    browser = f"coalesce({f['ua_useragent_family']}, {f['yauaa_agent_name']})"
    os_family = f"coalesce({f['ua_os_family']}, {f['yauaa_operating_system_name']})"
    # The window runs over the projected scalar columns only: carrying the entity lists
    # through it would make DuckDB sort them too.
    return f"""select {", ".join(SCOPE_COLUMNS)} from (
  select projected.*,
    row_number() over (
      partition by event_id order by collector_tstamp, pyplow_etl_tstamp, pyplow_fingerprint
    ) as pyplow_copy
  from (
    select {canonical},
      coalesce(e.derived_tstamp, e.collector_tstamp) as ts,
      cast({f["web_page_id"]} as varchar) as ctx_page_view_id,
      cast({browser} as varchar) as browser_family,
      cast({os_family} as varchar) as os_family,
      {_device_category(f)} as device_category,
      e.etl_tstamp as pyplow_etl_tstamp,
      e.event_fingerprint as pyplow_fingerprint
    from "{events_schema}".events e
    {joins}
    {f"where {where}" if where else ""}
  ) projected
) deduplicated
where pyplow_copy = 1"""
