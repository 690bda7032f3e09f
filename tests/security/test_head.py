"""HEAD gives headers and no body, for every endpoint, under the real server (gunicorn),
so the next response on a keep-alive connection is read correctly."""

import os
import socket
import subprocess
import sys

import pytest

from .test_gunicorn import BASE_DIR, gunicorn

PYTHON = sys.executable


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("head")
    settings = {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "RELEASES_DIR": str(folder / "releases"),
        "ANON_THROTTLE_RATE": "off",
    }
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **settings}
    for command in (["migrate", "-v0"], ["load_datapackage", "dataset", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=BASE_DIR, env=environment, check=True)
    with gunicorn(folder, **settings) as port:
        yield port


def receive(connection):
    data = connection.recv(65536)
    assert data, "the server closed the connection"
    return data


def read_response(connection, buffer, *, head):
    """(status, headers, body, rest of the buffer) of one HTTP/1.1 response."""
    while b"\r\n\r\n" not in buffer:
        buffer += receive(connection)
    top, _, buffer = buffer.partition(b"\r\n\r\n")
    status_line, *lines = top.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    if head:
        return int(status_line.split()[1]), headers, buffer, b""
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buffer:
                buffer += receive(connection)
            size_line, _, buffer = buffer.partition(b"\r\n")
            size = int(size_line, 16)
            while len(buffer) < size + 2:
                buffer += receive(connection)
            body, buffer = body + buffer[:size], buffer[size + 2 :]
            if size == 0:
                return int(status_line.split()[1]), headers, body, buffer
    length = int(headers.get("content-length", 0))
    while len(buffer) < length:
        buffer += receive(connection)
    return int(status_line.split()[1]), headers, buffer[:length], buffer[length:]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/",
        "/api/v1/events/?format=csv",
        "/api/v1/events/1/",
        "/api/v1/alignment/?actors=russia,iran",
        "/api/v1/nothing-here/",
    ],
)
def test_head_has_no_body_and_keeps_the_connection_usable(server, path):
    def send(method):
        request = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        connection.sendall(request.encode("latin-1"))

    with socket.create_connection(("127.0.0.1", server), timeout=30) as connection:
        send("HEAD")
        head_status, head_headers, buffer, _ = read_response(connection, b"", head=True)
        send("GET")
        # Whatever follows the HEAD's headers must be the GET's status line: a body sent
        # after HEAD would be read as the start of the next response.
        while len(buffer) < 12:
            buffer += receive(connection)
        assert buffer.startswith(b"HTTP/1.1 "), buffer[:80]
        get_status, get_headers, body, _ = read_response(connection, buffer, head=False)
    assert head_status == get_status
    assert head_headers["content-type"] == get_headers["content-type"]
    assert body
