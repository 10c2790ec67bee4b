"""Downloader middlewares of the crawl project."""
