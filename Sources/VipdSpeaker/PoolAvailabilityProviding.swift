/// Where a VRRP instance learns whether a tracked pool has a server up (the proxy's pools).
public protocol PoolAvailabilityProviding: Sendable {
    /// Whether `pool` has a server up now; nil for an unknown pool.
    func hasServerUp(_ pool: String) -> Bool?
    /// Calls `observer` with the pool name and its new availability after every change.
    func observe(_ observer: @escaping @Sendable (_ pool: String, _ hasServerUp: Bool) -> Void)
}
