-- derived.event_counts: events per hour loaded and event schema, for the data quality page.
select
  date_trunc('hour', load_tstamp) as load_hour,
  event_vendor,
  event_name,
  event_version,
  count(*) as events
from $events
where load_tstamp >= $since
group by 1, 2, 3, 4
