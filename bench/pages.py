"""Server time of the heavy pages, in process with django.test.Client (no network)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from . import profiling


def client(user=None) -> Client:
    # The bench settings allow 127.0.0.1 only; the test client is told to be that host.
    browser = Client(SERVER_NAME="127.0.0.1", HTTP_ACCEPT_LANGUAGE="vi")
    if user is not None:
        browser.force_login(user)
    return browser


def timed_requests(name: str, send: Callable[[int], object], requests: int) -> tuple[list[float], object]:
    """Send `requests` requests (after one untimed warm-up that counts the queries)."""
    with CaptureQueriesContext(connection) as queries:
        response = send(0)
    # Read now: `captured_queries` slices the live log, which the next request resets.
    count = len(queries.captured_queries)
    check(response)
    times = []

    def loop():
        nonlocal response
        for number in range(1, requests + 1):
            start = time.perf_counter()
            response = send(number)
            times.append(time.perf_counter() - start)
            check(response)

    profiling.wrap(name, loop)()
    return times, (response, count)


def check(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")


def summary(name: str, url: str, size: str, times: list[float], response, queries: int) -> dict:
    times = sorted(times)
    return {
        "figure": name,
        "url": url,
        "size": size,
        "requests": len(times),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(times[0] * 1000, 1),
        "max_ms": round(times[-1] * 1000, 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def page(name: str, browser: Client, url: str, *, requests: int, size: str) -> dict:
    """Median server time of `requests` GETs of `url`."""
    times, (response, queries) = timed_requests(name, lambda _n: browser.get(url), requests)
    return summary(name, url, size, times, response, queries)


def autosave(name: str, browser: Client, assessment_id: int, leaves: list[int], *, requests: int) -> dict:
    """Median server time of the htmx score save, in process (what one gunicorn worker does)."""
    from ranking.models import Score

    versions = dict(
        Score.objects.filter(assessment_id=assessment_id, criterion_id__in=leaves).values_list(
            "criterion_id", "version"
        )
    )

    def send(number: int):
        criterion = leaves[number % len(leaves)]
        response = browser.post(
            f"/danh-gia/{assessment_id}/diem/{criterion}/",
            {
                "value": "0,4" if (number // len(leaves)) % 2 == 0 else "0,6",
                "note": "",
                "no_evidence_reason": "",
                "version": str(versions.get(criterion, 1)),
            },
            HTTP_HX_REQUEST="true",
        )
        versions[criterion] = versions.get(criterion, 1) + 1
        return response

    times, (response, queries) = timed_requests(name, send, requests)
    url = f"/danh-gia/{assessment_id}/diem/<criterion>/"
    return summary(name, url, f"{len(leaves)} leaves", times, response, queries)
