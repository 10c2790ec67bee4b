"""The extraction worker pool of a crawl process: pages go to worker processes in small batches.

One pool per worker count is shared by every crawler of the process (`acquire_pool`/`release_pool`
count its users). Workers are spawned (no forked reactor or sockets), warmed before the first page,
and exit on their own when the crawl process dies (a SIGKILLed crawl leaves no orphan holding its
pipes). `extract_workers` reads the `NACHTWACHT_EXTRACT_WORKERS` setting.

A task may ask for the page's links too (`LinkSpec`): the worker then runs the spider's own
`extract_links` on a response of the same class, URL, body and encoding as the crawled one (same
text, same parse, so the same list), and the crawl process does not parse the page at all.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["Batcher", "LinkSpec", "Task", "acquire_pool", "extract_page", "extract_workers", "load_models",
           "release_pool"]

#: (response class name, encoding) of a crawled page whose links the worker should extract
LinkSpec = tuple[str, str]
#: (body, url, site, selectors, links wanted or None)
Task = tuple[bytes, str, str, dict[str, str] | None, LinkSpec | None]
#: (extraction ok, the extraction or the traceback, the links or None if not asked or they failed)
Result = tuple[bool, Any, list[str] | None]


def extract_page(body: bytes, url: str, site: str, selectors: dict[str, str] | None) -> Any:
    """Extraction of one page; module level so that worker processes can run it."""
    from extractors import extract_html

    return extract_html(body, url=url, site=site, source=url, selectors=selectors)


def page_links(body: bytes, url: str, spec: LinkSpec) -> list[str] | None:
    """The spider's `extract_links` of a page rebuilt from its class, URL, body and encoding.

    None when that fails (the spider then extracts them itself, and reports the failure as usual).
    """
    from scrapy import http

    from crawlers.spiders.links import extract_links

    class_name, encoding = spec
    try:
        response_class = getattr(http, class_name)
        return extract_links(response_class(url, body=body, encoding=encoding))
    except Exception:
        return None


def extract_batch(tasks: list[Task]) -> list[Result]:
    """Extraction of several pages in a worker: (ok, extraction or traceback, links) per page."""
    import traceback

    results: list[Result] = []
    for body, url, site, selectors, links_of in tasks:
        links = page_links(body, url, links_of) if links_of is not None else None
        try:
            results.append((True, extract_page(body, url, site, selectors), links))
        except Exception:
            results.append((False, traceback.format_exc(), links))
    return results


class Batcher:
    """Pages offered in one turn of the event loop go to a worker as one task (at most `max_batch`).

    Each `ProcessPoolExecutor.submit` wakes the executor's threads, and the crawl thread waits for
    the GIL they take (~1 ms a page measured on 2 busy cores); a batch pays it once.
    """

    def __init__(self, pool: ProcessPoolExecutor, max_batch: int = 8):
        self.pool = pool
        self.max_batch = max_batch
        self._pending: list[tuple[Any, asyncio.Future[Result]]] = []

    def submit(self, task: Task) -> asyncio.Future[Result]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._pending.append((task, future))
        if len(self._pending) >= self.max_batch:
            self._flush(loop)
        elif len(self._pending) == 1:
            loop.call_soon(self._flush, loop)
        return future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            done = self.pool.submit(extract_batch, [task for task, _ in batch])
        except Exception as exc:  # the pool is broken or shut down
            self._deliver(batch, exc)
            return
        done.add_done_callback(lambda f: loop.call_soon_threadsafe(self._deliver, batch, f))

    @staticmethod
    def _deliver(batch: list[tuple[Any, asyncio.Future[Result]]], done: Any) -> None:
        try:
            results = done.result() if not isinstance(done, Exception) else None
        except Exception as exc:  # a worker died: every page of the batch failed
            done = exc
            results = None
        if results is None:
            results = [(False, f"extraction worker failed: {done!r}", None)] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def load_models() -> None:
    """Load the language pipelines and models once, before the first page waits for them."""
    from extractors import warm_up

    warm_up()


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    """Exit this worker when the crawl process that started it is gone (killed: no shutdown came).

    An orphaned worker would wait on its task queue for ever (it holds both ends of the pipe) and
    keep the crawl's stdout/stderr open.
    """
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)


def _start_worker() -> None:
    """Initializer of an extraction worker: the parent watchdog, then the warm-up (models, links)."""
    import threading

    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    load_models()
    # Scrapy's response classes and the link extractor take ~0.35 s to import: lazily, the crawl's
    # first page (the only one its frontier holds) would wait for them before any link is found.
    page_links(b"<html><a href='/'>warm</a></html>", "http://localhost/", ("HtmlResponse", "utf-8"))


def _ready() -> bool:
    """A no-op run in each worker at open: returns once its initializer (the warm-up) is done."""
    return True


def extract_workers(value: Any, cores: int | None = None) -> int:
    """Worker processes for `NACHTWACHT_EXTRACT_WORKERS`: a count, or "auto" (1 on >= 2 cores, else 0).

    "auto" keeps one core for the crawl process (fetching, evidence, frontier, index) and gives
    extraction the other; more workers than cores - 1 only compete with the crawl process.
    """
    if str(value).strip().lower() == "auto":
        cores = (os.cpu_count() or 1) if cores is None else cores
        return 1 if cores >= 2 else 0
    try:
        workers = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"NACHTWACHT_EXTRACT_WORKERS must be a count or 'auto', got {value!r}") from None
    if workers < 0:
        raise ValueError(f"NACHTWACHT_EXTRACT_WORKERS must be >= 0, got {workers}")
    return workers


# worker count -> (batcher of the pool, users): the crawlers of one process share one pool (not one each)
_pools: dict[int, tuple[Batcher, int]] = {}


def acquire_pool(workers: int) -> Batcher:
    batcher, users = _pools.get(workers, (None, 0))
    if batcher is None:
        context = multiprocessing.get_context("spawn")  # no forked reactor or sockets
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker)
        # Start and warm every worker now: lazily, the first pages would wait seconds for spaCy.
        for future in [pool.submit(_ready) for _ in range(workers)]:
            future.result()
        batcher = Batcher(pool)
    _pools[workers] = (batcher, users + 1)
    return batcher


def release_pool(workers: int) -> None:
    batcher, users = _pools.get(workers, (None, 0))
    if batcher is None:
        return
    if users <= 1:
        del _pools[workers]
        batcher.pool.shutdown(wait=True, cancel_futures=True)
    else:
        _pools[workers] = (batcher, users - 1)
