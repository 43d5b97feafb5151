#!/usr/bin/env python3
"""Writes a pcap of a busy, healthy VRRP segment for `bench/monitor.sh` (python3 stdlib only).

    bench/make-capture.py OUT.pcap [--packets N] [--groups G] [--v2-groups G2] [--only KIND] [--seed S]

Classic pcap, Ethernet, nanosecond timestamps, N packets (default 1,000,000), in capture-time
order, built from these sources (time is compressed so that N packets fit in a short span):

- G VRRPv3 groups (default 100, VRIDs 1..G), IPv4 multicast to 224.0.0.18, one master each
  advertising every 10 ms (max advert interval 1 centisecond) with a fixed phase per group and
  ±100 us of jitter; 1 or 2 VIPs per group;
- G2 VRRPv2 groups (default 20, VRIDs after the v3 ones), one master each advertising every 1 s,
  every other group with simple-password (PASS) authentication;
- about 10 % ARP: gratuitous ARP and ARP replies from each master for its VIPs, and ARP replies
  from ordinary hosts for their own addresses;
- about 10 % unrelated UDP between hosts (DNS queries, syslog, NTP requests, statsd), with valid
  UDP checksums.

Every frame is valid: IPv4 header checksum (recomputed per packet, the IP ID counts up per
sender), VRRP checksum (v3: pseudo-header src, dst, 0, 112, length; v2: the message alone), TTL
255 for VRRP, Ethernet source = the router's own MAC; frames shorter than 60 bytes are padded
as on the wire. One master per group, consistent settings, each VIP claimed by one MAC only:
`vipd monitor --read` must find nothing (exit 0).

--only vrrp|arp|udp writes a file of that kind of frame alone (same rates), for profiling.
Deterministic for a given seed.
"""
import argparse
import random
import struct
import sys

PCAP_MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
VRRP_MCAST_IP = bytes([224, 0, 0, 18])
VRRP_MCAST_MAC = bytes.fromhex("01005e000012")
BROADCAST_MAC = b"\xff" * 6
TICK_NS = 10_000_000  # the VRRPv3 advert interval: 10 ms
V2_INTERVAL_TICKS = 100  # 1 s
START_NS = 1_767_225_600 * 1_000_000_000  # 2026-01-01 00:00:00 UTC


def ones_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data: bytes) -> int:
    return ~ones_sum(data) & 0xFFFF


def ip(*octets: int) -> bytes:
    return bytes(octets)


def mac(*tail: int) -> bytes:
    return bytes([0x02, 0x00]) + bytes(tail)  # locally administered


class IPv4Template:
    """An IPv4 packet whose only changing field is the ID: the header checksum is finished per packet."""

    def __init__(self, src: bytes, dst: bytes, proto: int, payload: bytes, ttl: int, tos: int = 0):
        self.head = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), 0, 0x4000 if proto != 112 else 0,
                                ttl, proto, 0, src, dst)
        self.partial = ones_sum(self.head)  # with ID 0 and checksum 0
        self.payload = payload

    def packet(self, ident: int) -> bytes:
        total = self.partial + ident
        total = (total & 0xFFFF) + (total >> 16)
        total = (total & 0xFFFF) + (total >> 16)
        return (self.head[:4] + struct.pack("!H", ident) + self.head[6:10]
                + struct.pack("!H", ~total & 0xFFFF) + self.head[12:] + self.payload)


class Source:
    """Something that sends one kind of frame: an Ethernet header and an IPv4 template (or a fixed frame)."""

    def __init__(self, eth: bytes, template=None, frame: bytes = b""):
        self.eth = eth
        self.template = template
        self.frame = frame
        self.ident = 0

    def next_frame(self) -> bytes:
        if self.template is None:
            body = self.frame
        else:
            self.ident = (self.ident + 1) & 0xFFFF
            body = self.template.packet(self.ident)
        frame = self.eth + body
        return frame if len(frame) >= 60 else frame + b"\0" * (60 - len(frame))


