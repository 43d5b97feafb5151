#!/usr/bin/env python3
"""Idle-connection helper for bench/run.sh (loopback only).

  idle.py serve --port P --count-file F
      An idle TCP backend: accepts connections, never writes, counts how many are open
      and rewrites that number to F four times a second. Runs until SIGTERM.

  idle.py hold --port P --count N --pid PID --count-file F [--timeout S]
      Measures the proxy PID's VmRSS, opens N connections to 127.0.0.1:P (the proxy),
      waits until the backend behind the proxy reports N open connections, measures VmRSS
      again, prints one JSON line {"requested", "opened", "backend_open", "rss_before_kb",
      "rss_after_kb", "bytes_per_connection"}, then closes everything and waits (bounded)
      for the backend to drain.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import time


def read_rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def read_count(path):
    try:
        with open(path) as handle:
            return int(handle.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


async def serve(port, count_file):
    open_connections = 0

    async def handle(reader, writer):
        nonlocal open_connections
        open_connections += 1
        try:
            while await reader.read(65536):
                pass
        except ConnectionError:
            pass
        finally:
            open_connections -= 1
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096, reuse_address=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        while not stop.is_set():
            temporary = count_file + ".tmp"
            with open(temporary, "w") as handle:
                handle.write(str(open_connections))
            os.replace(temporary, count_file)
            try:
                await asyncio.wait_for(stop.wait(), 0.25)
            except asyncio.TimeoutError:
                pass


def wait_for_count(count_file, predicate, deadline):
    while time.monotonic() < deadline:
        count = read_count(count_file)
        if predicate(count):
            return count
        time.sleep(0.1)
    return read_count(count_file)


def hold(port, count, pid, count_file, timeout):
    deadline = time.monotonic() + timeout
    time.sleep(1.0)
    rss_before = read_rss_kb(pid)
    sockets = []
    try:
        for index in range(count):
            if time.monotonic() > deadline:
                break
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            if index % 500 == 499:
                # Let the proxy's accept and backend connect keep up with the client.
                wait_for_count(count_file, lambda seen: seen >= len(sockets) - 500, min(deadline, time.monotonic() + 10))
        backend_open = wait_for_count(count_file, lambda seen: seen >= len(sockets), deadline)
        time.sleep(2.0)
        rss_after = read_rss_kb(pid)
        opened = len(sockets)
        print(json.dumps({
            "requested": count,
            "opened": opened,
            "backend_open": backend_open,
            "rss_before_kb": rss_before,
            "rss_after_kb": rss_after,
            "bytes_per_connection": round((rss_after - rss_before) * 1024 / opened) if opened else None,
        }))
    finally:
        for connection in sockets:
            connection.close()
        wait_for_count(count_file, lambda seen: seen == 0, time.monotonic() + 30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve")
    serve_parser.add_argument("--port", type=int, required=True)
    serve_parser.add_argument("--count-file", required=True)
    hold_parser = commands.add_parser("hold")
    hold_parser.add_argument("--port", type=int, required=True)
    hold_parser.add_argument("--count", type=int, required=True)
    hold_parser.add_argument("--pid", type=int, required=True)
    hold_parser.add_argument("--count-file", required=True)
    hold_parser.add_argument("--timeout", type=float, default=120)
    arguments = parser.parse_args()
    if arguments.command == "serve":
        asyncio.run(serve(arguments.port, arguments.count_file))
    else:
        hold(arguments.port, arguments.count, arguments.pid, arguments.count_file, arguments.timeout)


if __name__ == "__main__":
    sys.exit(main())
