#!/usr/bin/env python3
"""Byte-exact, half-close aware bulk transfer through a TCP proxy (used by the integration tests).

server PORT_FILE:  listens on 127.0.0.1 (free port written to PORT_FILE); per connection, concurrently
                   hashes everything it receives until EOF and sends --size seeded bytes, then
                   shuts down its write side; prints "server received=N sha256=H sent_sha256=H" at the end.
client HOST PORT:  connects, concurrently sends --size seeded bytes then shuts down its write side, and
                   hashes everything it receives until EOF; prints "client received=N sha256=H sent_sha256=H".
--server-first-eof: the server sends and shuts down before reading anything, and the client waits
                   for that EOF before it starts sending (half-close from the server side first).
"""
import argparse, hashlib, socket, sys, threading

CHUNK = 256 * 1024

def stream(seed, size):
    block = hashlib.sha256(seed.encode()).digest() * (CHUNK // 32)
    sent = 0
    n = 0
    while sent < size:
        # vary each chunk so reordering or duplication would change the hash
        piece = bytes([n & 0xFF]) + block[1:]
        piece = piece[: min(CHUNK, size - sent)]
        yield piece
        sent += len(piece)
        n += 1

def send_all(sock, seed, size, digest):
    for piece in stream(seed, size):
        sock.sendall(piece)
        digest.update(piece)
    sock.shutdown(socket.SHUT_WR)

def receive_all(sock, digest):
    total = 0
    while True:
        data = sock.recv(CHUNK)
        if not data:
            return total
        digest.update(data)
        total += len(data)

def run(sock, seed, size, role, server_first_eof):
    received, sent = hashlib.sha256(), hashlib.sha256()
    if server_first_eof and role == "server":
        send_all(sock, seed, size, sent)
        count = receive_all(sock, received)
    elif server_first_eof and role == "client":
        count = receive_all(sock, received)
        send_all(sock, seed, size, sent)
    else:
        sender = threading.Thread(target=send_all, args=(sock, seed, size, sent))
        sender.start()
        count = receive_all(sock, received)
        sender.join()
    print(f"{role} received={count} sha256={received.hexdigest()} sent_sha256={sent.hexdigest()}", flush=True)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("args", nargs="+")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--server-first-eof", action="store_true")
    opts = parser.parse_args()
    if opts.role == "server":
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(120)
        with open(opts.args[0], "w") as f:
            f.write(str(listener.getsockname()[1]))
        conn, _ = listener.accept()
        conn.settimeout(300)
        run(conn, "server", opts.size, "server", opts.server_first_eof)
        conn.close()
    else:
        sock = socket.create_connection((opts.args[0], int(opts.args[1])), timeout=30)
        sock.settimeout(300)
        run(sock, "client", opts.size, "client", opts.server_first_eof)
        sock.close()

if __name__ == "__main__":
    sys.exit(main())
