#!/usr/bin/env python3
"""Sends valid VRRPv3 IPv4 adverts at a steady rate, for `bench/monitor.sh`'s live test (root, stdlib only).

    bench/vrrp-flood.py --source 10.251.3.1 [--groups 50] [--interval-ms 10] [--seconds 10]

One raw IP socket (protocol 112, the kernel writes the IPv4 header) bound to SOURCE, multicast
to 224.0.0.18 out of SOURCE's interface with TTL 255. Each of GROUPS VRIDs (1..GROUPS) is a
master (priority 100 + VRID, one VIP 10.251.3.(100 + VRID)) advertising every INTERVAL ms
(VRRPv3 max advert interval in centiseconds), the groups evenly staggered: with the defaults
one advert every 200 us, 5,000 a second. Sends are paced on a monotonic-clock schedule (a late
wake-up sends what is due at once, so the average rate holds). Runs SECONDS, or until SIGTERM;
then prints one JSON line: {"sent": N, "seconds": S, "rate": R, "late_max_ms": L}.
"""
import argparse
import json
import signal
import socket
import struct
import time

VRRP_GROUP = "224.0.0.18"


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def advert(vrid: int, prio: int, centis: int, vip: str, source: str) -> bytes:
    body = struct.pack("!BBBBHH", 0x31, vrid, prio, 1, centis & 0x0FFF, 0) + socket.inet_aton(vip)
    pseudo = socket.inet_aton(source) + socket.inet_aton(VRRP_GROUP) + struct.pack("!BBH", 0, 112, len(body))
    return body[:6] + struct.pack("!H", checksum(pseudo + body)) + body[8:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--interval-ms", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if args.interval_ms % 10 or not 1 <= args.groups <= 150:
        parser.error("--interval-ms must be a multiple of 10 (centiseconds) and --groups 1..150")

    prefix = args.source.rsplit(".", 1)[0]
    adverts = [advert(vrid, 100 + vrid, args.interval_ms // 10, f"{prefix}.{100 + vrid}", args.source)
               for vrid in range(1, args.groups + 1)]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    sock.bind((args.source, 0))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.source))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xC0)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    step = args.interval_ms / 1000 / args.groups  # seconds between two adverts
    destination = (VRRP_GROUP, 0)
    start = time.monotonic()
    end = start + args.seconds
    sent = 0
    late_max = 0.0
    while not stopping:
        now = time.monotonic()
        if now >= end:
            break
        due = min(int((now - start) / step) + 1, int(args.seconds / step))
        if sent < due:
            late_max = max(late_max, now - (start + sent * step))
        while sent < due:
            sock.sendto(adverts[sent % args.groups], destination)
            sent += 1
        next_due = start + sent * step
        pause = next_due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    elapsed = time.monotonic() - start
    print(json.dumps({"sent": sent, "seconds": round(elapsed, 3), "rate": round(sent / elapsed, 1),
                      "late_max_ms": round(late_max * 1000, 2)}), flush=True)


if __name__ == "__main__":
    main()
