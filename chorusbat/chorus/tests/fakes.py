"""Small in-memory Chorus Pro for unit tests (``httpx.MockTransport``); integration tests use the real sandbox.

``FakeChorus`` answers the token endpoint and routes ``/cpro/...`` paths to per-path scripted answers. It records
every request so tests can count token requests and inspect headers.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable

import httpx

from chorusbat.chorus.client import ChorusClient
from chorusbat.chorus.config import ClientConfig, PisteApplication, TechnicalAccount
from chorusbat.chorus.environments import sandbox
from chorusbat.chorus.retry import RetryPolicy
from chorusbat.chorus.tokens import TokenCache

CLIENT_SECRET = "piste-s3cret-Zq81"
TECH_PASSWORD = "Tech-P4ssword-Xy!"
TECH_LOGIN = "TECH_1_73282932000074@cpro.fr"
BASE_URL = "http://chorus.test"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def ok(payload: dict | None = None, status: int = 200, **headers: str) -> httpx.Response:
    body = {"codeRetour": 0, "libelle": "GCU_MSG_01_000", **(payload or {})}
    return httpx.Response(status, json=body, headers=headers)


class FakeChorus:
    """Scripted answers per path; a path's queue is consumed in order, its last answer repeats."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: dict[str, deque[Answer]] = defaultdict(deque)
        self.token_count = 0
        self.token_answers: deque[Answer] = deque()
        self.token_lifetime = 3600

    def on(self, path: str, *answers: Answer) -> FakeChorus:
        self.answers[path].extend(answers)
        return self

    def replace(self, path: str, *answers: Answer) -> FakeChorus:
        self.answers[path].clear()
        return self.on(path, *answers)

    def on_token(self, *answers: Answer) -> FakeChorus:
        self.token_answers.extend(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/oauth/token":
            self.token_count += 1
            if self.token_answers:
                return self._play(self.token_answers, request)
            token = f"token-{self.token_count}"
            return httpx.Response(200, json={"access_token": token, "token_type": "Bearer",
                                             "expires_in": self.token_lifetime, "scope": "openid"})
        queue = self.answers.get(request.url.path)
        if not queue:
            return httpx.Response(404, json={"error": "API non trouvée"})
        return self._play(queue, request)

    @staticmethod
    def _play(queue: deque[Answer], request: httpx.Request) -> httpx.Response:
        answer = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def api_requests(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    def json_of(self, request: httpx.Request) -> dict:
        return json.loads(request.content)


class RecordingSleep:
    """Injectable ``sleep`` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_config(base_url: str = BASE_URL, *, secret: str = CLIENT_SECRET, login: str = TECH_LOGIN,
                password: str = TECH_PASSWORD, client_id: str = "client-id-1") -> ClientConfig:
    return ClientConfig(
        environment=sandbox(base_url),
        application=PisteApplication(client_id=client_id, client_secret=secret),
        account=TechnicalAccount(login=login, password=password),
    )


def make_client(fake: FakeChorus, *, sleep: RecordingSleep | None = None, **config) -> ChorusClient:
    retry = RetryPolicy(sleep=sleep or RecordingSleep(), random=lambda: 0.5)
    return ChorusClient(make_config(**config), token_cache=TokenCache(), retry=retry,
                        transport=httpx.MockTransport(fake))