def vrrp_v3(vrid: int, prio: int, centis: int, vips: list, src: bytes) -> bytes:
    body = struct.pack("!BBBBHH", 0x31, vrid, prio, len(vips), centis & 0x0FFF, 0) + b"".join(vips)
    pseudo = src + VRRP_MCAST_IP + struct.pack("!BBH", 0, 112, len(body))
    return body[:6] + struct.pack("!H", checksum(pseudo + body)) + body[8:]


def vrrp_v2(vrid: int, prio: int, seconds: int, vips: list, password: bytes) -> bytes:
    auth_type = 1 if password else 0
    auth = password.ljust(8, b"\0")[:8] if password else b"\0" * 8
    body = struct.pack("!BBBBBBH", 0x21, vrid, prio, len(vips), auth_type, seconds, 0) + b"".join(vips) + auth
    return body[:6] + struct.pack("!H", checksum(body)) + body[8:]


def arp(op: int, sender_mac: bytes, sender_ip: bytes, target_mac: bytes, target_ip: bytes) -> bytes:
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sender_mac, sender_ip, target_mac, target_ip)


def udp(src: bytes, dst: bytes, sport: int, dport: int, payload: bytes) -> bytes:
    length = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, length)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    value = checksum(pseudo + header + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, value) + payload


def udp_payload(n: int, rng: random.Random):
    """(destination port, payload) of ordinary traffic: a DNS query, syslog, an NTP request, statsd."""
    kind = n % 4
    if kind == 0:
        name = b"".join(bytes([len(label)]) + label for label in (b"host%d" % rng.randrange(1000), b"example", b"internal"))
        return 53, struct.pack("!HHHHHH", rng.randrange(65536), 0x0100, 1, 0, 0, 0) + name + b"\0" + struct.pack("!HH", 1, 1)
    if kind == 1:
        return 514, b"<134>Jan  1 00:00:00 app%d nginx: 10.20.200.%d GET /status 200 %d" % (n, n, rng.randrange(99999))
    if kind == 2:
        return 123, bytes([0x23]) + bytes(39) + struct.pack("!II", 3_976_214_400 + n, rng.randrange(1 << 32))
    return 8125, b"".join(b"app.requests.%d:%d|c\n" % (i, rng.randrange(100)) for i in range(24))


