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
NACHTWACHT_TOR_ROTATE_AFTER = 3  # consecutive onion failures of a site before a new isolation token
NACHTWACHT_TOR_OUTAGE_TIMEOUT = 600.0  # seconds paused waiting for Tor before closing the crawl
NACHTWACHT_TOR_PROBE_INTERVAL = 1.0  # seconds between Tor health probes while paused

# Only http(s); no ftp, no s3, no local files or data URIs from a crawl.
DOWNLOAD_HANDLERS = {
    "http": "crawlers.handlers.TorOnlyDownloadHandler",  # fail closed: Tor SOCKS or refused
    "https": "crawlers.handlers.TorOnlyDownloadHandler",
    "ftp": None,
    "s3": None,
    "file": None,
    "data": None,
}
TELNETCONSOLE_ENABLED = False  # no remote control of a crawl
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "crawlers.extensions.tor_health.TorHealth": 450,  # Tor bootstrap/circuits into the stats
    "crawlers.extensions.progress.ProgressReporter": 500,
    "crawlers.extensions.gc_policy.GcPolicy": 900,  # startup objects out of the collector's walks
    "crawlers.extensions.stop_during_open.StopDuringOpen": 100,  # a stop while the spider opens counts
}
NACHTWACHT_GC_FREEZE = True  # False: Python's collector untouched (crawlers/gcpolicy.py says why)
NACHTWACHT_GC_THRESHOLD0 = 20_000  # young-generation threshold during a crawl (Python: 700); 0 = keep Python's

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

NACHTWACHT_NETWORK_BACKEND = "asyncio"  # sockets of the download handler: asyncio (crawlers.netbackend) | anyio
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {}
# Cookies: the stock middleware fetches the public suffix list over the clear web; ours never does.
DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.cookies.CookiesMiddleware"] = None
DOWNLOADER_MIDDLEWARES["crawlers.middlewares.cookies.OfflineCookiesMiddleware"] = 700
# Operator-imported session of the crawled site (`nachtwacht sessions import`), seeded into the jar.
DOWNLOADER_MIDDLEWARES["crawlers.render.session_middleware.SessionMiddleware"] = 690
NACHTWACHT_SESSIONS = True  # False: ignore imported sessions in this crawl
# Tor: proxy + isolation token per site, outage pause/resume; before HttpProxyMiddleware (750).
DOWNLOADER_MIDDLEWARES["crawlers.middlewares.tor.TorProxyMiddleware"] = 740
# Evidence: every response into <data_dir>/evidence/<job_id>/*.warc.gz before anything else sees it.
DOWNLOADER_MIDDLEWARES["crawlers.middlewares.evidence.EvidenceMiddleware"] = 950
# Resume after a crash: pending pages already captured in the interrupted pass come from the WARC.
DOWNLOADER_MIDDLEWARES["crawlers.middlewares.replay.ReplayMiddleware"] = 730  # before Tor (740)
NACHTWACHT_REPLAY = True  # False: a resumed run fetches every pending page again
NACHTWACHT_EVIDENCE = True  # False only for throw-away test crawls: pages then carry no evidence
NACHTWACHT_EVIDENCE_WARC_SIZE = 100_000_000  # bytes of gzip per WARC file before rotating
NACHTWACHT_OPERATOR = ""  # who runs the crawl, for the custody log; default env NACHTWACHT_OPERATOR or OS user
# JS pages (`render: js` sites; the runner sets NACHTWACHT_RENDER and the shared browser handler).
DOWNLOADER_MIDDLEWARES["crawlers.render.middleware.BrowserRouteMiddleware"] = 745  # after Tor (740)
# Queue/challenge pages are retried, then dropped; login walls dropped: never indexed.
DOWNLOADER_MIDDLEWARES["crawlers.render.interstitial.InterstitialMiddleware"] = 560  # decoded bodies
NACHTWACHT_RENDER = "http"  # "js" for a render: js site (set per crawl by crawlers.runner)
NACHTWACHT_RENDER_TIMEOUT = 60.0  # seconds per browser page: navigation, waits, screenshot together
NACHTWACHT_BROWSER_SOCKS: list[str] = []  # Tor SocksPorts for browser contexts (one context each); default NACHTWACHT_TOR_SOCKS
NACHTWACHT_BROWSER_MAX_CONTEXTS = 4  # browser contexts alive at once (memory bound)
NACHTWACHT_BROWSER_PAGES_PER_CONTEXT = 2  # open tabs per context (memory bound)
NACHTWACHT_BROWSER_EXECUTABLE = "/usr/bin/chromium"  # Debian's Chromium; browsers are never downloaded
NACHTWACHT_INTERSTITIAL_RETRIES = 3  # retries of a queue/"please wait" page before giving up on it
NACHTWACHT_INTERSTITIAL_WAIT = 5.0  # seconds before a retry when the page does not say
NACHTWACHT_INTERSTITIAL_MAX_WAIT = 60.0  # seconds: cap on Retry-After / meta refresh waits

ITEM_PIPELINES = {
    "crawlers.pipelines.ExtractPipeline": 300,
    "crawlers.discovery.DiscoveryPipeline": 400,
    "crawlers.pipelines.IndexPipeline": 500,
}
NACHTWACHT_DISCOVERY = "review"  # onions seen in pages: review (queue) | follow (within scope) | off
NACHTWACHT_DISCOVERY_SCOPE: list[str] = []  # host patterns (fnmatch) a `follow` job may crawl into
# Items/requests of one response processed at once. Scrapy starts this many asyncio tasks per
# response (its 100: ~9% of the crawl process's time, 16 still ~5%). A page yields its item first,
# then its new links: with 2, one task waits for the item's extraction while the other queues the links.
CONCURRENT_ITEMS = 2
# "auto" = 1 worker on >= 2 cores, the fastest measured on 2 cores (benchmarks/bench_crawl.py); the
# default stays 0 until the jobs kill test no longer relies on a crawl slow enough to be killed midway.
NACHTWACHT_EXTRACT_WORKERS: int | str = "auto"  # extraction processes; auto = 1 on >= 2 cores; 0 = inline
# Embedded index writer: "inline" (the crawl process), "process" (a child process: mapping and
# tantivy off the crawl's core) or "auto" (process on >= 2 cores). See indexer/_writer.py.
NACHTWACHT_INDEX_WRITER = "auto"
NACHTWACHT_COMMIT_EVERY = 200  # pages between index commits (and frontier checkpoints)
NACHTWACHT_COMMIT_SECONDS = 2.0  # seconds between commits: bounds what a killed crawl re-fetches

# --- Distributed crawling (crawlers.distributed: workers of one job share a Redis) ------------
NACHTWACHT_REDIS_URL = ""  # redis://host:port/db of the job's shared frontier; "" = not distributed
NACHTWACHT_WORKER_ID = ""  # this worker's name in the job; default <hostname>-<pid>
NACHTWACHT_LEASE_SECONDS = 60.0  # seconds a claimed URL stays leased without a heartbeat (dead worker)
NACHTWACHT_MAX_ATTEMPTS = 5  # fetches of a URL (lost leases, transient errors) before it is `failed`
NACHTWACHT_CLAIM_POLL = 0.2  # seconds between polls of an empty shared queue

# --- Engine ---------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.logformatter.CrawlLogFormatter"  # no per-page DEBUG records above DEBUG
STATS_DUMP = False
FEED_EXPORT_ENCODING = "utf-8"
