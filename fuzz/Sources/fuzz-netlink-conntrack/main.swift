import FuzzDriver
import VipdNet

/// The conntrack entry reader on the payload of one ctnetlink message of a dump (after the
/// netlink header), as `ConntrackNetlink.openTCPConnections` reads each entry.
fuzzMain { input in
    if let entry = try? ConntrackEntry(payload: Array(input)) { _ = (entry.isOpenTCP, entry.originalSource?.text) }
}
