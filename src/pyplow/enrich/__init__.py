"""Enrich: raw collector payloads → validated, enriched events and bad rows."""
