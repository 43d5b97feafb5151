/// Counts of what the monitor has taken in.
public struct MonitorStatistics: Sendable, Hashable {
    /// Frames handed to the analyzer (decoded or not).
    public var frames = 0
    public var advertisements = 0
    public var malformedAdvertisements = 0
    public var addressClaims = 0
    public var rejections = 0
    /// Readable frames of no interest.
    public var ignored = 0
    /// Unreadable frames and malformed advertisements, by reason (a stable counter key).
    public var skippedByReason: [String: Int] = [:]

    /// Statistics with every count at zero.
    public init() {}

    /// Every skipped frame and malformed advertisement.
    public var skipped: Int { skippedByReason.values.reduce(0, +) }
}
