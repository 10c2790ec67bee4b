"""Embedded backend: one tantivy index under ``<data_dir>/index/``, one writer process at a time.

A writable backend takes tantivy's writer lock when it opens (``IndexLockedError`` if another
process or object holds it); read-only backends open the same directory and see each commit.
The whole document is stored as JSON bytes; searchable fields come from ``_mapping.prepare``.
A change of ``MAPPING_VERSION`` rebuilds the index from the stored documents on open.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import tantivy

from . import _aggs
from ._analysis import analyzers
from ._base import SearchResult
from ._mapping import MAPPING_VERSION, prepare, resolve_field
from ._plan import compile_query
from ._tantivy_render import SOURCE_FIELD, Renderer, build_schema
from .exceptions import IndexerError, IndexLockedError, QueryError, SchemaError

__all__ = ["TantivyBackend", "parse_sort"]

log = logging.getLogger(__name__)

META_FILE = "nachtwacht.json"
DEFAULT_HEAP = 64_000_000
SCAN_PAGE = 1_000


def parse_sort(sort: str | None) -> tuple[str, bool] | None:
    """``price_eur`` / ``-price_eur`` / ``price_eur:desc`` -> (index field, descending)."""
    if not sort:
        return None
    text = sort.strip()
    desc = text.startswith("-")
    text = text.lstrip("-+")
    if ":" in text:
        text, _, order = text.partition(":")
        if order.lower() not in ("asc", "desc"):
            raise QueryError(f"sort order must be asc or desc, got {order!r}")
        desc = order.lower() == "desc"
    specs = [s for s in resolve_field(text) if s.kind in ("number", "date")]
    if not specs:
        raise QueryError(f"cannot sort on {text!r}: sort needs a number or date field")
    return specs[0].name, desc


#: orjson renders natively only what `json.dumps` renders the same way (after `json.loads`);
#: datetimes go through `_default` (str, as before); anything else raises and takes `json.dumps`.
_ORJSON_OPTS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
_STR_TYPES = (datetime, date, time)


def _default(obj: Any) -> str:
    if type(obj) in _STR_TYPES:
        return str(obj)
    raise TypeError  # not rendered by orjson: the caller falls back to json.dumps


def _non_finite(obj: Any) -> bool:
    """Whether a NaN or infinity is in ``obj`` (orjson writes null where json writes NaN)."""
    t = type(obj)
    if t is float:
        return obj - obj != 0.0
    if t is dict:
        return any(_non_finite(v) for v in obj.values())
    if t is list or t is tuple:
        return any(_non_finite(v) for v in obj)
    return False


def source_bytes(source: dict[str, Any]) -> bytes:
    """The stored JSON of a document: ``json.loads`` of it equals ``json.loads`` of
    ``json.dumps(source, ensure_ascii=False, default=str)`` (what it was before orjson)."""
    try:
        blob = orjson.dumps(source, default=_default, option=_ORJSON_OPTS)
    except orjson.JSONEncodeError:  # non-str keys, subclasses, big ints, other types: json's way
        blob = None
    if blob is None or (b"null" in blob and _non_finite(source)):
        blob = json.dumps(source, ensure_ascii=False, default=str).encode()
    return blob


@cache
def _schema() -> tantivy.Schema:
    return build_schema()


def _to_document(doc: dict[str, Any]) -> tuple[str, tantivy.Document]:
    try:
        prep = prepare(doc)
    except ValueError as exc:
        raise IndexerError(f"embedded: rejected document: {exc}") from None
    # prepare's values are typed per field kind (str, float, aware datetime): the schema converts
    out = tantivy.Document.from_dict(prep.fields, _schema())
    out.add_bytes(SOURCE_FIELD, source_bytes(prep.source))
    return prep.id, out


class TantivyBackend:
    """SearchBackend on a local tantivy index (see module docstring for the locking rules)."""

    name = "embedded"

    def __init__(self, data_dir: str | Path, *, readonly: bool = False, heap_size: int = DEFAULT_HEAP,
                 reload_on_read: bool = True) -> None:
        """`reload_on_read=False` (read-only): reads see the commits up to the last `reload()`, for an
        owner that knows when the index changed (~60 µs a read saved)."""
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / "index"
        self.readonly = readonly
        self._reload_on_read = reload_on_read
        self._heap = heap_size
        self._writer: tantivy.IndexWriter | None = None
        self._pending = 0
        self.schema = build_schema()
        self._index = self._open()
        self._render = Renderer(self._index.schema)

    # -- opening ---------------------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.path / META_FILE).read_text()))
        except (OSError, ValueError):
            return {}

    def _register(self, index: tantivy.Index) -> tantivy.Index:
        for name, analyzer in analyzers().items():
            index.register_tokenizer(name, analyzer)
        return index

    def _open(self) -> tantivy.Index:
        exists = self.path.is_dir() and tantivy.Index.exists(str(self.path))
        if self.readonly:
            if not exists:
                raise IndexerError(f"embedded: no index at {self.path} (crawl or import something first)")
            if self._meta().get("mapping_version") != MAPPING_VERSION:
                raise SchemaError(
                    f"embedded: index at {self.path} has mapping version "
                    f"{self._meta().get('mapping_version')}, this code needs {MAPPING_VERSION}: "
                    "open it once for writing to upgrade"
                )
            index = self._register(tantivy.Index.open(str(self.path)))
            return index
        self.path.mkdir(parents=True, exist_ok=True)
        meta = self._meta()
        if exists and meta.get("mapping_version") != MAPPING_VERSION:
            # Open with the schema on disk: reuse=True with a changed schema is refused by tantivy.
            index = self._register(tantivy.Index.open(str(self.path)))
            self._writer = self._take_writer(index)
            index = self._upgrade(index, meta.get("mapping_version"))
        else:
            index = self._register(tantivy.Index(self.schema, path=str(self.path), reuse=True))
            self._writer = self._take_writer(index)
        (self.path / META_FILE).write_text(json.dumps({"mapping_version": MAPPING_VERSION}))
        return index

    def _take_writer(self, index: tantivy.Index) -> tantivy.IndexWriter:
        try:
            return index.writer(heap_size=self._heap, num_threads=1)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise IndexLockedError(
                    f"embedded: index {self.path} is locked by another writer "
                    "(a crawl or import is running); open it read-only or stop that process"
                ) from None
            raise IndexerError(f"embedded: cannot open a writer on {self.path}: {exc}") from None

    def _upgrade(self, old: tantivy.Index, version: Any) -> tantivy.Index:
        """Rebuild from stored documents into a fresh directory, then swap it in."""
        log.warning("embedded: upgrading %s from mapping %s to %s", self.path, version, MAPPING_VERSION)
        docs = list(self._all_sources(old))
        assert self._writer is not None
        self._writer = None
        del old
        staging = self.data_dir / "index.upgrade"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        new = self._register(tantivy.Index(self.schema, path=str(staging), reuse=False))
        writer = new.writer(heap_size=self._heap, num_threads=1)
        for doc in docs:
            writer.add_document(_to_document(doc)[1])
        writer.commit()
        writer.wait_merging_threads()
        del writer, new
        retired = self.data_dir / "index.retired"
        shutil.rmtree(retired, ignore_errors=True)
        self.path.rename(retired)
        staging.rename(self.path)
        shutil.rmtree(retired, ignore_errors=True)
        index = self._register(tantivy.Index(self.schema, path=str(self.path), reuse=True))
        self._writer = self._take_writer(index)
        log.info("embedded: upgrade done, %d documents reindexed", len(docs))
        return index

    @staticmethod
    def _all_sources(index: tantivy.Index) -> Iterator[dict[str, Any]]:
        searcher = index.searcher()
        total = searcher.num_docs
        for offset in range(0, total, SCAN_PAGE):
            res = searcher.search(tantivy.Query.all_query(), SCAN_PAGE, count=False, offset=offset)
            for _score, addr in res.hits:
                yield json.loads(bytes(searcher.doc(addr)[SOURCE_FIELD][0]))

    # -- writing ---------------------------------------------------------------------------
    def _need_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise IndexerError(f"embedded: {self.path} was opened read-only (or is closed)")
        return self._writer

    def upsert(self, docs: Iterable[dict[str, Any]]) -> int:
        writer = self._need_writer()
        n = 0
        for doc in docs:
            doc_id, tdoc = _to_document(doc)
            writer.delete_documents_by_term("id", doc_id)
            writer.add_document(tdoc)
            n += 1
        self._pending += n
        return n

    def delete(self, ids: Iterable[str]) -> int:
        writer = self._need_writer()
        n = 0
        for doc_id in ids:
            writer.delete_documents_by_term("id", doc_id)
            n += 1
        self._pending += n
        return n

    def commit(self) -> None:
        writer = self._need_writer()
        try:
            writer.commit()
        except ValueError as exc:
            raise IndexerError(f"embedded: commit failed on {self.path}: {exc}") from None
        self._pending = 0
        self._index.reload()

    # -- reading ---------------------------------------------------------------------------
    def _searcher(self) -> tantivy.Searcher:
        if self.readonly and self._reload_on_read:
            self._index.reload()
        return self._index.searcher()

    def reload(self) -> None:
        """See every commit made so far (a read-only backend opened with `reload_on_read=False`)."""
        self._index.reload()

    def _query(self, query: str, kind: str | None) -> tantivy.Query:
        return self._render.render(compile_query(query, kind=kind))

    def get(self, doc_id: str) -> dict[str, Any] | None:
        searcher = self._searcher()
        res = searcher.search(tantivy.Query.term_query(self._index.schema, "id", doc_id), 1)
        if not res.hits:
            return None
        return json.loads(bytes(searcher.doc(res.hits[0][1])[SOURCE_FIELD][0]))

    def search(
        self,
        query: str,
        *,
        kind: str | None = None,
        limit: int = 20,
        offset: int = 0,
        sort: str | None = None,
    ) -> SearchResult:
        tq = self._query(query, kind)
        order = parse_sort(sort)
        searcher = self._searcher()
        if limit <= 0:
            res = searcher.search(tq, 1, count=True)
            return SearchResult(total=int(res.count or 0), hits=[])
        if order is None:
            res = searcher.search(tq, limit, count=True, offset=offset)
        else:
            field, desc = order
            res = searcher.search(
                tq,
                limit,
                count=True,
                offset=offset,
                order_by_field=field,
                order=tantivy.Order.Desc if desc else tantivy.Order.Asc,
            )
        hits = [json.loads(bytes(searcher.doc(addr)[SOURCE_FIELD][0])) for _s, addr in res.hits]
        return SearchResult(total=int(res.count or 0), hits=hits)

    def aggregate(self, request: dict[str, Any], *, query: str = "*", kind: str | None = None) -> dict[str, Any]:
        translated = _aggs.translate(request)
        try:
            raw = self._searcher().aggregate(self._query(query, kind), translated)
        except ValueError as exc:
            raise QueryError(f"embedded: aggregation refused: {exc}") from None
        return _aggs.normalise(translated, raw)

    def scan(self, query: str = "*", *, kind: str | None = None) -> Iterator[dict[str, Any]]:
        tq = self._query(query, kind)
        searcher = self._searcher()  # one snapshot for the whole export
        total = int(searcher.search(tq, 1, count=True).count or 0)
        for offset in range(0, total, SCAN_PAGE):
            res = searcher.search(tq, SCAN_PAGE, count=False, offset=offset)
            for _score, addr in res.hits:
                yield json.loads(bytes(searcher.doc(addr)[SOURCE_FIELD][0]))

    def health(self) -> dict[str, Any]:
        searcher = self._searcher()
        return {
            "backend": self.name,
            "status": "green",
            "docs": searcher.num_docs,
            "segments": searcher.num_segments,
            "path": str(self.path),
            "mapping_version": MAPPING_VERSION,
            "writable": self._writer is not None,
            "pending": self._pending,
        }

    def close(self) -> None:
        """Commit what is pending, wait for merges and release the writer lock."""
        if self._writer is not None:
            if self._pending:
                self.commit()
            try:
                self._writer.wait_merging_threads()
            finally:
                self._writer = None

    def __enter__(self) -> TantivyBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
