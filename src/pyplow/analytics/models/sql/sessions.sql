-- derived.sessions: one row per domain_sessionid, from all its events in the run's scope.
create temp table pyplow_sessions as
with ordered as (
  select s.*,
    row_number() over (partition by s.domain_sessionid order by s.ts, s.event_id) as nth,
    row_number() over (partition by s.domain_sessionid
      order by case when s.user_id is null then 1 else 0 end, s.ts desc, s.event_id desc)
      as nth_identified
  from pyplow_scope s
  where s.domain_sessionid is not null
),
totals as (
  select domain_sessionid,
    min(ts) as start_tstamp,
    max(ts) as end_tstamp,
    min(collector_tstamp) as first_collector_tstamp,
    max(collector_tstamp) as last_collector_tstamp,
    count(*) as events
  from ordered
  group by domain_sessionid
),
views as (
  select domain_sessionid, count(*) as page_views, sum(engaged_time_s) as engaged_time_s
  from pyplow_page_views
  where domain_sessionid is not null
  group by domain_sessionid
)
select
  t.domain_sessionid,
  f.domain_sessionidx,
  f.domain_userid,
  i.user_id,
  coalesce(i.user_id, f.domain_userid) as stitched_user_id,
  f.network_userid,
  f.app_id,
  f.platform,
  t.start_tstamp,
  t.end_tstamp,
  t.first_collector_tstamp,
  t.last_collector_tstamp,
  cast(extract(epoch from (t.end_tstamp - t.start_tstamp)) as double precision)
    as absolute_time_s,
  cast(t.events as integer) as events,
  cast(coalesce(v.page_views, 0) as integer) as page_views,
  cast(coalesce(v.engaged_time_s, 0) as integer) as engaged_time_s,
  coalesce(v.page_views, 0) = 1 and coalesce(v.engaged_time_s, 0) = 0 as is_bounce,
  landing.page_url as landing_page_url,
  landing.page_title as landing_page_title,
  landing.page_urlpath as landing_page_urlpath,
  exit_view.page_url as exit_page_url,
  exit_view.page_urlpath as exit_page_urlpath,
  landing.page_referrer,
  landing.refr_urlhost,
  landing.refr_medium,
  landing.refr_source,
  landing.refr_term,
  landing.mkt_medium,
  landing.mkt_source,
  landing.mkt_campaign,
  landing.mkt_term,
  landing.mkt_content,
  $channel as marketing_channel,
  f.geo_country,
  f.geo_region,
  f.geo_city,
  f.geo_timezone,
  f.br_lang,
  f.browser_family,
  f.os_family,
  f.device_category
from totals t
join ordered f on f.domain_sessionid = t.domain_sessionid and f.nth = 1
left join ordered i on i.domain_sessionid = t.domain_sessionid and i.nth_identified = 1
  and i.user_id is not null
left join views v on v.domain_sessionid = t.domain_sessionid
left join pyplow_page_views landing on landing.domain_sessionid = t.domain_sessionid
  and landing.page_view_in_session_index = 1
left join pyplow_page_views exit_view on exit_view.domain_sessionid = t.domain_sessionid
  and exit_view.page_view_in_session_index = v.page_views