def build_sources(v3_groups: int, v2_groups: int, rng: random.Random):
    """(advertisers, arp_sources, udp_sources); advertisers are (period_ticks, phase_ns, Source)."""
    if v3_groups + v2_groups > 255:
        sys.exit("at most 255 VRRP groups (VRIDs 1..255)")
    advertisers, arp_sources = [], []
    eth_ip = struct.pack("!H", 0x0800)
    eth_arp = struct.pack("!H", 0x0806)
    for index in range(v3_groups + v2_groups):
        vrid = index + 1
        router_ip = ip(10, 20, 1, vrid)
        router_mac = mac(0x0a, 0x14, 0x01, vrid)
        vips = [ip(10, 20, 100, vrid)] + ([ip(10, 20, 101, vrid)] if vrid % 3 == 0 else [])
        prio = 100 + vrid % 150  # 101..249: ordinary masters, not address owners
        if index < v3_groups:
            message = vrrp_v3(vrid, prio, 1, vips, router_ip)
            period = 1
        else:
            password = b"bench%d" % vrid if vrid % 2 == 0 else b""
            message = vrrp_v2(vrid, prio, 1, vips, password)
            period = V2_INTERVAL_TICKS
        template = IPv4Template(router_ip, VRRP_MCAST_IP, 112, message, ttl=255, tos=0xC0)
        phase = rng.randrange(period) * TICK_NS + rng.randrange(200_000, TICK_NS - 200_000)
        advertisers.append((period, phase, Source(VRRP_MCAST_MAC + router_mac + eth_ip, template)))
        for vip in vips:
            client_mac, client_ip = mac(0x0a, 0x14, 0xC8, vrid), ip(10, 20, 200, vrid)
            arp_sources.append(Source(BROADCAST_MAC + router_mac + eth_arp, frame=arp(1, router_mac, vip, b"\0" * 6, vip)))
            arp_sources.append(Source(BROADCAST_MAC + router_mac + eth_arp, frame=arp(2, router_mac, vip, BROADCAST_MAC, vip)))
            arp_sources.append(Source(client_mac + router_mac + eth_arp, frame=arp(2, router_mac, vip, client_mac, client_ip)))
    hosts = [(ip(10, 20, 200, n), mac(0x0a, 0x14, 0xC8, n)) for n in range(1, 201)]
    for n in range(1, 201):
        (host_ip, host_mac), (peer_ip, peer_mac) = hosts[n - 1], hosts[n % 200]
        arp_sources.append(Source(peer_mac + host_mac + eth_arp, frame=arp(2, host_mac, host_ip, peer_mac, peer_ip)))
    udp_sources = []
    for n in range(80):
        (src_ip, src_mac), (dst_ip, dst_mac) = rng.sample(hosts, 2)
        dport, payload = udp_payload(n, rng)
        datagram = udp(src_ip, dst_ip, 30000 + n, dport, payload)
        udp_sources.append(Source(dst_mac + src_mac + eth_ip, IPv4Template(src_ip, dst_ip, 17, datagram, ttl=64)))
    return advertisers, arp_sources, udp_sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=100, help="VRRPv3 groups advertising every 10 ms")
    parser.add_argument("--v2-groups", type=int, default=20, help="VRRPv2 groups advertising every 1 s")
    parser.add_argument("--only", choices=["vrrp", "arp", "udp"], help="only this kind of frame")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    advertisers, arp_sources, udp_sources = build_sources(args.groups, args.v2_groups, rng)
    adverts_per_tick = args.groups + args.v2_groups / V2_INTERVAL_TICKS
    others_per_tick = adverts_per_tick / 8  # ARP and UDP each about 10 % of all frames
    kinds = {"vrrp": args.only in (None, "vrrp"), "arp": args.only in (None, "arp"), "udp": args.only in (None, "udp")}

    written = 0
    tick = 0
    owed = {"arp": 0.0, "udp": 0.0}
    chunk = []
    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", PCAP_MAGIC_NS, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        while written < args.packets:
            base = tick * TICK_NS
            due = []  # (offset_ns, source)
            if kinds["vrrp"]:
                for period, phase, source in advertisers:
                    if period == 1:
                        due.append((phase + rng.randrange(-100_000, 100_000), source))
                    elif tick % period == phase // TICK_NS:
                        due.append((phase % TICK_NS + rng.randrange(-100_000, 100_000), source))
            for kind, sources in (("arp", arp_sources), ("udp", udp_sources)):
                if not kinds[kind]:
                    continue
                owed[kind] += others_per_tick
                while owed[kind] >= 1:
                    owed[kind] -= 1
                    due.append((rng.randrange(TICK_NS), rng.choice(sources)))
            due.sort(key=lambda item: item[0])
            for offset, source in due:
                if written >= args.packets:
                    break
                stamp = START_NS + base + offset
                frame = source.next_frame()
                chunk.append(struct.pack("<IIII", stamp // 1_000_000_000, stamp % 1_000_000_000, len(frame), len(frame)))
                chunk.append(frame)
                written += 1
            if len(chunk) > 20_000:
                out.write(b"".join(chunk))
                chunk.clear()
            tick += 1
        out.write(b"".join(chunk))
    span = tick * TICK_NS / 1e9
    print(f"{args.out}: {written} packets over {span:.1f} s of capture time "
          f"({args.groups} VRRPv3 groups every 10 ms, {args.v2_groups} VRRPv2 groups every 1 s"
          f"{', only ' + args.only if args.only else ''})", file=sys.stderr)


if __name__ == "__main__":
    main()
