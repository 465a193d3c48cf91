"""Demo data for Zhilian OS (`manage.py seed`): catalog, per-concern builders, writers and the runner."""
