/// Which of the RFC checks that say "this packet was not meant for us" `VRRPPacketCodec` enforces.
///
/// A router must drop an advertisement whose checksum is wrong (the default, `.all`). An observer
/// such as the monitor wants the advertisement anyway, to report who sent it and what is wrong
/// with it: it decodes with `.none` and reads `VRRPReceivedPacket.checksumIsValid`. Structural
/// checks (lengths, version, type, VRID, interval, auth type) are always enforced: without them
/// there is no advertisement. The TTL / hop limit is never checked here: whether it must be 255
/// depends on who sent the advertisement and how (`VRRPHopLimitRule`).
public struct VRRPWireChecks: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    /// Wraps a raw bit set.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The VRRP checksum must be right.
    public static let checksum = VRRPWireChecks(rawValue: 1 << 1)
    /// Every check: what a VRRP router applies.
    public static let all: VRRPWireChecks = [.checksum]
    /// No optional check: what an observer applies.
    public static let none: VRRPWireChecks = []
}
