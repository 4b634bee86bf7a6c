-- derived.users: one row per domain_userid, from all its sessions in derived.sessions.
-- user_id is the latest user id the cookie was seen with (user stitching).
create temp table pyplow_users as
with sessions as (
  select s.*,
    row_number() over (partition by s.domain_userid
      order by s.start_tstamp, s.domain_sessionid) as nth,
    row_number() over (partition by s.domain_userid
      order by case when s.user_id is null then 1 else 0 end, s.end_tstamp desc,
        s.domain_sessionid desc) as nth_identified
  from $derived.sessions s
  where s.domain_userid in (select domain_userid from pyplow_users_touched)
),
totals as (
  select domain_userid,
    min(start_tstamp) as first_seen,
    max(end_tstamp) as last_seen,
    count(*) as sessions,
    sum(page_views) as page_views,
    sum(engaged_time_s) as engaged_time_s,
    sum(case when is_bounce then 1 else 0 end) as bounced_sessions
  from sessions
  group by domain_userid
)
select
  t.domain_userid,
  i.user_id,
  t.first_seen,
  t.last_seen,
  cast(t.sessions as integer) as sessions,
  cast(t.page_views as integer) as page_views,
  cast(t.engaged_time_s as integer) as engaged_time_s,
  cast(t.bounced_sessions as integer) as bounced_sessions,
  f.domain_sessionid as first_session_id,
  f.landing_page_url as first_page_url,
  f.refr_urlhost as first_refr_urlhost,
  f.refr_medium as first_refr_medium,
  f.mkt_source as first_mkt_source,
  f.mkt_medium as first_mkt_medium,
  f.mkt_campaign as first_mkt_campaign,
  f.marketing_channel as first_marketing_channel,
  f.geo_country as first_geo_country,
  f.device_category as first_device_category
from totals t
join sessions f on f.domain_userid = t.domain_userid and f.nth = 1
left join sessions i on i.domain_userid = t.domain_userid and i.nth_identified = 1
  and i.user_id is not null
