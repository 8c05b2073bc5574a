"""People browsing one endpoint, for `bench.web`: each clicks, reads for a while, clicks again.

Run by bench/web.py in its own virtual environment (locust brings gevent and its own web stack);
it reads what to ask for from the environment:

* BENCH_ENDPOINT: the name the statistics use;
* BENCH_PATHS: a JSON list of paths, taken in turn from a random start;
* BENCH_COOKIE: a Cookie header for a signed-in user, or empty;
* BENCH_THINK_MS: the pause between clicks, e.g. "500-1500";
* BENCH_MAX_REQUESTS: after this many requests the run stops, even before its time is up.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser
from locust import between
from locust import events
from locust import task

ENDPOINT = os.environ["BENCH_ENDPOINT"]
PATHS: list[str] = json.loads(os.environ["BENCH_PATHS"])
COOKIE = os.environ.get("BENCH_COOKIE", "")
LOW, _, HIGH = os.environ.get("BENCH_THINK_MS", "500-1500").partition("-")
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))

sent = 0


@events.request.add_listener
def _count(**_kwargs) -> None:
    global sent
    sent += 1


class Visitor(HttpUser):
    wait_time = between(int(LOW) / 1000, int(HIGH or LOW) / 1000)

    def on_start(self) -> None:
        self.turn = random.randrange(len(PATHS))
        self.headers = {"Accept-Language": "pl"}
        if COOKIE:
            self.headers["Cookie"] = COOKIE

    @task
    def click(self) -> None:
        if sent >= MAX_REQUESTS:
            self.environment.runner.quit()
            return
        self.turn = (self.turn + 1) % len(PATHS)
        self.client.get(PATHS[self.turn], headers=self.headers, name=ENDPOINT)
