"""Nachtwacht: the application face (CLI, API, jobs, alerts) over crawlers, extractors and indexer."""
