import FuzzDriver
import VipdNet

/// The address monitor's decoder on one notification datagram, as `AddressMonitor` reads it from
/// its `RTMGRP_IPV4_IFADDR` / `RTMGRP_IPV6_IFADDR` socket: every message, the address ones decoded.
fuzzMain { input in
    guard let changes = try? AddressMonitor.changes(inNotification: Array(input)) else { return }
    for change in changes {
        switch change {
        case .added(let address), .removed(let address):
            _ = (address.description, address.isSecondary, address.isUsableAsSource, address.isLinkLocal)
        case .lost:
            continue
        }
    }
}
