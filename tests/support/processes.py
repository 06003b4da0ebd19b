"""Several processes acting on one user's record at once, as concurrent requests would: each
process builds its own store object (as a separate Lambda or web worker has), all start together,
and each runs its plan one step (one request) at a time."""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

FORK = multiprocessing.get_context("fork")  # children inherit the imports (and the step function): cheap to start


def _worker(make_store, plan, run_step, barrier, results, worker) -> None:
    try:
        store = make_store()
        barrier.wait(timeout=60)
        results.put((worker, [run_step(store, step) for step in plan], None))
    except Exception:
        results.put((worker, [], traceback.format_exc()))


def run_plans(make_store: Callable[[], Any], plans: list[list], run_step: Callable[[Any, Any], Any]) -> list:
    """Run each plan in its own process, `run_step(store, step)` per step; every step's outcome,
    the first process's first. Fails the test when a process raised."""
    barrier, results = FORK.Barrier(len(plans)), FORK.Queue()
    processes = [FORK.Process(target=_worker, args=(make_store, plan, run_step, barrier, results, index))
                 for index, plan in enumerate(plans)]
    for process in processes:
        process.start()
    collected = [results.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    errors = [error for _, _, error in collected if error]
    assert not errors, "a worker process failed:\n" + "\n".join(errors)
    return [outcome for _, outcomes, _ in sorted(collected, key=lambda row: row[0]) for outcome in outcomes]
