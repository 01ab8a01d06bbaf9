"""Where the contract cases go: the in-process mock, any server by URL, or the live API.

A target sends raw HTTP (httpx): the harness must see exactly what the server answers, so
the generated client (which validates first and retries) is not in the way. Against the
live API every request that could create a task is paid for: the target reserves its
estimated cost before sending, within ``Budget``, and never goes past it, retries included.
"""

from __future__ import annotations

import json
import shlex
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import httpx

from apimart_codegen.spec.model import ModelSpec

LIVE_URL: Final = "https://api.apimart.ai"
RETRY_STATUSES: Final = frozenset({429, 503})
"""Answers after which a submission certainly created nothing, so it may be sent again."""
MAX_ATTEMPTS: Final = 4
MAX_RETRY_AFTER: Final = 30.0


class HarnessError(Exception):
    """The run cannot go on: unreachable server, rejected key, a budget that allows nothing."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A server's answer: status, JSON body (None when not JSON), the headers that matter."""

    status: int
    body: Any
    text: str
    headers: Mapping[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Fetched:
    """A downloaded result: status, bytes and headers."""

    status: int
    content: bytes
    headers: Mapping[str, str]


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
    if price.per == "image":
        return amount * results_expected(model, payload)
    if price.per == "second":
        seconds = payload.get("duration")
        return amount * (seconds if isinstance(seconds, int) and seconds > 0 else 15)
    return None


@dataclass
class Budget:
    """Hard limits for paid runs; ``reserve`` says whether one more paid request fits."""

    max_cost: Decimal = Decimal(0)
    allow_unpriced: bool = False
    max_requests: int | None = None
    spent: Decimal = Decimal(0)
    requests: int = 0
    unpriced: int = 0

    def reserve(self, model: ModelSpec, payload: Any) -> str | None:
        """Reserve one request that may create a task; None if it fits, else why not."""
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
        return None

    def release(self, model: ModelSpec, payload: Any) -> None:
        """Give back a reservation whose request created nothing (it was refused)."""
        cost = estimate(model, payload)
        if cost is not None:
            self.spent -= cost


@dataclass
class Target:
    """One server to test: a name for reports, a client, and how time passes there."""

    name: str
    base_url: str
    client: httpx.Client
    api_key: str
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
    sent: int = 0
    sends: bool = True
    """False for a dry run: nothing reaches a server, so no task can be followed."""
    _last: float = field(default=0.0, repr=False)

    @property
    def flags(self) -> str:
        """The `apimart contract` options that pick this target again (for replay lines)."""
        if self.live:
            return "--live"
        if self.advance is not None:
            return ""
        return f"--base-url {shlex.quote(self.base_url)}"

    def close(self) -> None:
        self.client.close()

    def wait(self, seconds: float) -> None:
        if self.advance is not None:
            self.advance(seconds)
        else:
            time.sleep(seconds)

    def _pace(self) -> None:
        if self.min_interval > 0:
            delay = self._last + self.min_interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self._last = time.monotonic()

    def submit(self, model: ModelSpec, payload: Any, key: str | None = None) -> Answer | Skipped:
        """POST a payload to its model's endpoint (one Idempotency-Key for every attempt)."""
        key = key or str(uuid.uuid4())
        headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
        body = json.dumps(payload).encode()
        for attempt in range(MAX_ATTEMPTS):
            if self.budget is not None:
                refusal = self.budget.reserve(model, payload)
                if refusal is not None:
                    return Skipped(refusal)
            answer = self._send("POST", model.endpoint, content=body, headers=headers)
            if self.budget is not None and not answer.ok:
                self.budget.release(model, payload)
            if answer.status not in RETRY_STATUSES or attempt == MAX_ATTEMPTS - 1:
                return self._not_rate_limited(answer, f"POST {model.endpoint}")
            self._back_off(answer, attempt)
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

    def post(self, model: ModelSpec, payload: Any, key: str) -> Answer:
        """A submission that must go out (the lifecycle's steps); a skipped one is an error."""
        answer = self.submit(model, payload, key)
        if isinstance(answer, Skipped):
            raise HarnessError(f"the budget stopped the task lifecycle: {answer.reason}")
        return answer

    def fetch(self, url: str) -> Fetched:
        """GET a result URL the server handed out."""
        self._pace()
        self.sent += 1
        try:
            response = self.client.get(url)
        except httpx.TransportError as exc:
            raise HarnessError(f"{self.name}: GET {url}: {type(exc).__name__}: {exc}") from None
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Fetched(response.status_code, response.content, headers)

    def get(self, path: str) -> Answer:
        for attempt in range(MAX_ATTEMPTS):
            answer = self._send("GET", path)
            if answer.status not in RETRY_STATUSES | {502, 504} or attempt == MAX_ATTEMPTS - 1:
                return self._not_rate_limited(answer, f"GET {path}")
            self._back_off(answer, attempt)
        raise AssertionError("unreachable")

    def _back_off(self, answer: Answer, attempt: int) -> None:
        try:
            delay = float(answer.headers.get("retry-after", ""))
        except ValueError:
            delay = 0.5 * 2**attempt
        time.sleep(min(max(delay, 0.0), MAX_RETRY_AFTER))

    def _send(self, method: str, path: str, **options: Any) -> Answer:
        self._pace()
        self.sent += 1
        try:
            response = self.client.request(method, path, **options)
        except httpx.TransportError as exc:
            raise HarnessError(
                f"{self.name}: {method} {path}: {type(exc).__name__}: {exc}"
            ) from None
        if response.status_code == 401:
            raise HarnessError(f"{self.name}: the API key was refused (HTTP 401)")
        try:
            body = response.json()
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Answer(response.status_code, body, response.text[:2000], headers)

    def curl(self, model: ModelSpec, payload: Any) -> str:
        """A curl command that sends the payload again; the key stays in the environment."""
        url = self.base_url.rstrip("/") + model.endpoint
        return (
            f"curl -sS -X POST {shlex.quote(url)}"
            ' -H "Authorization: Bearer $APIMART_API_KEY"'
            " -H 'Content-Type: application/json'"
            f" -d {shlex.quote(json.dumps(payload, ensure_ascii=False))}"
        )


def in_process(*, seed: int = 0, specs: Any = None) -> Target:
    """The mock, in this process, on a virtual clock: fast, and no socket."""
    from apimart_codegen.mock import MockAPI, VirtualClock

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
        client=mock.client(timeout=30.0),
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
    timeout: float = 60.0,
) -> Target:
    """Any server by URL (the mock over a socket, a staging proxy, the live API)."""
    client = httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=timeout,
        trust_env=not base_url.startswith(("http://127.", "http://localhost", "http://[::1]")),
    )
    return Target(
        name="the live API" if live else base_url,
        base_url=base_url,
        client=client,
        api_key=api_key,
        live=live,
        budget=budget,
        min_interval=min_interval,
    )


class DryRun(Target):
    """Sends nothing: prints each submission it would make and what it would cost."""

    def __init__(self, base_url: str | None) -> None:
        super().__init__(
            name="nothing (dry run)",
            base_url=base_url or "http://127.0.0.1:8000",
            client=httpx.Client(),
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
        print(f"POST {model.endpoint} ({shown}): {json.dumps(payload, ensure_ascii=False)}")
        return Skipped("dry run")
