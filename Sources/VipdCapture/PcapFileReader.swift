import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// Reads the packets of a pcap or pcapng capture file, in file order, through libpcap.
///
/// Timestamps keep their nanoseconds (microsecond files are scaled up). Any link type is read;
/// `linkType` says which one the frames carry. A damaged file ends in a `CaptureError` that
/// names the path and, where it can, the byte at which the damaged record or block starts;
/// `next()` throws that error again on every later call, and throws after `close()`. One thread
/// at a time.
public final class PcapFileReader {
    /// The path the reader was opened with, as given.
    public let path: String
    /// The link-layer header type of every frame in the file.
    public let linkType: LinkType
    /// The packets returned by `next()` so far.
    public private(set) var packetsRead = 0

    /// The libpcap handle; nil after `close()`.
    private var handle: OpaquePointer?
    /// The stream libpcap reads from (owned by `handle`): where a record starts when
    /// `nextRecordOffset` does not know.
    private let file: UnsafeMutablePointer<FILE>
    /// The layout announced by the file's first bytes; nil for a pipe or device, which cannot
    /// be looked at before libpcap reads it.
    private let format: CaptureFileFormat?
    /// The largest captured length libpcap hands over whole; longer records are cut to it.
    private let snapshotLength: Int
    /// Where the next record starts, when known without asking the stream (`ftello` costs a
    /// system call): in a pcap file, after a record that libpcap did not cut.
    private var nextRecordOffset: Int?
    /// The error that ended reading, thrown again by every later `next()`.
    private var failure: CaptureError?

    /// Opens the capture file at `path`.
    /// - Throws: `CaptureError` when the file cannot be opened, is a directory, is empty or too
    ///   short, is no pcap or pcapng file (the message shows its first four bytes), or has a
    ///   file header libpcap rejects.
    public init(path: String) throws(CaptureError) {
        guard let file = fopen(path, "rbe") else {
            throw CaptureError("\(path): cannot open: \(errorText(errno: errno))")
        }
        let opened: OpaquePointer
        do throws(CaptureError) {
            format = try Self.inspect(file, path: path)
            let (pcap, message) = withLibpcapErrorBuffer {
                pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), $0)
            }
            guard let pcap else { throw CaptureError("\(path): \(message)") }
            opened = pcap
        } catch {
            fclose(file)
            throw error
        }
        self.path = path
        self.file = file
        handle = opened
        linkType = LinkType(rawValue: pcap_datalink(opened))
        snapshotLength = Int(pcap_snapshot(opened))
        if case .pcap = format { nextRecordOffset = PcapRecordLayout.fileHeaderSize }
    }

    deinit { close() }

    /// The next packet, or nil at the clean end of the file.
    /// - Throws: `CaptureError` for a damaged record or block (truncated, or with an impossible
    ///   captured length) or a read error, with the byte offset where the record starts; also
    ///   after `close()`.
    public func next() throws(CaptureError) -> CapturedPacket? {
        if let failure { throw failure }
        guard let handle else { throw CaptureError("\(path): the reader is closed") }
        let recordStart = nextRecordOffset ?? Int(ftello(file))
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let result = pcap_next_ex(handle, &header, &data)
        if result == 1, let header {
            packetsRead += 1
            let capturedLength = Int(header.pointee.caplen)
            if case .pcap(let layout) = format, capturedLength < snapshotLength {
                nextRecordOffset = recordStart + layout.headerSize + capturedLength
            } else {
                nextRecordOffset = nil
            }
            return CapturedPacket(header: header.pointee, data: data, fractionUnit: CapturedPacket.nanosecondFraction)
        }
        if result == PCAP_ERROR_BREAK { return nil }
        let error = damage(at: recordStart, libpcap: libpcapMessage(handle))
        failure = error
        throw error
    }

    /// Closes the file. Later `next()` calls throw. Safe to call more than once.
    public func close() {
        guard let handle else { return }
        pcap_close(handle)
        self.handle = nil
    }

    /// Checks what `file` holds before libpcap reads it, so that the commonest mistakes get a
    /// message saying what the file is instead; returns the layout of a regular capture file,
    /// nil for anything that is not a regular file (read as it comes).
    private static func inspect(_ file: UnsafeMutablePointer<FILE>, path: String) throws(CaptureError) -> CaptureFileFormat? {
        var status = stat()
        guard fstat(fileno(file), &status) == 0 else {
            throw CaptureError("\(path): cannot read: \(errorText(errno: errno))")
        }
        let type = status.st_mode & S_IFMT
        if type == S_IFDIR { throw CaptureError("\(path): is a directory, not a capture file") }
        guard type == S_IFREG else { return nil }
        let size = Int(status.st_size)
        if size == 0 { throw CaptureError("\(path): empty file (0 bytes), not a pcap or pcapng capture") }
        var start = [UInt8](repeating: 0, count: PcapRecordLayout.fileHeaderSize)
        let count = start.withUnsafeMutableBytes { pread(fileno(file), $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw CaptureError("\(path): cannot read: \(errorText(errno: errno))") }
        start.removeLast(start.count - count)
        if count < 4 { throw CaptureError("\(path): too short (\(size) byte\(size == 1 ? "" : "s")) to be a pcap or pcapng capture") }
        guard let format = CaptureFileFormat(fileStart: start) else {
            throw CaptureError("\(path): not a pcap or pcapng file (starts with \(CaptureFileFormat.magicText(start)))")
        }
        if case .pcap = format, count < PcapRecordLayout.fileHeaderSize {
            throw CaptureError(
                "\(path): truncated pcap file header: \(PcapRecordLayout.fileHeaderSize) bytes needed, the file has only \(size)")
        }
        return format
    }

    /// The error for libpcap's complaint `message` about the record or block starting at
    /// `offset` (-1 when the stream has no position). For a truncated pcap record it says what
    /// the record header announced and how many bytes the file still has.
    private func damage(at offset: Int, libpcap message: String) -> CaptureError {
        guard offset >= 0 else {
            return CaptureError("\(path): cannot read past packet \(packetsRead): \(message)")
        }
        switch format {
        case .pcap(let layout):
            if message.hasPrefix("truncated"), let truncated = truncatedRecord(at: offset, layout: layout) {
                return CaptureError("\(path): \(truncated)", byteOffset: offset)
            }
            return CaptureError("\(path): cannot read the packet record at byte \(offset): \(message)", byteOffset: offset)
        case .pcapng:
            return CaptureError("\(path): cannot read the pcapng block at byte \(offset): \(message)", byteOffset: offset)
        case nil:
            return CaptureError("\(path): cannot read at byte \(offset): \(message)", byteOffset: offset)
        }
    }

    /// What is missing from the truncated record at `offset`, from the file's current size and
    /// the record's own header; nil when the file cannot be looked at again.
    private func truncatedRecord(at offset: Int, layout: PcapRecordLayout) -> String? {
        var status = stat()
        guard fstat(fileno(file), &status) == 0 else { return nil }
        let remaining = max(0, Int(status.st_size) - offset)
        guard remaining >= layout.headerSize else {
            return "truncated packet record header at byte \(offset): \(layout.headerSize) bytes needed, only \(remaining) remain"
        }
        var header = [UInt8](repeating: 0, count: layout.headerSize)
        let count = header.withUnsafeMutableBytes { pread(fileno(file), $0.baseAddress, $0.count, off_t(offset)) }
        guard count == layout.headerSize else { return nil }
        let captured = layout.capturedLength(recordHeader: header)
        return "truncated packet record at byte \(offset): header says \(captured) captured bytes, only \(remaining - layout.headerSize) remain"
    }
}
