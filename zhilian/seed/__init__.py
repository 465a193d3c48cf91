"""Demo data for Zhilian OS (`manage.py seed`): catalog, generators, writers and the runner."""
