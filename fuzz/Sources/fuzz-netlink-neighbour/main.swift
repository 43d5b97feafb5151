import FuzzDriver
import VipdNet

/// The neighbour decoder on one rtnetlink message as a neighbour dump delivers it, and on the
/// input as the payload (`ndmsg` and attributes) of an `RTM_NEWNEIGH` message whose header is right.
fuzzMain { input in
    let bytes = Array(input)
    _ = try? Neighbour.decode(message: bytes)
    var message = [UInt8]()
    func append<T: FixedWidthInteger>(_ field: T) { withUnsafeBytes(of: field) { message += $0 } }
    append(UInt32(16 + bytes.count))
    append(UInt16(28))  // RTM_NEWNEIGH
    append(UInt16(2))  // NLM_F_MULTI
    append(UInt32(1))  // sequence
    append(UInt32(0))  // port
    if let neighbour = try? Neighbour.decode(message: message + bytes) {
        _ = (neighbour.isUsable, neighbour.linkAddressText, neighbour.description)
    }
}
