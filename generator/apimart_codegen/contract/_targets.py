"""Where the contract cases go: the in-process mock, any server by URL, or the live API.

A target sends raw HTTP (httpx): the harness must see exactly what the server answers, so
the generated client (which validates first and retries) is not in the way. Every request
runs on one event loop in a thread of its own (``HarnessLoop``), through one
``httpx.AsyncClient`` per target: the Hypothesis tests submit one case at a time and wait
for its answer (``submit``), while the tasks those cases made are followed concurrently
(``spawn``), with at most ``concurrency`` requests in flight and, under ``--rate``, no two
requests closer than ``min_interval``, whichever side sends them.

How a target speaks to a server is netpolicy's: the key goes to the base URL's origin
only, every request has an overall deadline, answers and downloads are read up to a cap,
a result URL is judged before it is fetched, a submission's redirect is never followed, and
every text kept from an answer has the key redacted and control characters escaped.

Money (live runs): a request that could create a task reserves its estimated cost first,
within ``Budget``, and the reservation is given back only when the answer proves that no
task was made. Within one run the same body is sent once: submitting it again returns the
first answer (Hypothesis replays a failing case while it shrinks and once more at the end).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import shlex
import threading
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Final, TypeVar

import httpx

from apimart_codegen.netpolicy import (
    AnswerTooLarge,
    AsyncDeadlineTransport,
    DeadlineExceeded,
    OriginBearer,
    aread_capped,
    judge_url,
    printable,
    private_host,
    redact,
    shown_url,
    task_path,
)
from apimart_codegen.spec.model import ModelSpec

T = TypeVar("T")

LIVE_URL: Final = "https://api.apimart.ai"
RETRY_STATUSES: Final = frozenset({429, 503})
"""Answers after which a submission may be sent again (with the same Idempotency-Key, so a
task the first attempt made is not made twice)."""
MAX_ATTEMPTS: Final = 4
MAX_RETRY_AFTER: Final = 30.0
MAX_ANSWER_BYTES: Final = 1024 * 1024
"""The most bytes read of one API answer (a refusal listing 100 violations is ~30 KB)."""
MAX_RESULT_BYTES: Final = 1024**3
"""The most bytes read of one result file (``--max-bytes``); only its first bytes are kept."""
HEAD_BYTES: Final = 4096
"""Bytes of a result kept to judge its file type."""
MAX_REDIRECTS: Final = 5
"""Redirects followed to download a result (each hop judged, the key only to the base)."""
DEFAULT_TIMEOUT: Final = 120.0
"""Seconds one request may take in all (connect, headers and body): ``--timeout``."""
DEFAULT_CONCURRENCY: Final = 16
ANSWER_CHARS: Final = 2000
"""Characters of an answer kept for the report."""


class HarnessError(Exception):
    """The run cannot go on: unreachable server, rejected key, a budget that allows nothing."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A server's answer: status, JSON body (None when not JSON), its text as it may be
    shown (the key redacted, control characters escaped), and its headers."""

    status: int
    body: Any
    text: str
    headers: Mapping[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Fetched:
    """A downloaded result: status, its first bytes, headers and its whole size."""

    status: int
    content: bytes
    headers: Mapping[str, str]
    size: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """A request the budget did not allow (live runs); nothing was sent."""

    reason: str


def estimate(model: ModelSpec, payload: Any) -> Decimal | None:
    """The estimated price of one accepted submission, from the spec's price facts (None:
    the page states no amount, so the cost is unknown)."""
    from apimart_codegen.contract._checks import results_expected

    price = model.price
    if price is None or price.amount is None or not isinstance(payload, dict):
        return None
    amount = Decimal(price.amount)
    if price.per == "image":  # a body that asks for fewer than one image is priced as one
        return amount * max(results_expected(model, payload), 1)
    if price.per == "second":
        seconds = payload.get("duration")
        return amount * (seconds if isinstance(seconds, int) and seconds > 0 else 15)
    return None


def made_nothing(answer: Answer) -> bool:
    """Whether an answer to a submission proves that no task was made: a 4xx refusal in the
    documented error envelope (docs/wire-protocol.md). A 5xx, a redirect, a 2xx, an answer
    in another shape, a timeout or a dropped connection prove nothing: a task may exist."""
    from apimart_codegen.contract._checks import error_body

    return 400 <= answer.status < 500 and not error_body(answer.body)


@dataclass
class Budget:
    """Hard limits for paid runs. ``spent`` is the exposure: what the run may have been
    charged, counted before each request is sent and given back only for answers that prove
    no task was made. It never passes ``max_cost``."""

    max_cost: Decimal = Decimal(0)
    allow_unpriced: bool = False
    max_requests: int | None = None
    spent: Decimal = Decimal(0)
    requests: int = 0
    unpriced: int = 0
    _held: dict[str, Decimal | None] = field(default_factory=dict, repr=False)
    _maybe_made: set[str] = field(default_factory=set, repr=False)

    def reserve(self, model: ModelSpec, payload: Any, key: str | None = None) -> str | None:
        """Reserve one request that may create a task; None if it fits, else why not. A
        retry with an Idempotency-Key already held reserves nothing more: the API makes
        one task per key at most."""
        if key is not None and key in self._held:
            return None
        if self.max_requests is not None and self.requests >= self.max_requests:
            return f"--max-requests {self.max_requests} reached"
        cost = estimate(model, payload)
        if cost is None and not self.allow_unpriced:
            return f"{model.name} states no price (--allow-unpriced to send it anyway)"
        if cost is not None and self.spent + cost > self.max_cost:
            return f"would cost {cost} more, over --max-cost {self.max_cost} (spent {self.spent})"
        self.requests += 1
        if cost is None:
            self.unpriced += 1
        else:
            self.spent += cost
        self._held[key if key is not None else str(uuid.uuid4())] = cost
        return None

    def settle(self, key: str, answer: Answer) -> None:
        """An attempt with ``key`` was answered: give its reservation back only if this
        answer proves no task was made and no earlier attempt with the key may have made one."""
        if key not in self._held:
            return
        if key in self._maybe_made or not made_nothing(answer):
            self._maybe_made.add(key)
            return
        cost = self._held.pop(key)
        if cost is not None:
            self.spent -= cost


class HarnessLoop:
    """Where a target's coroutines run. Over a socket: one event loop in a daemon thread,
    shared by every target of the process, so that follow-ups run at once while the cases
    go on. In process (a virtual clock, nothing to wait for): a loop in the calling thread
    that runs each coroutine to its end at once, without a hop between threads."""

    _threaded: ClassVar[HarnessLoop | None] = None
    _inline: ClassVar = threading.local()
    _lock: ClassVar = threading.Lock()

    def __init__(self, *, threaded: bool) -> None:
        self.loop = asyncio.new_event_loop()
        self.threaded = threaded
        if threaded:
            thread = threading.Thread(
                target=self.loop.run_forever, name="apimart-contract-http", daemon=True
            )
            thread.start()

    @classmethod
    def shared(cls, *, threaded: bool) -> HarnessLoop:
        if not threaded:
            loop: HarnessLoop | None = getattr(cls._inline, "loop", None)
            if loop is None:
                loop = cls._inline.loop = HarnessLoop(threaded=False)
            return loop
        with cls._lock:
            if cls._threaded is None:
                cls._threaded = HarnessLoop(threaded=True)
            return cls._threaded

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` and wait for its result."""
        if not self.threaded:
            return self.loop.run_until_complete(coroutine)
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def spawn(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``coroutine``; its result is waited for later (inline: it has ended)."""
        if self.threaded:
            return asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            done.set_result(self.run(coroutine))
        except Exception as exc:
            done.set_exception(exc)
        return done


@dataclass
class Target:
    """One server to test: a name for reports, how to reach it, and how time passes there."""

    name: str
    base_url: str
    """The server's URL as the user names it (replay lines and curl commands)."""
    api_key: str
    transport: httpx.AsyncBaseTransport | None = None
    """How requests reach the server (None: over a socket, with an overall deadline)."""
    api_url: str | None = None
    """Where requests go, when not ``base_url`` (the in-process mock's own host name)."""
    live: bool = False
    advance: Callable[[float], Any] | None = None
    """Moves the server's clock (the in-process mock); None: real time passes."""
    budget: Budget | None = None
    min_interval: float = 0.0
    """Seconds between two requests (a rate limit; 0: none)."""
    deliveries: Callable[[], list[httpx.Request]] | None = None
    """Delivers the webhooks due now and returns them (the in-process mock); None: cannot."""
    fresh: Callable[[], Target] | None = None
    """Makes a new, empty target of the same kind (the in-process mock); None: cannot."""
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = MAX_RESULT_BYTES
    allow_private: bool = False
    """Fetch result URLs at private or link-local addresses (``--allow-private-results``)."""
    concurrency: int = DEFAULT_CONCURRENCY
    sent: int = 0
    reused: int = 0
    """Submissions answered from this run's memory instead of sent again."""
    sends: bool = True
    """False for a dry run: nothing reaches a server, so no task can be followed."""
    _client: httpx.AsyncClient | None = field(default=None, repr=False)
    _slots: asyncio.Semaphore | None = field(default=None, repr=False)
    _not_before: float = field(default=0.0, repr=False)
    _answers: dict[tuple[str, bytes], Answer] = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return self.api_url or self.base_url

    @property
    def flags(self) -> str:
        """The `apimart contract` options that pick this target again (for replay lines)."""
        if self.live:
            return "--live"
        if self.advance is not None:
            return ""
        return f"--base-url {shlex.quote(shown_url(self.base_url))}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be printed or written: the key, the Authorization value sent,
        and a password in the base URL."""
        found = [f"Bearer {self.api_key}", self.api_key] if self.api_key else []
        with contextlib.suppress(httpx.InvalidURL, ValueError, TypeError):
            password = httpx.URL(self.base_url).password
            if password:
                found.append(password)
        return tuple(found)

    def shown(self, text: str) -> str:
        """``text`` as it may be printed or written: secrets masked, controls escaped."""
        return printable(redact(text, self.secrets))

    # -- the loop ---------------------------------------------------------------------------

    @property
    def loop(self) -> HarnessLoop:
        return HarnessLoop.shared(threaded=self.advance is None)

    def spawn(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return self.loop.spawn(coroutine)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            self.loop.run(client.aclose())

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            transport = self.transport
            if transport is None:
                transport = AsyncDeadlineTransport(deadline=self.timeout, proxy=_proxy(self.url))
            self._client = httpx.AsyncClient(
                base_url=self.url,
                transport=transport,
                auth=OriginBearer(self.url, self.api_key),
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,
            )
        return self._client

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """One request in flight: paced (``--rate``, a 429's Retry-After) and counted."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        async with self._slots:
            now = time.monotonic()
            start = max(now, self._not_before)
            if self.min_interval > 0:
                self._not_before = start + self.min_interval
            if start > now:
                await asyncio.sleep(start - now)
            self.sent += 1
            yield

    def _hold(self, seconds: float) -> None:
        """No request leaves before ``seconds`` from now (the server asked us to wait)."""
        self._not_before = max(self._not_before, time.monotonic() + seconds)

    def wait(self, seconds: float) -> None:
        if self.advance is not None:
            self.advance(seconds)
        else:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        if self.advance is not None:
            self.advance(seconds)
        else:
            await asyncio.sleep(seconds)

    # -- requests ---------------------------------------------------------------------------

    def submit(self, model: ModelSpec, payload: Any, key: str | None = None) -> Answer | Skipped:
        return self.loop.run(self.asubmit(model, payload, key))

    async def asubmit(
        self, model: ModelSpec, payload: Any, key: str | None = None
    ) -> Answer | Skipped:
        """POST a payload to its model's endpoint (one Idempotency-Key for every attempt).

        Without ``key`` the harness picks one, and a body it already sent in this run is not
        sent again: the first answer is returned (nothing is paid twice). With ``key`` (the
        lifecycle's own steps) the request is always sent."""
        body = json.dumps(payload).encode()
        remembered = key is None
        if remembered:
            earlier = self._answers.get((model.endpoint, body))
            if earlier is not None:
                self.reused += 1
                return earlier
        key = key or str(uuid.uuid4())
        headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
        what = f"POST {model.endpoint}"
        for attempt in range(MAX_ATTEMPTS):
            if self.budget is not None:
                refusal = self.budget.reserve(model, payload, key)
                if refusal is not None:
                    return Skipped(refusal)
            answer = await self._asend("POST", model.endpoint, content=body, headers=headers)
            if self.budget is not None:
                self.budget.settle(key, answer)
            if 300 <= answer.status < 400:
                location = shown_url(answer.headers.get("location", "(no Location)"))
                raise HarnessError(
                    f"{self.name}: {what} answered HTTP {answer.status} to {location}: a "
                    "submission is never sent again elsewhere (its body and key stay here); "
                    "point --base-url at the server that answers"
                )
            if answer.status not in RETRY_STATUSES or attempt == MAX_ATTEMPTS - 1:
                break
            await self._back_off(answer, attempt)
        answer = self._not_rate_limited(answer, what)
        if remembered:
            self._answers[(model.endpoint, body)] = answer
        return answer

    def post(self, model: ModelSpec, payload: Any, key: str) -> Answer:
        """A submission that must go out (the lifecycle's steps); a skipped one is an error."""
        answer = self.submit(model, payload, key)
        if isinstance(answer, Skipped):
            raise HarnessError(f"the budget stopped the task lifecycle: {answer.reason}")
        return answer

    def get(self, path: str) -> Answer:
        return self.loop.run(self.aget(path))

    def task(self, task_id: str) -> Answer:
        """GET one task by the id a server gave (quoted as one path segment)."""
        return self.get(task_path(task_id))

    async def atask(self, task_id: str) -> Answer:
        return await self.aget(task_path(task_id))

    async def aget(self, path: str) -> Answer:
        for attempt in range(MAX_ATTEMPTS):
            answer = await self._asend("GET", path)
            if answer.status not in RETRY_STATUSES | {502, 504} or attempt == MAX_ATTEMPTS - 1:
                return self._not_rate_limited(answer, f"GET {path}")
            await self._back_off(answer, attempt)
        raise AssertionError("unreachable")

    def _not_rate_limited(self, answer: Answer, what: str) -> Answer:
        """A 429 says nothing of the body: after every retry it stops the run, as a harness
        error, rather than pass for a refusal (or a refused allowed body)."""
        if answer.status == 429:
            raise HarnessError(
                f"{self.name}: {what}: still rate limited (HTTP 429) after {MAX_ATTEMPTS} "
                "attempts; try a lower --rate"
            )
        return answer

    async def _back_off(self, answer: Answer, attempt: int) -> None:
        try:
            delay = float(answer.headers.get("retry-after", ""))
        except ValueError:
            delay = 0.5 * 2**attempt
        delay = min(max(delay, 0.0), MAX_RETRY_AFTER) if delay == delay else 0.5
        if answer.status == 429:
            self._hold(delay)  # every request waits, not only this one
        await asyncio.sleep(delay)

    async def _asend(self, method: str, path: str, **options: Any) -> Answer:
        client = self._http()
        async with self._slot():
            try:
                request = client.build_request(method, path, **options)
                response = await client.send(request, stream=True)
                data = await aread_capped(response, max_bytes=MAX_ANSWER_BYTES)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise HarnessError(f"{self.name}: {method} {path}: {_why(exc)}") from None
        if response.status_code == 401:
            raise HarnessError(f"{self.name}: the API key was refused (HTTP 401)")
        try:
            body = json.loads(data)
        except (ValueError, RecursionError):
            body = None
        headers = {k.lower(): v for k, v in response.headers.items()}
        text = data[: ANSWER_CHARS * 4].decode(response.encoding or "utf-8", "replace")
        return Answer(response.status_code, body, self.shown(text[:ANSWER_CHARS]), headers)

    def fetch(self, url: str) -> Fetched:
        return self.loop.run(self.afetch(url))

    async def afetch(self, url: str) -> Fetched:
        """GET a result URL the server handed out. The URL is judged first (http(s) only;
        no private or link-local address unless the base URL is one or the user allows
        it), the key goes only to the base URL's origin, redirects are followed (each hop
        judged), and at most ``max_bytes`` are read, of which the first bytes are kept."""
        client = self._http()
        for _ in range(MAX_REDIRECTS + 1):
            refused = judge_url(url, base_url=self.url, allow_private=self.allow_private)
            if refused is not None:
                hint = " (--allow-private-results fetches it)" if _private(url) else ""
                raise HarnessError(
                    f"{self.name}: a result URL was not fetched: "
                    f"{self.shown(shown_url(url))}: {refused}{hint}"
                )
            async with self._slot():
                try:
                    response = await client.send(client.build_request("GET", url), stream=True)
                    location = response.headers.get("location")
                    if response.is_redirect and location:
                        await response.aclose()
                        url = str(response.url.join(location))
                        continue
                    head, size = await _head(response, self.max_bytes)
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    shown = self.shown(shown_url(url))
                    raise HarnessError(f"{self.name}: GET {shown}: {_why(exc)}") from None
            headers = {k.lower(): v for k, v in response.headers.items()}
            return Fetched(response.status_code, head, headers, size)
        raise HarnessError(
            f"{self.name}: a result URL redirected more than {MAX_REDIRECTS} times: "
            f"{self.shown(shown_url(url))}"
        )

    def curl(self, model: ModelSpec, payload: Any) -> str:
        """A curl command that sends the payload again; the key stays in the environment."""
        url = shown_url(self.base_url).rstrip("/") + model.endpoint
        return self.shown(
            f"curl -sS -X POST {shlex.quote(url)}"
            ' -H "Authorization: Bearer $APIMART_API_KEY"'
            " -H 'Content-Type: application/json'"
            f" -d {shlex.quote(json.dumps(payload, ensure_ascii=False))}"
        )


async def _head(response: httpx.Response, limit: int) -> tuple[bytes, int]:
    """The first ``HEAD_BYTES`` of a streamed body and its whole size, refused past ``limit``;
    the rest is read and dropped, so memory stays flat whatever the size."""
    head = b""
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise AnswerTooLarge(str(response.request.url), limit)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
    finally:
        await response.aclose()
    return head, size


def _why(exc: Exception) -> str:
    if isinstance(exc, DeadlineExceeded):
        return "no whole answer within the overall deadline (--timeout)"
    if isinstance(exc, AnswerTooLarge):
        return f"the answer is larger than {exc.limit} bytes (--max-bytes for results)"
    return f"{type(exc).__name__}: {exc}"


def _private(url: str) -> bool:
    try:
        return private_host(httpx.URL(url).host)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False


def _proxy(url: str) -> str | None:
    """The proxy the environment names for ``url`` (none for loopback or a bypassed host)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    if private_host(parsed.host) or urllib.request.proxy_bypass(parsed.host):
        return None
    return urllib.request.getproxies().get(parsed.scheme)


def in_process(*, seed: int = 0, specs: Any = None) -> Target:
    """The mock, in this process, on a virtual clock: fast, and no socket."""
    from apimart_codegen.mock import IN_PROCESS_URL, MockAPI, VirtualClock

    received: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        request.read()
        received.append(request)
        return httpx.Response(200)

    mock = MockAPI(
        specs=specs,
        clock=VirtualClock(),
        seed=seed,
        webhook_transport=httpx.MockTransport(receive),
    )

    def deliveries() -> list[httpx.Request]:
        mock.deliver_webhooks()
        taken = list(received)
        received.clear()
        return taken

    return Target(
        name="the in-process mock",
        base_url="http://127.0.0.1:8000",
        api_url=IN_PROCESS_URL,
        transport=mock.transport(),
        api_key="mock-key",
        advance=mock.advance,
        deliveries=deliveries,
        fresh=lambda: in_process(seed=seed, specs=specs),
    )


def over_http(
    base_url: str,
    *,
    api_key: str,
    live: bool = False,
    budget: Budget | None = None,
    min_interval: float = 0.0,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_RESULT_BYTES,
    allow_private: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Target:
    """Any server by URL (the mock over a socket, a staging proxy, the live API)."""
    refused = judge_url(base_url, allow_private=True)
    if refused is not None:
        raise HarnessError(f"--base-url {printable(shown_url(base_url))}: {refused}")
    return Target(
        name="the live API" if live else shown_url(base_url),
        base_url=base_url,
        api_key=api_key,
        live=live,
        budget=budget,
        min_interval=min_interval,
        timeout=timeout,
        max_bytes=max_bytes,
        allow_private=allow_private,
        concurrency=concurrency,
    )


class DryRun(Target):
    """Sends nothing: prints each submission it would make and what it would cost."""

    def __init__(self, base_url: str | None) -> None:
        super().__init__(
            name="nothing (dry run)",
            base_url=base_url or "http://127.0.0.1:8000",
            api_key="",
            sends=False,
        )
        self.estimated = Decimal(0)
        self.unpriced = 0

    def submit(self, model: ModelSpec, payload: Any, key: str | None = None) -> Answer | Skipped:
        cost = estimate(model, payload)
        if cost is None:
            self.unpriced += 1
        else:
            self.estimated += cost
        self.sent += 1
        shown = (
            "unpriced" if cost is None else f"{cost} {model.price.currency if model.price else ''}"
        )
        body = printable(json.dumps(payload, ensure_ascii=False))
        print(f"POST {model.endpoint} ({shown}): {body}")
        return Skipped("dry run")
