"""Driving a real browser for the book tests: a static server that records every request,
and Debian's headless Chromium over the DevTools pipe (``--remote-debugging-pipe``: no
websocket, no driver, no extra package)."""

from __future__ import annotations

import functools
import json
import os
import select
import subprocess
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _RecordingHandler(SimpleHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        status = int(code) if str(code).isdigit() or hasattr(code, "value") else 0
        self.server.requests.append((unquote(urlsplit(self.path).path), status))

    def log_message(self, format, *args):  # keep pytest's output clean
        pass


def serve(directory: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_RecordingHandler, directory=str(directory)))
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fd_above(fd: int, minimum: int) -> int:
    import fcntl

    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, minimum)
    os.close(fd)
    return new


class Chromium:
    """Headless Chromium driven through the DevTools protocol on fds 3/4 (a pipe)."""

    def __init__(self, exe: Path, profile: Path, log_path: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # move Chromium's ends above 4 so that the redirections below cannot clobber them
        to_chrome_r, from_chrome_w = (fd_above(fd, 10) for fd in (to_chrome_r, from_chrome_w))
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-extensions", "--disable-default-apps", "--mute-audio",
                 "--hide-scrollbars", "--window-size=1280,1000",
                 # nothing but the local server resolves: CDN requests fail at once
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        self._log = open(log_path, "wb")
        # bash moves our pipe ends to the fds 3 (commands in) and 4 (replies out) Chromium expects
        script = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w} {to_chrome_r}<&- {from_chrome_w}>&-'
        self.proc = subprocess.Popen(["/bin/bash", "-c", script, str(exe), *flags],
                                     pass_fds=(to_chrome_r, from_chrome_w), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium exited (code {self.proc.poll()})")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str | None = None, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and (session is None or event.get("sessionId") == session):
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


# What the page shows, collected in the page (images decoded first, lazy ones forced).


def settle(server, quiet: float = 0.2, limit: float = 5.0):
    """Wait until the page has made no new request for ``quiet`` seconds."""
    start, seen, last_change = time.monotonic(), len(server.requests), time.monotonic()
    while time.monotonic() - start < limit:
        time.sleep(0.05)
        if len(server.requests) != seen:
            seen, last_change = len(server.requests), time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            return
