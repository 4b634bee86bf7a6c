"""One module per enrichment, named after Snowplow's; see ``pyplow.enrich.registry``."""
