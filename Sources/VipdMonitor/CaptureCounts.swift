import VipdCore

/// What a capture source says about itself, for the reports: packets received and lost, per interface or file.
public struct CaptureCounts: Sendable, Hashable {
    /// The interface name or file path.
    public var source: String
    public var received: UInt64
    /// Packets the kernel dropped because the capture did not read fast enough (nil for files).
    public var droppedByKernel: UInt64?
    /// Packets the interface or driver dropped (nil when not known).
    public var droppedByInterface: UInt64?

    /// Counts for `source`.
    public init(source: String, received: UInt64, droppedByKernel: UInt64? = nil, droppedByInterface: UInt64? = nil) {
        self.source = source
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
    }

    /// `eth0: 1234 packets, 0 dropped by the kernel, 0 by the interface`.
    public var text: String {
        var text = "\(source): \(received) packets"
        if let kernel = droppedByKernel { text += ", \(kernel) dropped by the kernel" }
        if let interface = droppedByInterface { text += ", \(interface) by the interface" }
        return text
    }

    /// The counts as a JSON object.
    public var json: JSONValue {
        .object([
            ("source", .string(source)), ("received", .integer(Int(received))),
            ("dropped_by_kernel", droppedByKernel.map { .integer(Int($0)) } ?? .null),
            ("dropped_by_interface", droppedByInterface.map { .integer(Int($0)) } ?? .null),
        ])
    }
}
