-- derived.page_views: one row per page view id.
-- Engaged time counts the heartbeat windows holding at least one page ping: none gives 0,
-- n give min_visit_length + heartbeat * (n - 1) seconds. Scroll depth is the furthest offset
-- any ping reported plus the viewport, over the largest document size seen, capped at 100%
-- (NULL when the tracker sent no document or viewport size).
create temp table pyplow_page_views as
with views as (
  select s.*,
    row_number() over (partition by s.page_view_id order by s.ts, s.event_id) as copy
  from pyplow_scope s
  where s.event_name = 'page_view'
),
activity as (
  select page_view_id,
    count(distinct case when event_name = 'page_ping'
      then floor(extract(epoch from ts) / $heartbeat) end) as ping_windows,
    max(ts) as last_ts,
    max(pp_xoffset_max) as max_x,
    max(pp_yoffset_max) as max_y,
    max(doc_width) as doc_width,
    max(doc_height) as doc_height,
    max(br_viewwidth) as br_viewwidth,
    max(br_viewheight) as br_viewheight
  from pyplow_scope
  where page_view_id is not null and event_name in ('page_view', 'page_ping')
  group by page_view_id
)
select
  v.page_view_id,
  v.event_id,
  v.app_id,
  v.platform,
  v.domain_userid,
  v.user_id,
  v.network_userid,
  v.domain_sessionid,
  v.domain_sessionidx,
  cast(case when v.domain_sessionid is not null then row_number() over (
    partition by v.domain_sessionid order by v.ts, v.page_view_id) end as integer)
    as page_view_in_session_index,
  v.domain_sessionid is null or row_number() over (
    partition by v.domain_sessionid, v.page_urlhost, v.page_urlpath
    order by v.ts, v.page_view_id) = 1 as first_view_in_session,
  v.ts as start_tstamp,
  case when a.last_ts > v.ts then a.last_ts else v.ts end as end_tstamp,
  v.collector_tstamp,
  v.page_url,
  v.page_urlhost,
  v.page_urlpath,
  v.page_title,
  v.page_referrer,
  v.refr_urlhost,
  v.refr_medium,
  v.refr_source,
  v.refr_term,
  v.mkt_medium,
  v.mkt_source,
  v.mkt_campaign,
  v.mkt_term,
  v.mkt_content,
  v.geo_country,
  v.geo_region,
  v.geo_city,
  v.geo_timezone,
  v.br_lang,
  v.browser_family,
  v.os_family,
  v.device_category,
  cast(case when a.ping_windows > 0
    then $min_visit_length + $heartbeat * (a.ping_windows - 1) else 0 end as integer)
    as engaged_time_s,
  cast(case when a.last_ts > v.ts then extract(epoch from (a.last_ts - v.ts)) else 0 end
    as double precision) as absolute_time_s,
  cast(case when a.doc_width > 0 and a.br_viewwidth is not null then
    least(100, greatest(0, floor(100.0
      * (greatest(coalesce(a.max_x, 0), 0) + a.br_viewwidth) / a.doc_width))) end
    as integer) as horizontal_pct_scrolled,
  cast(case when a.doc_height > 0 and a.br_viewheight is not null then
    least(100, greatest(0, floor(100.0
      * (greatest(coalesce(a.max_y, 0), 0) + a.br_viewheight) / a.doc_height))) end
    as integer) as vertical_pct_scrolled
from views v
left join activity a on a.page_view_id = v.page_view_id
where v.copy = 1
