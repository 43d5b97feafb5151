/// Whether an instance runs on its interface (pure): an interface missing at start is waited for and
/// the instance starts once it is there and up (configured, as a rule: hot-plugged interfaces get
/// their addresses before they go up); one that goes away takes the instance to FAULT and out of
/// service until it returns; one created again (a new interface index) gets the instance opened
/// afresh on it, its sockets being bound to the old index.
public struct InterfaceAttachment: Sendable, Equatable {
    /// What the speaker does for the instance.
    public enum Action: Sendable, Equatable {
        /// Open the instance on the interface with this index and start it.
        case start(interfaceIndex: Int32)
        /// The interface it runs on is gone: FAULT, then close its sockets and keep its last report.
        case retire
    }

    /// The index of the interface the instance runs on; nil while it waits.
    public private(set) var runningOn: Int32?

    /// An instance not running yet.
    public init() {}

    /// The interface is now present with `interfaceIndex` (`isUp`: up with carrier), or absent (nil).
    /// Returns what to do, in order.
    public mutating func observed(interfaceIndex: Int32?, isUp: Bool) -> [Action] {
        var actions: [Action] = []
        if let old = runningOn, old != interfaceIndex {
            runningOn = nil
            actions.append(.retire)
        }
        if runningOn == nil, let index = interfaceIndex, isUp {
            runningOn = index
            actions.append(.start(interfaceIndex: index))
        }
        return actions
    }

    /// The instance was opened on the interface with `interfaceIndex` at vipd's start, up or not.
    public mutating func started(on interfaceIndex: Int32) {
        runningOn = interfaceIndex
    }

    /// Opening the instance failed (the interface has no usable address yet, say): it waits again,
    /// and the next observation of the interface tries again.
    public mutating func startFailed() {
        runningOn = nil
    }
}
