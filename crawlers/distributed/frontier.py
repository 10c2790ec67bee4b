"""A crawl frontier shared by several workers in Redis: queue, duplicate filter, states, leases.

The same contract as `crawlers.frontier.Frontier` (what `MarketSpider` and `IndexPipeline` call:
`add`, `shape_count`, `get`, `mark`, `count`, `counts`, `checkpoint`, `begin_run`, `end_run`),
plus `claim`, `release`, `heartbeat` and `status` for workers.

Design (after scrapy-redis, whose destructive pops lose a killed worker's requests and whose
queues hold pickles): a URL is claimed with a lease (sorted set `leases`, score = expiry in
Redis's own clock) and stays leased until the page extracted from it is committed to the index
(`mark(..., "done")`); the owner renews its leases while it lives; any worker's next `claim`
requeues the expired leases of a dead one. Every step is one Lua script: atomic, one round trip.
Keys live under ``nw:job:<job>:``; values are JSON, never pickles. One Redis (not a cluster).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crawlers.distributed.exceptions import DistributedError
from crawlers.frontier import FrontierEntry, url_shape

__all__ = ["JobStatus", "RedisFrontier"]

logger = logging.getLogger(__name__)

_KEYS = ("queue", "urls", "state", "leases", "owner", "attempts", "shapes", "counts", "seq", "workers")

_COMMON = """
local prefix = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function setstate(url, new)
  local old = redis.call('HGET', KEYS[3], url)
  if old == new then return end
  if old then redis.call('HINCRBY', KEYS[8], old, -1) end
  redis.call('HSET', KEYS[3], url, new)
  redis.call('HINCRBY', KEYS[8], new, 1)
end
local function enqueue(url)
  local entry = redis.call('HGET', KEYS[2], url)
  local depth = 0
  if entry then depth = tonumber(cjson.decode(entry)['depth']) or 0 end
  local seq = redis.call('INCR', KEYS[9])
  redis.call('ZADD', KEYS[1], depth * 1000000000 + seq, url)
  setstate(url, 'pending')
end
local function unlease(url)
  redis.call('ZREM', KEYS[4], url)
  local owner = redis.call('HGET', KEYS[5], url)
  if owner then
    redis.call('SREM', prefix .. 'held:' .. owner, url)
    redis.call('HDEL', KEYS[5], url)
  end
end
"""

# ARGV: prefix, url, entry json, state, depth, shape -> 1 when new
_ADD = _COMMON + """
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[7], ARGV[6], 1)
if ARGV[4] == 'pending' then enqueue(ARGV[2]) else setstate(ARGV[2], ARGV[4]) end
return 1
"""

# ARGV: prefix, worker, n, lease ms, max attempts -> {url, entry, url, entry, ...}
_CLAIM = _COMMON + """
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
for _, url in ipairs(expired) do
  unlease(url)
  local attempts = redis.call('HINCRBY', KEYS[6], url, 1)
  if attempts >= tonumber(ARGV[5]) then setstate(url, 'failed') else enqueue(url) end
end
local out = {}
local popped = redis.call('ZPOPMIN', KEYS[1], tonumber(ARGV[3]))
local held = prefix .. 'held:' .. ARGV[2]
for i = 1, #popped, 2 do
  local url = popped[i]
  redis.call('ZADD', KEYS[4], now + tonumber(ARGV[4]), url)
  redis.call('HSET', KEYS[5], url, ARGV[2])
  redis.call('SADD', held, url)
  setstate(url, 'leased')
  table.insert(out, url)
  table.insert(out, redis.call('HGET', KEYS[2], url))
end
if #expired > 0 then table.insert(out, '#requeued') table.insert(out, tostring(#expired)) end
return out
"""

# ARGV: prefix, state, url... -> how many were marked
_MARK = _COMMON + """
local n = 0
for i = 3, #ARGV do
  local url = ARGV[i]
  if redis.call('HEXISTS', KEYS[2], url) == 1 then
    unlease(url)
    redis.call('ZREM', KEYS[1], url)
    setstate(url, ARGV[2])
    n = n + 1
  end
