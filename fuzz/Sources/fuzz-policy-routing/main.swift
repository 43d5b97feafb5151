import FuzzDriver
import VipdCore
import VipdHandoff
import VipdTransparent

/// What a starting or reloading vipd reads back of its transparent proxying state: iproute2's JSON
/// listings of rules and routes, and nft's listing of its table (the session server's pid).
fuzzMain { input in
    let text = String(decoding: input, as: UTF8.self)
    for family in [IPAddress.Family.v4, .v6] {
        _ = PolicyRoutingListing.rules(inJSON: text, family: family).map { $0.arguments("del") }
        _ = PolicyRoutingListing.routes(inJSON: text, family: family).map { $0.arguments("del") }
    }
    _ = HandoffRuleset.sessionServer(inListing: text)
}
