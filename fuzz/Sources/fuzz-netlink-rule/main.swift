import FuzzDriver
import VipdNet

/// The policy-routing rule reader on the payload of one `RTM_NEWRULE` message of a dump (after the
/// netlink header), as `RouteNetlink.rules` reads each rule.
fuzzMain { input in
    if let rule = try? RoutingRule(payload: Array(input)) { _ = (rule.priority, rule.table, rule.routeProtocol) }
}
