"""Score autosave under load: gunicorn on loopback, concurrent signed-in officers, bounded.

The server is the project's gunicorn (.venv/bin/gunicorn config.wsgi) with bench.settings,
on 127.0.0.1 and a free port, on the benchmark's own database, with the same workers for
every phase: sync workers (as `make serve`), or gthread workers with `--threads`. Clients
are asyncio tasks speaking HTTP/1.1 over loopback, one connection each, kept alive when the
server allows it (sync workers close every connection and the client reconnects; gthread
workers keep it, and close it after a few idle seconds). Each phase stops by itself after
its duration or its request budget, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT = 30.0
VERSION = re.compile(rb'name="version" value="(\d+)"')
SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")
FORM_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- a minimal HTTP/1.1 client over asyncio streams ---------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def server_ms(self) -> float | None:
        """The time Django spent on the request (bench.timing.ServerTiming)."""
        found = SERVER_TIMING.search(self.header("server-timing") or "")
        return float(found.group(1)) if found else None

    def cookies(self) -> dict[str, str]:
        found = {}
        for key, value in self.headers:
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, content = pair.partition("=")
                found[name.strip()] = content.strip()
        return found


class Connection:
    """One client's connection to the server, reopened whenever the server closed it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Response:
        reused = self.writer is not None
        try:
            return await self.exchange(method, path, headers, body)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as error:
            partial = getattr(error, "partial", b"")
            if not reused or partial:
                raise
        # The server closed the kept-alive connection while it was idle (gthread workers do after
        # their keep-alive timeout) and never read the request: send it again, once, as browsers do.
        await self.close()
        return await self.exchange(method, path, headers, body)

    async def exchange(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            self.opened += 1
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            "Connection: keep-alive",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        parsed = []
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                parsed.append((name.strip().lower(), value.strip()))
        response = Response(status, parsed, b"")
        length = response.header("content-length")
        if length is not None:
            response.body = await self.reader.readexactly(int(length))
        elif (response.header("transfer-encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunks.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            response.body = b"".join(c[:-2] for c in chunks)
        else:
            response.body = await self.reader.read()
            await self.close()
        if (response.header("connection") or "").lower() == "close":
            await self.close()
        return response


# --- a signed-in officer -------------------------------------------------------------------


@dataclass
class Officer:
    username: str
    password: str
    assessment_id: int
    leaves: list[int]
    versions: dict[int, int]
    score_id: int = 0
    connection: Connection | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    form_token: str = ""
    saves: int = 0
    confirmed: int = 0
    last_server_ms: float | None = None

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def post_headers(self) -> dict[str, str]:
        return {
            "Cookie": self.cookie_header(),
            "X-CSRFToken": self.cookies["csrftoken"],
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
            "Accept-Language": "vi",
        }

    async def sign_in(self) -> None:
        """Through the login form, as a browser does: the form's token, then the POST."""
        page = await self.connection.request("GET", "/dang-nhap/", {"Accept-Language": "vi"})
        self.cookies.update(page.cookies())
        token = FORM_TOKEN.search(page.body)
        if page.status != 200 or token is None or "csrftoken" not in self.cookies:
            raise RuntimeError(f"login page answered {page.status}")
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": self.username,
                "password": self.password,
            }
        ).encode()
        answer = await self.connection.request(
            "POST",
            "/dang-nhap/",
            {
                "Cookie": self.cookie_header(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Language": "vi",
            },
            body,
        )
        self.cookies.update(answer.cookies())
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username} could not sign in ({answer.status})")
        self.form_token = self.cookies["csrftoken"]

    async def autosave(self) -> tuple[int, str | None]:
        """Save the next leaf's self-score as the page's htmx form does, with the version it showed."""
        criterion = self.leaves[self.saves % len(self.leaves)]
        # Values the synthetic data never holds (it scores in quarters): every save is a change.
        value = "0,3" if (self.saves // len(self.leaves)) % 2 == 0 else "0,7"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.form_token,
                "value": value,
                "note": "",
                "no_evidence_reason": "",
                "version": str(self.versions.get(criterion, 1)),
            }
        ).encode()
        response = await self.connection.request(
            "POST", f"/danh-gia/{self.assessment_id}/diem/{criterion}/", self.post_headers(), body
        )
        self.saves += 1
        self.last_server_ms = response.server_ms()
        if response.status != 200:
            return response.status, f"status {response.status}"
        found = VERSION.search(response.body)
        if found is None or b"data-saved" not in response.body:
            return response.status, "not saved"
        self.versions[criterion] = int(found.group(1))
        self.confirmed += 1
        return response.status, None

    async def minimal_write(self) -> tuple[int, str | None]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.form_token}).encode()
        response = await self.connection.request(
            "POST", f"/bench/write/{self.score_id}/", self.post_headers(), body
        )
        self.last_server_ms = response.server_ms()
        if response.status != 200 or response.body != b"ok":
            return response.status, f"status {response.status}"
        return response.status, None

    async def bare(self) -> tuple[int, str | None]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.form_token}).encode()
        response = await self.connection.request("POST", "/bench/ok/", self.post_headers(), body)
        self.last_server_ms = response.server_ms()
        if response.status != 200 or response.body != b"ok":
            return response.status, f"status {response.status}"
        return response.status, None


