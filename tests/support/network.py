"""Network stand-ins for tests that must behave the same offline and online."""

import socket


def closed_port_url(name: str = "input.txt") -> str:
    """A URL on 127.0.0.1 where nobody listens: the connection is refused at once."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/{name}"
