"""Crawling one job with several workers: shared frontier and job state in Redis, one index writer.

`RedisFrontier` (queue, duplicate filter, states, leases), `DistributedMarketSpider` (a worker),
`DistributedIndexPipeline` + `StreamWriter` (documents to one writer), `run_worker`.
Processes: ``python -m crawlers.distributed worker|writer|status`` (see its docstring).
"""
