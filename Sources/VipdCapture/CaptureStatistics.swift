/// A live capture's packet counters since it was opened, as libpcap's `pcap_stats` reports them.
public struct CaptureStatistics: Sendable, Hashable {
    /// Packets that passed the filter and reached the capture buffer (on Linux: the kernel's
    /// `tp_packets`, counting the dropped ones too).
    public var received: UInt64
    /// Packets that passed the filter but were dropped because the capture buffer was full:
    /// the reader fell behind.
    public var droppedByKernel: UInt64
    /// Packets the network interface or its driver dropped (0 when the platform cannot tell).
    public var droppedByInterface: UInt64

    /// Counters with the given values.
    public init(received: UInt64, droppedByKernel: UInt64, droppedByInterface: UInt64) {
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
    }
}
