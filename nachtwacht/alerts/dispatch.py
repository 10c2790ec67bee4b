"""Deliver events to their channels on a background thread: retries with backoff, then a dead letter.

Detection never waits for delivery: `submit` only queues. `close(timeout)` waits for the queue to
drain; what is still queued at the deadline is dead-lettered ("not delivered before shutdown"),
so `nachtwacht alerts redeliver` can send it later. Nothing is lost silently.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nachtwacht.alerts.exceptions import DeliveryError
from nachtwacht.alerts.sinks import Sink, build_sink
from nachtwacht.alerts.store import EventStore

__all__ = ["Dispatcher", "deliver_now"]

logger = logging.getLogger(__name__)


def deliver_now(store: EventStore, sink: Sink, channel: Any, payload: dict[str, Any],
                *, sleep: Callable[[float], None] = time.sleep,
                stopping: threading.Event | None = None) -> bool:
    """Try `channel.attempts` times with doubling backoff; record attempts; dead-letter on failure."""
    event_id = int(payload.get("id") or 0)
    delay = channel.backoff
    error = ""
    for attempt in range(1, channel.attempts + 1):
        try:
            sink.send(payload)
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # a plugin sink may raise anything: never kill the thread
            error = f"{type(exc).__name__}: {exc}"
        else:
            store.record_attempt(event_id, channel.name, attempt, True)
            return True
        store.record_attempt(event_id, channel.name, attempt, False, error)
        logger.warning("alert %s to %s: attempt %d/%d failed: %s", event_id, channel.name, attempt,
                       channel.attempts, error)
        if attempt < channel.attempts:
            if stopping is not None and stopping.wait(delay):
                error = f"{error} (shutdown during retries)"
                break
            if stopping is None:
                sleep(delay)
            delay *= 2
    store.dead_letter(event_id, channel.name, attempt, error, payload)
    return False


class Dispatcher:
    """One delivery thread per engine. Thread-safe `submit`; its own SQLite connection."""

    def __init__(self, data_dir: str | Path, channels: list[Any]):
        self.data_dir = Path(data_dir)
        self.channels = {c.name: c for c in channels}
        self._queue: queue.Queue[tuple[dict[str, Any], list[str]] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._sinks: dict[str, Sink] = {}
        self.delivered = 0
        self.failed = 0

    def submit(self, payload: dict[str, Any], channel_names: list[str]) -> None:
        if not channel_names:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="nachtwacht-alerts", daemon=True)
            self._thread.start()
        self._queue.put((payload, channel_names))

    def _sink(self, name: str) -> Sink:
        if name not in self._sinks:
            self._sinks[name] = build_sink(self.channels[name], self.data_dir)
        return self._sinks[name]

    def _run(self) -> None:
        store = EventStore(self.data_dir)
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    break
                payload, names = item
                results = []
                for name in names:
                    try:
                        sink = self._sink(name)
                    except DeliveryError as exc:
                        store.dead_letter(int(payload.get("id") or 0), name, 0, str(exc), payload)
                        results.append(False)
                        continue
                    results.append(deliver_now(store, sink, self.channels[name], payload,
                                               stopping=self._stopping))
                self.delivered += sum(results)
                self.failed += len(results) - sum(results)
                state = "delivered" if all(results) else "failed" if not any(results) else "partial"
                if payload.get("id"):
                    store.set_delivery(int(payload["id"]), state)
                self._queue.task_done()
        finally:
            store.close()

    def close(self, timeout: float = 30.0) -> None:
        """Wait up to `timeout` s for queued deliveries; dead-letter what is left. Idempotent."""
        if self._thread is None:
            return
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        self._stopping.set()
        leftovers = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                leftovers.append(item)
                self._queue.task_done()
        self._queue.put(None)
        self._thread.join(timeout=max(5.0, deadline - time.monotonic()))
        self._thread = None
        if leftovers:
            store = EventStore(self.data_dir)
            try:
                for payload, names in leftovers:
                    for name in names:
                        store.dead_letter(int(payload.get("id") or 0), name, 0,
                                          "not delivered before shutdown", payload)
                    if payload.get("id"):
                        store.set_delivery(int(payload["id"]), "failed")
            finally:
                store.close()
