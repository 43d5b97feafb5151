import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// Writes packets to a classic pcap file with nanosecond timestamps, through libpcap.
///
/// The file is created (or truncated) at once with its header. Packets longer than
/// `snapshotLength` are cut to it; times before 1970 or after 2106 (what 32-bit unsigned
/// seconds hold) are clamped. Writes are buffered: `flush()` or `close()` puts them on disk
/// and reports a failed write. One thread at a time.
public final class PcapFileWriter {
    /// The path the file was created at, as given.
    public let path: String
    /// The link-layer header type written in the file header.
    public let linkType: LinkType
    /// The most bytes of a packet the file keeps.
    public let snapshotLength: Int32
    /// The packets written so far.
    public private(set) var packetsWritten = 0

    /// The libpcap dumper; nil after `close()`.
    private var dumper: OpaquePointer?
    /// The link type and precision `dumper` writes with (libpcap needs a handle for that).
    private let deadHandle: OpaquePointer

    /// Creates the file at `path` (replacing any file there) and writes its header.
    /// - Throws: `CaptureError` when `snapshotLength` is not positive, the link type cannot be
    ///   stored in a pcap file, or the file cannot be created.
    public init(path: String, linkType: LinkType, snapshotLength: Int32 = 262_144) throws(CaptureError) {
        guard snapshotLength > 0 else {
            throw CaptureError("\(path): the snapshot length must be positive, not \(snapshotLength)")
        }
        guard let deadHandle = pcap_open_dead_with_tstamp_precision(
            linkType.rawValue, snapshotLength, UInt32(PCAP_TSTAMP_PRECISION_NANO))
        else {
            throw CaptureError("\(path): libpcap cannot write link type \(linkType)")
        }
        guard let dumper = pcap_dump_open(deadHandle, path) else {
            let message = libpcapMessage(deadHandle)
            pcap_close(deadHandle)
            let reason = message.hasPrefix("\(path): ") ? String(message.dropFirst(path.utf8.count + 2)) : message
            throw CaptureError("\(path): cannot create the capture file: \(reason)")
        }
        self.path = path
        self.linkType = linkType
        self.snapshotLength = snapshotLength
        self.deadHandle = deadHandle
        self.dumper = dumper
    }

    deinit {
        try? close()
        pcap_close(deadHandle)
    }

    /// Appends `packet`.
    /// - Throws: `CaptureError` when the file is closed or the system refused a write (disk
    ///   full, I/O error); the file is then incomplete.
    public func write(_ packet: CapturedPacket) throws(CaptureError) {
        let dumper = try openDumper()
        var header = packet.recordHeader(snapshotLength: Int(snapshotLength))
        packet.bytes.withUnsafeBufferPointer { pcap_dump(UnsafeMutablePointer(dumper), &header, $0.baseAddress) }
        guard ferror(pcap_dump_file(dumper)) == 0 else {
            throw CaptureError("\(path): cannot write packet \(packetsWritten + 1): \(errorText(errno: errno))")
        }
        packetsWritten += 1
    }

    /// Writes everything buffered to the file.
    /// - Throws: `CaptureError` when the file is closed or a write failed.
    public func flush() throws(CaptureError) {
        let stream = pcap_dump_file(try openDumper())
        guard fflush(stream) == 0, ferror(stream) == 0 else {
            throw CaptureError("\(path): cannot write: \(errorText(errno: errno))")
        }
    }

    /// Writes everything buffered and closes the file. Later writes throw. Safe to call more
    /// than once; only the first call can throw.
    /// - Throws: `CaptureError` when the last writes failed: the file is then incomplete.
    public func close() throws(CaptureError) {
        guard let dumper else { return }
        defer {
            pcap_dump_close(dumper)
            self.dumper = nil
        }
        try flush()
    }

    /// The dumper, unless the writer is closed.
    private func openDumper() throws(CaptureError) -> OpaquePointer {
        guard let dumper else { throw CaptureError("\(path): the writer is closed") }
        return dumper
    }
}
