#!/usr/bin/env python3
"""One keep-alive HTTP/1.1 connection to 127.0.0.1:PORT sending REQUESTS `GET /index.html`, one
after the other: each response (a 200 with a Content-Length) is read whole before the next
request goes. Exits non-zero when the connection closes early or an answer is not a 200.

    keepalive-client.py PORT REQUESTS

Used by bench/http-instructions.sh; a load that, unlike wrk, needs nothing but Python."""
import socket
import sys

port, requests = int(sys.argv[1]), int(sys.argv[2])
connection = socket.create_connection(("127.0.0.1", port), timeout=120)
request = b"GET /index.html HTTP/1.1\r\nHost: bench\r\n\r\n"
buffered = b""
for sent in range(requests):
    connection.sendall(request)
    while True:
        end = buffered.find(b"\r\n\r\n")
        if end >= 0:
            head = buffered[:end].decode("latin-1")
            lengths = [line.split(":", 1)[1] for line in head.split("\r\n") if line.lower().startswith("content-length:")]
            if not head.startswith("HTTP/1.1 200") or not lengths:
                raise SystemExit(f"request {sent + 1}: unexpected answer {head.splitlines()[0]!r}")
            if len(buffered) >= end + 4 + int(lengths[0]):
                buffered = buffered[end + 4 + int(lengths[0]):]
                break
        chunk = connection.recv(65536)
        if not chunk:
            raise SystemExit(f"connection closed after {sent} answers")
        buffered += chunk
connection.close()
