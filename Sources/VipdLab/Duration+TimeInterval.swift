import Foundation

extension Duration {
    /// The duration in seconds, as `DispatchTime` arithmetic and socket options want it.
    public var timeInterval: TimeInterval { self / .seconds(1) }
}
