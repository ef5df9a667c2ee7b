"""Outgoing mail: templates per language, localised dates, safe headers."""