async def phase(
    officers: list[Officer],
    action: Callable[[Officer], Awaitable[tuple[int, str | None]]],
    *,
    duration: float,
    budget: int,
) -> dict:
    """Every officer repeats `action` until `duration` has passed or `budget` requests were sent."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    server_times: list[float] = []
    errors: Counter[str] = Counter()
    sent = 0
    opened_before = sum(o.connection.opened for o in officers)
    start = loop.time()
    deadline = start + duration

    async def client(officer: Officer) -> None:
        nonlocal sent
        while loop.time() < deadline and sent < budget:
            sent += 1
            begin = time.perf_counter()
            try:
                _status, problem = await asyncio.wait_for(action(officer), REQUEST_TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                errors[type(error).__name__] += 1
                await officer.connection.close()
                continue
            latencies.append(time.perf_counter() - begin)
            if officer.last_server_ms is not None:
                server_times.append(officer.last_server_ms)
            if problem:
                errors[problem] += 1

    await asyncio.gather(*(client(o) for o in officers))
    elapsed = loop.time() - start
    latencies.sort()
    done = len(latencies)

    def percentile(p: float) -> float | None:
        return round(latencies[min(done - 1, int(p * done))] * 1000, 1) if done else None

    return {
        "clients": len(officers),
        "duration_s": round(elapsed, 2),
        "requests": done,
        "requests_per_s": round(done / elapsed, 1) if elapsed else None,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if done else None,
        # Inside Django (the rest of the latency is waiting for one of the workers).
        "server_p50_ms": round(statistics.median(server_times), 1) if server_times else None,
        "server_p95_ms": round(sorted(server_times)[int(0.95 * len(server_times))], 1)
        if server_times
        else None,
        "connections_opened": sum(o.connection.opened for o in officers) - opened_before,
    }


# --- the server ------------------------------------------------------------------------------


def worker_class(threads: int) -> list[str]:
    """gunicorn's worker options: sync workers for 1 thread, else gthread workers (keep-alive)."""
    if threads <= 1:
        return ["--worker-class", "sync"]
    return ["--worker-class", "gthread", "--threads", str(threads)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn, started here and stopped here (by its process id), whatever happens."""

    def __init__(self, *, workers: int, threads: int, database_name: str, secret_key: str, log: Path):
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log = log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_DATABASE_NAME": database_name,
            "BENCH_SECRET_KEY": secret_key,
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.command = [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            *worker_class(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ]
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: see {self.log}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    s.sendall(
                        f"GET /bench/ok/ HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
                    )
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s: see {self.log}")

    def __exit__(self, *exc) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                # Our own process group (start_new_session): the master and its workers only.
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.log_file.close()


# --- the load test ----------------------------------------------------------------------------


async def load_test(
    officers: list[Officer], *, port: int, duration: float, warmup: float, budget: int
) -> dict:
    for officer in officers:
        officer.connection = Connection(port)
    # Sign in through the form, a few at a time (sign-in is not measured).
    gate = asyncio.Semaphore(8)

    async def sign_in(officer: Officer) -> None:
        async with gate:
            await asyncio.wait_for(officer.sign_in(), REQUEST_TIMEOUT * 2)

    started = time.perf_counter()
    await asyncio.gather(*(sign_in(o) for o in officers))
    signed_in_s = time.perf_counter() - started

    async def bare(o: Officer):
        return await o.bare()

    async def autosave(o: Officer):
        return await o.autosave()

    async def minimal_write(o: Officer):
        return await o.minimal_write()

    results = {}
    # The floor runs last: it touches no version the autosave phase reads.
    for name, action in (("bare_view", bare), ("autosave", autosave), ("minimal_write", minimal_write)):
        if warmup:
            await phase(officers, action, duration=warmup, budget=budget)
        results[name] = await phase(officers, action, duration=duration, budget=budget)
    for officer in officers:
        await officer.connection.close()
    results["sign_in_s"] = round(signed_in_s, 2)
    return results
