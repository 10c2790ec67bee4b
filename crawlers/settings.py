"""Scrapy settings of the Nachtwacht crawl project: every crawl default in one place.

Site configs (`config/sites/*.yaml`) override per site through `crawlers.runner`; keys named
NACHTWACHT_* are ours. Units are in the comments.
"""

BOT_NAME = "nachtwacht"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- Network: fail closed -----------------------------------------------------------------
# "tor" (default): every request goes through a Tor SOCKS endpoint or fails.
# "direct": only when a job says so explicitly (loopback tests, clear-web sources).
NACHTWACHT_VIA = "tor"
NACHTWACHT_TOR_SOCKS: list[str] = []  # "host:port" per tor client, e.g. ["127.0.0.1:9050"]
NACHTWACHT_TOR_CONTROL: list[str] = []  # "host:port" control ports, for health and NEWNYM

# Only http(s); no ftp, no s3, no local files or data URIs from a crawl.
DOWNLOAD_HANDLERS = {
    "ftp": None,
    "s3": None,
    "file": None,
    "data": None,
}
TELNETCONSOLE_ENABLED = False  # no remote control of a crawl
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "crawlers.extensions.progress.ProgressReporter": 500,
}

# --- Politeness and limits (site configs override) -----------------------------------------
ROBOTSTXT_OBEY = False  # markets' robots.txt are not addressed to a lawful investigation
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0  # seconds
DOWNLOAD_TIMEOUT = 60  # seconds; onion round trips are slow
DOWNLOAD_MAXSIZE = 5_000_000  # bytes; larger bodies are dropped (and counted)
DOWNLOAD_WARNSIZE = 2_000_000  # bytes
DEPTH_LIMIT = 8
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2
COOKIES_ENABLED = True
# Blend in: the user agent of Tor Browser (same for every Tor Browser user).
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.5",
}

DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {}
# Evidence: every response into <data_dir>/evidence/<job_id>/*.warc.gz before anything else sees it.
DOWNLOADER_MIDDLEWARES["crawlers.middlewares.evidence.EvidenceMiddleware"] = 950
NACHTWACHT_EVIDENCE = True  # False only for throw-away test crawls: pages then carry no evidence
NACHTWACHT_EVIDENCE_WARC_SIZE = 100_000_000  # bytes of gzip per WARC file before rotating
NACHTWACHT_OPERATOR = ""  # who runs the crawl, for the custody log; default env NACHTWACHT_OPERATOR or OS user

ITEM_PIPELINES = {
    "crawlers.pipelines.ExtractPipeline": 300,
    "crawlers.pipelines.IndexPipeline": 500,
}
NACHTWACHT_COMMIT_EVERY = 200  # pages between index commits (and frontier checkpoints)
NACHTWACHT_COMMIT_SECONDS = 2.0  # seconds between commits: bounds what a killed crawl re-fetches

# --- Engine ---------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
STATS_DUMP = False
FEED_EXPORT_ENCODING = "utf-8"
