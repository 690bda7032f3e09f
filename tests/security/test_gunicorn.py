"""The real server: what gunicorn refuses before Django is JSON too."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(folder, **environment):
    """A real gunicorn with gunicorn.conf.py on a free port; yields the port."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CACHE_DIR": str(folder / "cache"),
        "WEB_CONCURRENCY": "1",
        **environment,
    }
    process = subprocess.Popen(
        [GUNICORN, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            assert process.poll() is None, "gunicorn exited at start-up"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # No request below reaches the database.
    with gunicorn(tmp_path_factory.mktemp("gunicorn")) as port:
        yield port


def exchange(port, request):
    """Send raw bytes; return (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


def get(path, *headers):
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_detail(headers, body):
    assert headers["content-type"] == "application/json"
    return json.loads(body)["detail"]


def test_an_overlong_request_line_is_json(server):
    status, headers, body = exchange(server, get("/api/v1/events/?q=" + "x" * 5000))
    assert status == 400
    assert "Request Line is too large" in json_detail(headers, body)


def test_too_many_headers_is_json(server):
    status, headers, body = exchange(server, get("/api/v1/", *(f"X-H{n}: 1" for n in range(101))))
    assert status == 431
    assert "limit request headers fields" in json_detail(headers, body)


def test_an_overlong_header_is_json(server):
    status, headers, body = exchange(server, get("/api/v1/", "X-Long: " + "x" * 9000))
    assert status == 431
    assert "limit request headers fields size" in json_detail(headers, body)


def test_what_django_refuses_is_json_through_the_server(server):
    request = get("/api/v1/").replace(b"Host: 127.0.0.1", b"Host: evil.example")
    status, headers, body = exchange(server, request)
    assert status == 400
    assert "Host header" in json_detail(headers, body)


def test_a_request_within_the_limits_is_served(server):
    status, headers, body = exchange(server, get("/api/v1/?format=json"))
    assert status == 200
    assert "events" in json.loads(body)
