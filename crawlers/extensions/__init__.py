"""Scrapy extensions of the Nachtwacht crawl project."""
