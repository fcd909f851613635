"""deploy/nginx.conf run for real by the tests, in front of two local instances:

    with running_nginx(instances, workdir) as proxy:
        httpx.get(f"{proxy.url}/health")
        proxy.upstreams_by_route()   # {ccrm_route cookie: {"127.0.0.1:<port>", ...}} from its access log
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.live_server import ROOT, Instances, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: The marks of a test that runs nginx in front of two instances on PostgreSQL.
PROXY_TEST_MARKS = [
    pytest.mark.e2e,
    pytest.mark.postgres_only,
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed"),
]
#: How long nginx may take to answer its first request.
STARTUP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Proxy:
    url: str
    access_log: Path

    def upstreams_by_route(self) -> dict[str, set[str]]:
        """The instances (`host:port`) each routing cookie's requests went to."""
        routes: dict[str, set[str]] = defaultdict(set)
        for line in self.access_log.read_text().splitlines():
            match = re.search(r"route=(\S+) upstream=(.*) time=", line)
            if match:
                # a retried request lists every upstream it tried ("a:1, b:2"); it ended on the last
                routes[match.group(1)].add(match.group(2).split(",")[-1].strip())
        return routes


def render_config(instances: Instances, port: int, access_log: Path) -> str:
    """The deployment's config with its upstreams and port pointed at the local test servers."""
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = [
        (r"server app1:8080", f"server 127.0.0.1:{instances.a.port}"),
        (r"server app2:8080", f"server 127.0.0.1:{instances.b.port}"),
        (r"listen 80;", f"listen 127.0.0.1:{port};"),
        (r"access_log /var/log/nginx/access.log ccrm;", f"access_log {access_log} ccrm;"),
    ]
    for pattern, replacement in replacements:
        config, count = re.subn(re.escape(pattern), replacement, config)
        assert count == 1, f"deploy/nginx.conf no longer contains {pattern!r}"
    return config


@contextmanager
def running_nginx(instances: Instances, workdir: Path) -> Iterator[Proxy]:
    """nginx with deploy/nginx.conf on a free port, its files in `workdir`; stopped after the block."""
    port = free_port()
    proxy = Proxy(f"http://127.0.0.1:{port}", workdir / "access.log")
    (workdir / "nginx.conf").write_text(render_config(instances, port, proxy.access_log))
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e", str(workdir / "error.log"),
         "-g", f"pid {workdir / 'nginx.pid'}; daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            try:
                if httpx.get(f"{proxy.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not come up: {(workdir / 'error.log').read_text()}")
            time.sleep(0.1)
        yield proxy
    finally:
        process.terminate()
        process.wait(10)
