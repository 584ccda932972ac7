"""Debian's nginx in front of a served project, with the kind's own deploy/nginx conf, and clients
that send their requests one byte a second (issue #13, item 8)."""

from __future__ import annotations

import contextlib
import signal
import socket
import string
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flaskstarter.smoke.serve import free_port

CONF_TEMPLATE = Path("deploy/nginx/default.conf.template")
# The port the conf listens on in a container; a test listens on a free loopback port instead.
CONTAINER_LISTEN = "listen 8080;"
# A request line and headers that never end: each client sends its next byte a second later.
SLOW_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 1000
MAIN_CONF = """\
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/site.conf;
}}
"""


def site_conf(template: Path, upstream: str, port: int) -> str:
    """The kind's conf as the nginx image's envsubst writes it, listening on loopback `port`."""
    text = string.Template(template.read_text()).safe_substitute(APP_UPSTREAM=upstream)
    assert text.count(CONTAINER_LISTEN) == 1, f"{template} does not say {CONTAINER_LISTEN!r}"
    return text.replace(CONTAINER_LISTEN, f"listen 127.0.0.1:{port};")


def write_confs(template: Path, upstream: str, prefix: Path) -> tuple[Path, int]:
    """nginx's main conf including the kind's; returns (main conf, port nginx listens on)."""
    port = free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "site.conf").write_text(site_conf(template, upstream, port))
    main = prefix / "nginx.conf"
    main.write_text(MAIN_CONF.format(prefix=prefix))
    return main, port


def check_conf(nginx: str, template: Path, prefix: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the kind's conf, with the app upstream on loopback."""
    main, _ = write_confs(template, "127.0.0.1:8000", prefix)
    command = [nginx, "-t", "-e", "stderr", "-p", str(prefix), "-c", str(main)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)


@contextlib.contextmanager
def in_front(nginx: str, template: Path, app_url: str, prefix: Path) -> Iterator[str]:
    """Run nginx with the kind's conf in front of `app_url`; yield nginx's base URL."""
    main, port = write_confs(template, urlsplit(app_url).netloc, prefix)
    command = [nginx, "-e", "stderr", "-p", str(prefix), "-c", str(main)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _wait_for_port(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(process: subprocess.Popen[bytes], port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"nginx exited with {process.returncode}: {errors}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nginx did not listen on port {port} within {timeout:.0f} s")


@contextlib.contextmanager
def slow_clients(base_url: str, count: int) -> Iterator[None]:
    """`count` connections to `base_url` sending a request one byte a second until the end."""
    address = urlsplit(base_url)
    sockets = [
        socket.create_connection((address.hostname, address.port), timeout=5) for _ in range(count)
    ]
    done = threading.Event()

    def trickle() -> None:
        for byte in range(len(SLOW_REQUEST)):
            for client in sockets:
                with contextlib.suppress(OSError):  # the server may give up on a client
                    client.send(SLOW_REQUEST[byte : byte + 1])
            if done.wait(1.0):
                return

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        time.sleep(0.5)  # the server has read every client's first byte
        yield
    finally:
        done.set()
        sender.join()
        for client in sockets:
            client.close()


def healthz_status(base_url: str, timeout: float) -> int | None:
    """GET /healthz's status, or None when no answer came within `timeout` seconds."""
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=timeout) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return None
        raise
    except TimeoutError:
        return None


def check_compose_proxy(compose: dict[str, Any]) -> None:
    """compose.yaml serves the app through nginx: the proxy alone is published, on loopback."""
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:1."), "the official nginx image, pinned"
    assert proxy["environment"]["APP_UPSTREAM"] == "web:8000"
    assert f"./{CONF_TEMPLATE.parent}:/etc/nginx/templates:ro" in proxy["volumes"]
    assert proxy["ports"] == ["127.0.0.1:8000:8080"]
    assert "ports" not in services["web"], "gunicorn is reached through the proxy alone"


def check_kubernetes_proxy(project: Path, manifests: dict[str, Any]) -> None:
    """Each web pod runs nginx, with deploy/nginx's conf, in front of gunicorn; the Service too."""
    pod = manifests["deployment"]["spec"]["template"]["spec"]
    proxy = next(container for container in pod["containers"] if container["name"] == "proxy")
    mounts = {mount["mountPath"]: mount["name"] for mount in proxy["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    config_map = manifests["nginx-configmap"]
    conf_volume = volumes[mounts["/etc/nginx/conf.d"]]
    assert conf_volume["configMap"]["name"] == config_map["metadata"]["name"]
    written_once = string.Template((project / CONF_TEMPLATE).read_text())
    expected = written_once.safe_substitute(APP_UPSTREAM="127.0.0.1:8000")
    assert config_map["data"]["default.conf"] == expected
    assert proxy["securityContext"]["readOnlyRootFilesystem"] is True
    [port] = proxy["ports"]
    assert port["containerPort"] == 8080
    assert manifests["service"]["spec"]["ports"][0]["targetPort"] == port["name"]
    assert manifests["configmap"]["data"]["FLASK_BEHIND_PROXY"] == "true"
