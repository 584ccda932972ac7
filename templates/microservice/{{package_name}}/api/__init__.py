"""Version 1 of the service's JSON API, under /api/v1: one blueprint per module."""
