"""Signals of the Nachtwacht crawl (Scrapy signals are bare sentinels, connected in `from_crawler`).

documents_committed(documents: list[dict], spider)
    Sent after each index commit with every document written since the previous one (listings,
    observations, posts, pages, vendor profiles). Alerting and event detection listen here.
"""

documents_committed = object()
