#!/usr/bin/env python3
"""Drives a proxy into running out of file descriptors (used by the integration tests).

echo PORT_FILE:            an echo server on 127.0.0.1 (free port written to PORT_FILE).
clients HOST PORT:         opens connections one by one (each must echo b"x" within 3 s) until one
                           does not, or 400; then checks that the first connection still echoes,
                           closes 8 connections, and checks that a new connection is served
                           within 15 s. Prints one JSON line with what it saw.
"""
import json, socket, sys, threading, time

def echo(port_file):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(512)
    with open(port_file, "w") as f:
        f.write(str(server.getsockname()[1]))
    def serve(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)
    server.settimeout(300)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()

def served(sock, timeout):
    try:
        sock.settimeout(timeout)
        sock.sendall(b"x")
        return sock.recv(1) == b"x"
    except OSError:
        return False

def clients(host, port):
    held = []
    stalled = None
    while len(held) < 400:
        sock = socket.create_connection((host, port), timeout=5)
        if served(sock, 3.0):
            held.append(sock)
        else:
            stalled = sock
            break
    first_still_echoes = served(held[0], 5.0) if held else False
    for sock in held[-8:]:
        sock.close()
    held = held[:-8]
    recovered = False
    deadline = time.time() + 15
    while time.time() < deadline and not recovered:
        try:
            sock = socket.create_connection((host, port), timeout=5)
            recovered = served(sock, 3.0)
            sock.close()
        except OSError:
            time.sleep(0.2)
    print(json.dumps({"served": len(held) + 8, "stalled": stalled is not None,
                      "first_still_echoes": first_still_echoes, "recovered": recovered}), flush=True)

if __name__ == "__main__":
    if sys.argv[1] == "echo":
        echo(sys.argv[2])
    else:
        clients(sys.argv[2], int(sys.argv[3]))
