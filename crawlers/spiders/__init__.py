"""Spiders of the Nachtwacht Scrapy project."""
