-- The events of this run, one row per event, each page ping tied to its page view.
-- A page ping names its page view through the web page entity; without one, it belongs to the
-- latest page view before it in the same session.
create temp table pyplow_scope as
with grouped as (
  select s.*,
    count(case when s.event_name = 'page_view' then 1 end) over (
      partition by s.domain_sessionid
      order by s.ts, case when s.event_name = 'page_view' then 0 else 1 end, s.event_id
      rows between unbounded preceding and current row
    ) as pv_group
  from ($scope_select) s
)
select grouped.*,
  coalesce(
    ctx_page_view_id,
    case when event_name = 'page_view' then event_id end,
    case when domain_sessionid is not null and pv_group > 0 then
      max(case when event_name = 'page_view' then coalesce(ctx_page_view_id, event_id) end)
        over (partition by domain_sessionid, pv_group)
    end
  ) as page_view_id
from grouped
