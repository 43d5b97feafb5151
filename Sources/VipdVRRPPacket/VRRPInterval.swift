import VipdCore

extension VRRPVersion {
    /// The advertisement interval field's value for `interval`: whole seconds 1...255 for VRRPv2's
    /// Adver Int, centiseconds 1...4095 for VRRPv3's 12-bit Max Adver Int; nil when `interval` is
    /// not a whole number of those units in that range (config validation uses this).
    public func wireInterval(for interval: Duration) -> UInt16? {
        let (seconds, attoseconds) = interval.components
        let unitAttoseconds: Int64 = self == .v2 ? 1_000_000_000_000_000_000 : 10_000_000_000_000_000
        let unitsPerSecond: Int64 = self == .v2 ? 1 : 100
        let maximum: Int64 = self == .v2 ? 255 : 4095
        // Negative or huge durations fail these range checks before any arithmetic could overflow.
        guard (0...maximum).contains(seconds), attoseconds >= 0, attoseconds % unitAttoseconds == 0 else {
            return nil
        }
        let units = seconds * unitsPerSecond + attoseconds / unitAttoseconds
        guard (1...maximum).contains(units) else { return nil }
        return UInt16(units)
    }

    /// The interval that the advertisement interval field value `units` stands for.
    func interval(fromWire units: UInt16) -> Duration {
        self == .v2 ? .seconds(Int(units)) : .centiseconds(Int64(units))
    }
}
