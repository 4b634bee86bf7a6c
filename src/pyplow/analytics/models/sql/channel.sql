case
  when $landing.page_view_id is null then 'Unassigned'
  when lower($landing.mkt_medium) in ('cpc', 'ppc', 'paidsearch', 'paid_search', 'paid-search')
    then 'Paid Search'
  when lower($landing.mkt_medium) in ('paid_social', 'paidsocial', 'paid-social', 'social_paid',
    'social-paid') then 'Paid Social'
  when lower($landing.mkt_medium) in ('display', 'cpm', 'banner', 'programmatic') then 'Display'
  when lower($landing.mkt_medium) in ('email', 'e-mail', 'newsletter')
    or $landing.refr_medium = 'email' then 'Email'
  when lower($landing.mkt_medium) in ('affiliate', 'affiliates') then 'Affiliate'
  when lower($landing.mkt_medium) in ('social', 'social-network', 'social-media', 'sm')
    or $landing.refr_medium = 'social' then 'Organic Social'
  when lower($landing.mkt_medium) = 'organic' or $landing.refr_medium = 'search'
    then 'Organic Search'
  when lower($landing.mkt_medium) = 'referral' or $landing.refr_medium = 'unknown'
    then 'Referral'
  when $landing.mkt_medium is null and $landing.mkt_source is null
    and $landing.mkt_campaign is null
    and ($landing.refr_medium is null or $landing.refr_medium = 'internal') then 'Direct'
  else 'Other'
end
