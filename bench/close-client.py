#!/usr/bin/env python3
"""CONNECTIONS connections to 127.0.0.1:PORT, one after the other: each sends one
`GET /index.html` with `Connection: close`, reads the answer until the other side closes, and
closes. Exits non-zero when an answer is not a 200.

    close-client.py PORT CONNECTIONS

Used by bench/tcp-instructions.sh: the cost of a whole connection (accept, connect to the server,
one exchange, close) through a TCP-mode proxy, with a load that needs nothing but Python."""
import socket
import sys

port, connections = int(sys.argv[1]), int(sys.argv[2])
request = b"GET /index.html HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
for made in range(connections):
    connection = socket.create_connection(("127.0.0.1", port), timeout=120)
    connection.sendall(request)
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    connection.close()
    if not answer.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"connection {made + 1}: unexpected answer {answer[:40]!r}")
