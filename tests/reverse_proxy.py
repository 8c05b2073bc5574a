"""A tiny reverse proxy for tests, doing what the README's nginx does for the app:

    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;

Every request is passed on to the upstream server with the address of the connection it came
from appended to X-Forwarded-For (after whatever the client itself sent there). Tests run it as a
process of its own, on 127.0.0.1, and connect from other loopback addresses (127.0.0.2, ...) to be
distinct clients:

    python -m tests.reverse_proxy --port 8001 --upstream 8000
"""

from __future__ import annotations

import argparse
import http.client
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

# Headers about one connection, not the message: a proxy never passes them on (RFC 9110 7.6.1).
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


def forwarded_for(sent: str | None, peer: str) -> str:
    """nginx's $proxy_add_x_forwarded_for: the client's header, then the connection's address."""
    return f"{sent}, {peer}" if sent else peer


class ProxyHandler(BaseHTTPRequestHandler):
    upstream: tuple[str, int] = ("127.0.0.1", 0)

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers.pop("X-Forwarded-For", None)
        headers["X-Forwarded-For"] = forwarded_for(
            self.headers.get("X-Forwarded-For"), self.client_address[0]
        )
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
        finally:
            upstream.close()
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_HEAD = _relay

    def log_message(self, format: str, *args) -> None:
        print(f"{self.client_address[0]} {format % args}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    args = parser.parse_args()
    ProxyHandler.upstream = ("127.0.0.1", args.upstream)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), ProxyHandler)
    print(f"proxy on 127.0.0.1:{args.port} -> 127.0.0.1:{args.upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