end
return n
"""

# ARGV: prefix, worker, max attempts, url... -> how many went back to the queue
_RELEASE = _COMMON + """
local n = 0
for i = 4, #ARGV do
  local url = ARGV[i]
  if redis.call('HGET', KEYS[5], url) == ARGV[2] then
    unlease(url)
    local attempts = redis.call('HINCRBY', KEYS[6], url, 1)
    if attempts >= tonumber(ARGV[3]) then setstate(url, 'failed') else enqueue(url) n = n + 1 end
  end
end
return n
"""

# ARGV: prefix, worker, lease ms -> leases renewed
_HEARTBEAT = _COMMON + """
local now = now_ms()
redis.call('ZADD', KEYS[10], now, ARGV[2])
local held = prefix .. 'held:' .. ARGV[2]
local n = 0
for _, url in ipairs(redis.call('SMEMBERS', held)) do
  if redis.call('HGET', KEYS[5], url) == ARGV[2] then
    redis.call('ZADD', KEYS[4], 'XX', now + tonumber(ARGV[3]), url)
    n = n + 1
  else
    redis.call('SREM', held, url)
  end
end
return n
"""

# ARGV: prefix -> {queued, leased, now ms, workers (flat name, last heartbeat)...}
_STATUS = _COMMON + """
local out = {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[4]), now_ms()}
for _, v in ipairs(redis.call('ZRANGE', KEYS[10], 0, -1, 'WITHSCORES')) do table.insert(out, v) end
return out
"""


@dataclass(frozen=True)
class JobStatus:
    """A snapshot of a job: URLs queued and leased, live workers (heartbeat within a lease)."""

    queued: int
    leased: int
    workers: dict[str, float]  # worker -> seconds since its last heartbeat
    live: tuple[str, ...]

    @property
    def finished(self) -> bool:
        """No URL waits or is being worked on; a dead worker's leases count until they expire."""
        return self.queued == 0 and self.leased == 0


