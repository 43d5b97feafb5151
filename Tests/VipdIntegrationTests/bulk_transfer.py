#!/usr/bin/env python3
"""Byte-exact, half-close aware bulk transfer through a TCP proxy (used by the integration tests).

server PORT_FILE:  listens on --address (127.0.0.1) at --port (0: a free one), writes the port to
                   PORT_FILE; for one connection, concurrently hashes everything it receives until
                   EOF and sends --size seeded bytes, then shuts down its write side; prints
                   "server received=N sha256=H sent_sha256=H peer=ADDRESS" (the client's address as it saw it).
client HOST PORT:  connects, concurrently sends --size seeded bytes then shuts down its write side, and
                   hashes everything it receives until EOF; prints "client received=N sha256=H sent_sha256=H".
--eof-first ROLE:  that side (client or server) sends and shuts down before reading anything, and the
                   other waits for that EOF before it starts sending (half-close from that side first).
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

def run(sock, seed, size, role, eof_first):
    """Both streams of one connection; returns the summary line."""
    received, sent = hashlib.sha256(), hashlib.sha256()
    if eof_first == role:
        send_all(sock, seed, size, sent)
        count = receive_all(sock, received)
    elif eof_first:
        count = receive_all(sock, received)
        send_all(sock, seed, size, sent)
    else:
        sender = threading.Thread(target=send_all, args=(sock, seed, size, sent))
        sender.start()
        count = receive_all(sock, received)
        sender.join()
    return f"{role} received={count} sha256={received.hexdigest()} sent_sha256={sent.hexdigest()}"

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("args", nargs="+")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--eof-first", choices=["server", "client"])
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    opts = parser.parse_args()
    if opts.role == "server":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((opts.address, opts.port))
        listener.listen(1)
        listener.settimeout(120)
        with open(opts.args[0], "w") as f:
            f.write(str(listener.getsockname()[1]))
        conn, peer = listener.accept()
        conn.settimeout(300)
        print(run(conn, "server", opts.size, "server", opts.eof_first), f"peer={peer[0]}", flush=True)
        conn.close()
    else:
        sock = socket.create_connection((opts.args[0], int(opts.args[1])), timeout=30)
        sock.settimeout(300)
        print(run(sock, "client", opts.size, "client", opts.eof_first), flush=True)
        sock.close()

if __name__ == "__main__":
    sys.exit(main())
