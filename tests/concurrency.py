"""Run test steps in threads released together at a barrier, each on its own database connection.

Only meaningful on PostgreSQL with `transaction=True`: SQLite has a single writer and no row locks.
"""

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connections


def at_once(n: int, step: Callable, *, ready: Callable | None = None, timeout: float = 30) -> list[str]:
    """Call step(ready(i)) (step(i) without `ready`) in n threads at once, after each thread's `ready`
    (reads that must not be part of the race). One outcome a thread, in the order they finished:
    "ok", "refused:<the Chinese message>" or "error:<exception>" (an assert in a thread would be lost)."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    done = threading.Lock()

    def run(i):
        try:
            arg = ready(i) if ready else i
            barrier.wait(timeout=timeout)
            step(arg)
            outcome = "ok"
        except ValidationError as exc:
            outcome = "refused:" + exc.messages[0]
        except Exception as exc:  # noqa: BLE001 — counted and reported: a deadlock or a 500
            outcome = f"error:{exc!r}"
        finally:
            connections.close_all()
        with done:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=4 * timeout)
    assert len(outcomes) == n
    return outcomes