class RedisFrontier:
    """The shared frontier of job `job` for worker `worker`.

    `lease` (seconds) bounds how long a dead worker's URLs stay blocked; a live worker renews its
    leases with `heartbeat` (call it every lease/3 or more often). A URL is re-fetched at most
    `max_attempts` times after lost leases or transient errors, then marked `failed`.
    """

    def __init__(self, redis_url: str, job: str, worker: str, *, lease: float = 60.0,
                 max_attempts: int = 5, client: Any = None):
        import redis

        self.redis_url = redis_url
        self.job = job
        self.worker = worker
        self.lease_ms = int(lease * 1000)
        self.max_attempts = max_attempts
        self.prefix = f"nw:job:{job}:"
        self.keys = [self.prefix + name for name in _KEYS]
        self.held: set[str] = set()
        self.requeued = 0
        self._redis = client or redis.Redis.from_url(redis_url, socket_timeout=30,
                                                     health_check_interval=30)
        self._scripts = {name: self._redis.register_script(src) for name, src in
                         (("add", _ADD), ("claim", _CLAIM), ("mark", _MARK), ("release", _RELEASE),
                          ("heartbeat", _HEARTBEAT), ("status", _STATUS))}

    def _call(self, name: str, *args: Any) -> Any:
        import redis

        try:
            return self._scripts[name](keys=self.keys, args=[self.prefix, *args])
        except redis.RedisError as exc:
            raise DistributedError(f"frontier {name} failed: {exc}", redis_url=_safe(self.redis_url)) from exc

    # --- the Frontier contract ---------------------------------------------------------------------
    def begin_run(self, *, fresh: bool = False) -> bool:
        """Join the job (creating it if new). Returns True when the job already had URLs.

        `fresh` deletes the job's shared state first: only for the first worker of a new run.
        """
        if fresh:
            self.reset()
        self.heartbeat()
        return bool(self._redis.hlen(self.keys[1]))

    def end_run(self, reason: str) -> None:
        """Leave the job: URLs still leased (not committed) go back to the queue at once."""
        if self.held:
            self.release(list(self.held), count_attempt=False)
        self._redis.zrem(self.keys[9], self.worker)
        logger.info("worker %s left job %s (%s)", self.worker, self.job, reason)

    def add(self, url: str, *, depth: int, page_type: str | None = None, parent: str | None = None,
            chain: int = 0, state: str = "pending") -> bool:
        """Record a discovered URL (queued when `pending`). False when any worker knew it already."""
        entry = json.dumps({"depth": depth, "page_type": page_type, "parent": parent, "chain": chain})
        return bool(self._call("add", url, entry, state, depth, url_shape(url)))

    def shape_count(self, url: str) -> int:
        return int(self._redis.hget(self.keys[6], url_shape(url)) or 0)

    def get(self, url: str) -> FrontierEntry | None:
        raw = self._redis.hget(self.keys[1], url)
        return _entry(url, raw) if raw else None

    def mark(self, urls: Iterable[str], state: str, error: str | None = None) -> None:
        """Final state of URLs (done, skipped, trap, failed): out of the queue and the leases."""
        urls = list(urls)
        if not urls:
            return
        self._call("mark", state, *urls)
        self.held.difference_update(urls)
        if error:
            logger.debug("%d URLs marked %s: %s", len(urls), state, error)

    def count(self, state: str | None = None) -> int:
        counts = self.counts()
        return sum(counts.values()) if state is None else counts.get(state, 0)

    def counts(self) -> dict[str, int]:
        raw = self._redis.hgetall(self.keys[7])
        return {k.decode(): int(v) for k, v in raw.items() if int(v)}

    def checkpoint(self) -> None:
        """Nothing to do: every change is applied atomically in Redis (its AOF makes it durable)."""

    def close(self) -> None:
        self._redis.close()

    # --- workers ----------------------------------------------------------------------------------
    def claim(self, n: int) -> list[FrontierEntry]:
        """Lease up to `n` queued URLs (lowest depth first); requeues expired leases first."""
        flat = self._call("claim", self.worker, n, self.lease_ms, self.max_attempts)
        entries = []
        for i in range(0, len(flat), 2):
            url = flat[i].decode()
            if url == "#requeued":
                count = int(flat[i + 1])
                self.requeued += count
                logger.info("job %s: %d expired leases requeued", self.job, count)
                continue
            entries.append(_entry(url, flat[i + 1]))
            self.held.add(url)
        return entries

    def release(self, urls: list[str], *, count_attempt: bool = True) -> int:
        """Give leased URLs back to the queue (a transient failure, or leaving the job)."""
        if not urls:
            return 0
        max_attempts = self.max_attempts if count_attempt else 1 << 30
        released = self._call("release", self.worker, max_attempts, *urls)
        self.held.difference_update(urls)
        return int(released)

    def heartbeat(self) -> int:
        """Say this worker lives and renew its leases. Returns how many leases it holds."""
        return int(self._call("heartbeat", self.worker, self.lease_ms))

    def status(self) -> JobStatus:
        flat = self._call("status")
        queued, leased, now = int(flat[0]), int(flat[1]), int(flat[2])
        workers = {flat[i].decode(): (now - float(flat[i + 1])) / 1000 for i in range(3, len(flat), 2)}
        live = tuple(w for w, age in workers.items() if age * 1000 < self.lease_ms)
        return JobStatus(queued, leased, workers, live)

    def reset(self) -> None:
        """Delete the job's shared state (queue, URLs, leases, workers, document stream)."""
        keys = list(self._redis.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            self._redis.delete(*keys)
        self.held.clear()

    def urls(self, state: str | None = None) -> dict[str, str]:
        """Every known URL and its state (for tests and `status`; O(job size))."""
        raw = self._redis.hgetall(self.keys[2])
        states = {k.decode(): v.decode() for k, v in raw.items()}
        return states if state is None else {u: s for u, s in states.items() if s == state}


def _entry(url: str, raw: bytes | str) -> FrontierEntry:
    data = json.loads(raw)
    return FrontierEntry(url=url, depth=int(data["depth"]), page_type=data.get("page_type"),
                         chain=int(data.get("chain", 0)))


def _safe(url: str) -> str:
    """A Redis URL without its password, for messages."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
