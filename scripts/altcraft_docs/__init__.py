"""The Altcraft doc pages as data: `scripts/docs` (extract, check, diff, fetch)."""
