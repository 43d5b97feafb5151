/// What the monitor captures, in BPF (tcpdump) syntax: VRRP over IPv4 and IPv6, ARP, ICMP
/// destination-unreachable errors (which quote refused VRRP packets), and ICMPv6 (neighbour
/// advertisements and errors), also inside one 802.1Q tag.
public enum MonitorCaptureFilter {
    static let untagged = "ip proto 112 or ip6 proto 112 or arp or (icmp and icmp[0] == 3) or icmp6"
    /// The filter for live captures.
    public static let expression = "(\(untagged)) or (vlan and (\(untagged)))"
}
