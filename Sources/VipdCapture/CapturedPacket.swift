import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// One captured frame: when it arrived, how long it was on the wire, and the bytes kept of it.
public struct CapturedPacket: Sendable, Hashable {
    /// The arrival time since the Unix epoch, with nanosecond precision when the source has it.
    /// A time libpcap hands over is kept within `CapturedPacket.timestampRange`.
    public var timestamp: Duration
    /// The frame's length on the wire; more than `bytes.count` when the capture cut it short.
    public var originalLength: Int
    /// The captured bytes, starting with the link-layer header.
    public var bytes: [UInt8]

    /// A packet with the given arrival time, length on the wire and captured bytes.
    public init(timestamp: Duration, originalLength: Int, bytes: [UInt8]) {
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.bytes = bytes
    }
}

extension CapturedPacket {
    /// The packet libpcap handed over in `header` and `data`, its bytes copied (libpcap reuses
    /// its buffer). `fractionUnit` is what one unit of `ts.tv_usec` is worth in attoseconds:
    /// `nanosecondFraction`, or `microsecondFraction` for a source without nanosecond precision.
    ///
    /// Classic pcap files store the seconds in 32 bits that libpcap sign-extends, so a negative
    /// value that fits 32 bits is read as the unsigned count it is (dates 2038...2106). A time
    /// outside `timestampRange` (a damaged or hostile file: pcapng has 64 bits of time units) is
    /// clamped into it, so that whatever works with the time never overflows.
    init(header: pcap_pkthdr, data: UnsafePointer<UInt8>?, fractionUnit: Int64) {
        var seconds = Int64(header.ts.tv_sec)
        if seconds < 0, seconds >= Int64(Int32.min) {
            seconds = Int64(UInt32(truncatingIfNeeded: seconds))
        }
        let (attoseconds, overflow) = Int64(header.ts.tv_usec).multipliedReportingOverflow(by: fractionUnit)
        let time: Duration
        if !overflow, attoseconds >= 0, attoseconds < Self.attosecondsPerSecond {
            time = Duration(secondsComponent: seconds, attosecondsComponent: attoseconds)
        } else {
            // A damaged file's fraction may be negative or a second or more: add it up exactly.
            time = Duration(secondsComponent: seconds, attosecondsComponent: 0)
                + Duration(secondsComponent: 0, attosecondsComponent: fractionUnit) * Int(header.ts.tv_usec)
        }
        timestamp = min(max(time, Self.timestampRange.lowerBound), Self.timestampRange.upperBound)
        originalLength = Int(header.len)
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: Int(header.caplen))) } ?? []
    }

    /// The arrival times a captured packet can have: from the Unix epoch to the last
    /// nanosecond of the year 9999 (four-digit years in ISO 8601 text).
    public static let timestampRange = Duration.zero...(.seconds(253_402_300_799) + .nanoseconds(999_999_999))

    /// Attoseconds per unit of a nanosecond timestamp fraction.
    static let nanosecondFraction: Int64 = 1_000_000_000
    /// Attoseconds per unit of a microsecond timestamp fraction.
    static let microsecondFraction: Int64 = 1_000_000_000_000
    private static let attosecondsPerSecond: Int64 = 1_000_000_000_000_000_000

    /// The pcap record header for this packet in a file with snapshot length `snapshotLength`:
    /// at most `snapshotLength` bytes kept, a wire length no shorter than the bytes, and the
    /// time clamped to what a classic pcap file can hold (unsigned 32-bit seconds, nanoseconds).
    func recordHeader(snapshotLength: Int) -> pcap_pkthdr {
        let nanosecondsPerSecond: Int64 = 1_000_000_000
        let (seconds, attoseconds) = timestamp.components
        let latest = Int64(UInt32.max)
        let (wholeSeconds, nanoseconds): (Int64, Int64) =
            timestamp < .zero ? (0, 0)
            : seconds > latest ? (latest, nanosecondsPerSecond - 1)
            : (seconds, attoseconds / nanosecondsPerSecond)
        let capturedLength = min(bytes.count, snapshotLength)
        let wireLength = min(max(originalLength, bytes.count), Int(UInt32.max))
        return pcap_pkthdr(
            ts: timeval(tv_sec: time_t(wholeSeconds), tv_usec: suseconds_t(nanoseconds)),
            caplen: bpf_u_int32(capturedLength), len: bpf_u_int32(wireLength))
    }
}
