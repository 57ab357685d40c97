"""The published OpenAPI document against the served API: schemathesis
generates requests for every operation from the document (fixed seed,
bounded examples, valid and invalid requests) and checks every answer: no 5xx, and every status,
content type, header and body as declared.

Left out: `positive_data_acceptance` (every schema-valid request must
succeed): some rules are not expressible in the schema (a username's
syntax after lowercasing, a visible display name, base64 keys of 32
bytes, ids that must exist) and answer 400/404 by design. And
`negative_data_rejection` (every schema-violating request must be
refused): Litestar converts bodies leniently (`0` for false, `"3"` for 3),
so some are accepted as the value they mean. Invalid requests are still
generated, and must get a declared 4xx, never a 5xx."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess

PASSWORD = "correct horse battery"
# Ending the session every other request uses would turn the rest into 401s.
SKIP = {("POST", "/api/v1/auth/logout")}


@pytest.fixture
def served(tmp_path_factory) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    server = ServerProcess(tmp_path_factory.mktemp("schemathesis"), config=BENCH_CONFIG, env=BENCH_ENV)
    asyncio.run(server.start())
    try:
        r = httpx.post(f"{server.url}/api/v1/auth/register", json={"username": "admin", "password": PASSWORD},
                       trust_env=False)
        yield server, {"Authorization": f"Bearer {r.json()['token']}"}
    finally:
        server.stop()


LEFT_OUT = [positive_data_acceptance, negative_data_rejection]
EXAMPLES = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def explain(err: BaseException) -> str:
    """The message with every sub-exception's (Hypothesis wraps a flaky
    failure in a group whose own text names none of them)."""
    parts = [f"{type(err).__name__}: {err}"]
    inner = list(getattr(err, "exceptions", None) or [])
    if err.__cause__ is not None:  # Hypothesis wraps a BaseException (schemathesis' FailureGroup)
        inner.append(err.__cause__)
    for sub in inner:
        parts.append("  " + explain(sub).replace("\n", "\n  "))
    return "\n".join(parts)


# The run takes 2-3 minutes alone and longer on a busy machine: pytest's
# 120 s default fired inside a Hypothesis example, which reported it as a
# "flaky" failure of whatever operation was running (each run another one).
@pytest.mark.timeout(900)
def test_every_operation_answers_as_documented(served):
    server, auth = served
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    failures: dict[str, str] = {}
    for result, mode in itertools.product(schema.get_all_operations(), schemathesis.GenerationMode):
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @EXAMPLES
        def check(case) -> None:
            case.call_and_validate(base_url=server.url, headers=auth, excluded_checks=LEFT_OUT)

        try:
            check()
        except Unsatisfiable:
            pass  # negative mode on an operation with no input that could be invalid
        except BaseException as err:  # noqa: BLE001 - gathered (FailureGroup is a BaseExceptionGroup)
            failures[f"{operation.method.upper()} {operation.path} ({mode.value})"] = explain(err)[:3000]
    assert not failures, "\n\n".join(f"{op}: {why}" for op, why in failures.items())
