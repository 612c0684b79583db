"""The official Swagger files, driven against the running sandbox by schemathesis (fidelity review, issue 11).

Every operation of the Factures and Structures Swagger files (the reference copies beside the repository, found
like the other reference documents through ``conftest.REFERENCE_DIR``) receives generated requests: valid and
invalid bodies, other HTTP methods (the coverage phase tries e.g. TRACE), integers beyond 64 bits… The checks:

* ``not_a_server_error`` — bad input is a 4xx with a Chorus-style body, never a 5xx;
* ``response_schema_conformance`` — a 200 answer matches the operation's Swagger definition;
* ``content_type_conformance`` — every answer is ``application/json;charset=utf-8`` as the Swagger declares.

Bounded and reproducible: a fixed seed, schemathesis's deterministic mode, no example database (no replay of
earlier runs), one worker, a bounded number of examples per operation, and Hypothesis's generation health checks
(``too_slow`` above all, which a loaded machine trips) turned off — they judge the generator, not the sandbox.

Documented exclusions: none is needed today. Should a Swagger response schema contradict the real platform, add the
operation and check to ``EXCLUSIONS`` with the reason and the source, so the exception stays visible here.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import httpx
import pytest

from conftest import REFERENCE_DIR

SWAGGER_DIR = REFERENCE_DIR / "chorus-pro"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
SEED = 20261202
MAX_EXAMPLES = 10  # per operation in the fuzzing phase; the coverage phase adds its boundary cases
TIMEOUT_SECONDS = 600  # a hard stop only: a run takes a few seconds to a minute on a loaded 2-core machine

#: ``family → [(st run option, value, reason)]``: deliberate deviations from the Swagger. Empty: none needed.
EXCLUSIONS: dict[str, list[tuple[str, str, str]]] = {}


def token(sandbox) -> str:
    creds = sandbox.credentials["piste"]
    response = httpx.post(sandbox.token_url, data={"grant_type": "client_credentials", "scope": "openid", **creds})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.mark.parametrize("family", ["factures", "structures"])
def test_official_swagger_finds_no_failure_in_the_sandbox(sandbox, family, tmp_path):
    swagger = SWAGGER_DIR / f"{family}.swagger.json"
    if not swagger.exists():
        pytest.fail(f"the reference Swagger file is missing: {swagger} (set CHORUSBAT_REFERENCE_DIR)")
    account = sandbox.credentials["technical_accounts"][0]
    cpro_account = base64.b64encode(f"{account['login']}:{account['password']}".encode()).decode("ascii")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(swagger),
        "--url", f"{sandbox.base_url}/cpro/{family}",
        "--header", f"Authorization: Bearer {token(sandbox)}",
        "--header", f"cpro-account: {cpro_account}",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--generation-deterministic",  # implies no example database
        "--workers", "1",
        "--suppress-health-check", "all",
        "--request-timeout", "30",
        "--no-color",
    ]
    for option, value, _reason in EXCLUSIONS.get(family, []):
        command += [option, value]
    # The run's own files (reports, caches) stay in the test's temporary directory. The root conftest's loopback
    # guard does not reach a subprocess: a dead proxy does, for anything but loopback.
    dead_proxy = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead_proxy, "HTTPS_PROXY": dead_proxy, "http_proxy": dead_proxy,
           "https_proxy": dead_proxy, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, cwd=tmp_path, env=env)
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis found failures against the sandbox ({family}):\n{output[-20000:]}"
    assert "generated," in output and " passed" in output, output[-5000:]  # it really ran its cases
