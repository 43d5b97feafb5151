import Foundation

extension Duration {
    /// The duration in seconds, as `DispatchTime` arithmetic and socket options want it.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
