"""``harvest()``: runs every (site, query) task of a query table, politely, resumably, and sums it up."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from actionhub import schema
from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.errors import AuthError, HarvestError
from actionhub.harvest.http import PoliteClient
from actionhub.harvest.sites import SITES, Page, Site
from actionhub.harvest.tasks import Task, TaskStore, tasks_for


@dataclass
class HarvestSummary:
    """What one run did. ``retries`` counts retried requests by cause (status code, timeout, connection)."""

    site: str
    tasks: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    items: int = 0
    requests: int = 0
    seconds: float = 0.0
    search_seconds: float = 0.0  # inside site.search (requests, waits and parsing), summed over threads
    retries: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # failed tasks by status, e.g. "http_503"
    rejected: Counter = field(default_factory=Counter)  # rejected items by reason, e.g. "wrong_type"
    repeats: int = 0  # items whose id came again within a task (first kept)
    conflicts: int = 0  # ... of which with a different text than the kept one

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def format(self) -> str:
        retries = ", ".join(f"{k}: {v}" for k, v in sorted(self.retries.items())) or "none"
        failures = ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items())) or "none"
        rejected = ", ".join(f"{k}: {v}" for k, v in sorted(self.rejected.items())) or "none"
        return (f"harvest {self.site}: {self.tasks} tasks: {self.done} done, {self.failed} failed, "
                f"{self.skipped} skipped (already done)\n"
                f"  {self.pages} pages, {self.items} items, {self.requests} requests in {self.seconds:.1f} s "
                f"({self.requests_per_s:.1f} requests/s)\n"
                f"  retries by cause: {retries}\n  failed tasks by status: {failures}\n"
                f"  rejected items (failure rows) by reason: {rejected}\n"
                f"  repeated item ids dropped (first kept): {self.repeats}, {self.conflicts} of them with a "
                "different text")


def _failure_row(task: Task, page: int, kind: str, message: str, asset_id: str | None = None) -> dict:
    return {"action_id": task.action_id, "query": task.query, "site": task.site, "asset_id": asset_id,
            "description": None, "keywords": None, "page": page, "rank": None,
            "fetched_at": datetime.now(UTC), "status": kind, "error": message or kind}


def fetch_page(site: Site, query: str, page: int, config: HarvestConfig) -> Page:
    """One page, fetched again (with backoff) while its body arrives broken: truncated, not JSON, HTML.

    Transport faults (429, 5xx, timeouts, resets) are retried inside the client; this retries what only the
    adapter can see. Raises the last error once ``max_retries`` are spent.
    """
    for attempt in range(config.retries.max_retries + 1):
        try:
            return site.search(query, page)
        except HarvestError as exc:
            if not exc.retryable or attempt == config.retries.max_retries:
                raise
            site.client.pause_before_retry(attempt, exc.kind)
    raise AssertionError("unreachable")


def run_task(site: Site, task: Task, config: HarvestConfig) -> tuple[pa.Table, dict]:
    """Fetches a task's pages; returns its shard (schema RAW) and its stats.

    Items repeated across pages are kept once, at their first position (the repeats, and those among them
    whose text differs, are counted); ``rank`` counts distinct items. A rejected item becomes a failure row
    with its id and reason, and the task goes on. A failed page ends the task with a failure row after the
    items already fetched.

    Raises:
        AuthError: Credentials refused; the run must stop.
    """
    started = time.monotonic()
    counts = site.client.begin_task()
    rows: list[dict] = []
    seen: dict[str, str] = {}  # asset id -> the text kept
    pages, repeats, conflicts, rejected, status, search_s = 0, 0, 0, Counter(), "ok", 0.0
    for page in range(1, config.limits.max_pages + 1):
        try:
            t0 = time.perf_counter()
            result = fetch_page(site, task.query, page, config)
            search_s += time.perf_counter() - t0
        except AuthError:
            raise
        except HarvestError as exc:
            status = exc.kind
            rows.append(_failure_row(task, page, exc.kind, exc.message))
            break
        except Exception as exc:  # an adapter bug must cost one task, not the run
            status = "internal_error"
            rows.append(_failure_row(task, page, status, f"{type(exc).__name__}: {exc}"))
            break
        pages += 1
        fetched_at = datetime.now(UTC)
        for bad in result.rejected:
            rejected[bad.kind] += 1
            rows.append(_failure_row(task, page, bad.kind, bad.message, bad.asset_id))
        for item in result.items:
            if item.asset_id in seen:
                repeats += 1
                conflicts += seen[item.asset_id] != item.description
                continue
            seen[item.asset_id] = item.description
            rows.append({"action_id": task.action_id, "query": task.query, "site": task.site,
                         "asset_id": item.asset_id, "description": item.description, "keywords": list(item.keywords),
                         "page": page, "rank": len(seen) - 1, "fetched_at": fetched_at, "status": "ok",
                         "error": None})
            if len(seen) >= config.limits.max_items:
                break
        if len(seen) >= config.limits.max_items or not result.has_more:
            break
    stats = {"task_id": task.task_id, "site": task.site, "action_id": task.action_id, "query": task.query,
             "status": "ok" if status == "ok" else "failed", "error_kind": None if status == "ok" else status,
             "items": len(seen), "pages": pages, "repeats_dropped": repeats,
             "repeats_with_other_text": conflicts, "rejected": dict(rejected), "requests": counts["requests"],
             "retries": {k.removeprefix("retry_"): v for k, v in counts.items() if k.startswith("retry_")},
             "duration_s": round(time.monotonic() - started, 3), "search_s": round(search_s, 4),
             "finished_at": datetime.now(UTC).isoformat(timespec="seconds")}
    return pa.Table.from_pylist(rows, schema=schema.RAW), stats


def harvest(config: HarvestConfig, queries: pa.Table, out_dir: Path, client: PoliteClient | None = None
            ) -> HarvestSummary:
    """Runs every (site, query) task of ``queries`` (schema QUERIES) that is not finished under ``out_dir``.

    Args:
        config: Site, limits and politeness.
        queries: One row per action; its ``queries`` list gives the search strings, ``action_id`` tags rows.
        out_dir: Receives ``raw/<site>/`` shards and ``stats/<site>/`` markers (see ``tasks``).
        client: The HTTP client; None builds a :class:`PoliteClient` from ``config`` (closed at the end).

    Raises:
        AuthError: The site refused the credentials; unfinished tasks stay unfinished for a later run.
    """
    from tqdm import tqdm

    if config.access.site not in SITES:
        raise ValueError(f"unknown site {config.access.site!r}; choose from {sorted(SITES)}")
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise ValueError(f"--out {out_dir} is an existing file; give a directory")
    # Credentials and opt-ins, before anything is written.
    SITES[config.access.site].preflight(config.access.base_url, config)
    own_client = client is None
    client = client or PoliteClient(config)
    store = TaskStore(Path(out_dir), config.access.site)
    all_tasks = tasks_for(queries, config.access.site)
    todo = store.prepare(all_tasks, config.output.retry_failed, config.output.overwrite)
    summary = HarvestSummary(config.access.site, tasks=len(all_tasks), skipped=len(all_tasks) - len(todo))
    if not todo:
        if own_client:
            client.close()
        return summary
    requests_before, retries_before = client.stats.requests, Counter(client.stats.retries)
    started = time.monotonic()
    stop = threading.Event()
    lock = threading.Lock()

    def work(task: Task) -> None:
        if stop.is_set():
            return
        try:
            rows, stats = run_task(site, task, config)
        except AuthError:
            stop.set()
            raise
        store.commit(task, rows, stats)
        with lock:
            summary.pages += stats["pages"]
            summary.items += stats["items"]
            summary.search_seconds += stats["search_s"]
            summary.rejected.update(stats["rejected"])
            summary.repeats += stats["repeats_dropped"]
            summary.conflicts += stats["repeats_with_other_text"]
            if stats["status"] == "ok":
                summary.done += 1
            else:
                summary.failed += 1
                summary.failures[stats["error_kind"]] += 1
            bar.update(1)

    try:
        site = SITES[config.access.site](config.access.base_url, client, config)
        with tqdm(total=len(todo), unit="task", disable=not config.output.progress,
                  desc=f"harvest {config.access.site}") as bar, \
                ThreadPoolExecutor(max_workers=config.politeness.concurrency) as pool:
            futures = [pool.submit(work, t) for t in todo]
            try:
                finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            except BaseException:  # Ctrl-C: finish the tasks in flight, start no new one
                stop.set()
                raise
            finally:
                if stop.is_set() or any(f.exception() for f in futures if f.done() and not f.cancelled()):
                    stop.set()
                    for f in futures:
                        f.cancel()
            for f in futures:
                if not f.cancelled() and f.exception() is not None:
                    raise f.exception()
    finally:
        summary.seconds = time.monotonic() - started
        summary.requests = client.stats.requests - requests_before
        summary.retries = Counter(client.stats.retries) - retries_before
        if own_client:
            client.close()
    return summary
