"""The Scrapy project: spiders, middlewares, pipelines and Tor control."""
