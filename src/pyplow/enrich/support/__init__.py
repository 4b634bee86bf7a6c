"""Helpers shared by several enrichments (JSONPath, event-field inputs, field conversions)."""
