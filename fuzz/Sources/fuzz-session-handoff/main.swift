import FuzzDriver
import VipdHandoff
import VipdProxy

/// What the session hand-off reads: a message from a stopping vipd as `vipd serve-sessions` decodes
/// it, and nft's listings of vipd's own tables (comment, held addresses, counters) as a starting
/// vipd reads them.
fuzzMain { input in
    let bytes = Array(input)
    if let message = try? SessionServerMessage.decode(bytes) { _ = try? message.encoded() }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = HandoffRuleset.originalFwmarkAccept(inListing: text)
    _ = HandoffRuleset.sessionServer(inListing: text)
    _ = HandoffRuleset.heldAddresses(inListing: text)
    _ = HandoffRuleset.forwardedCounts(inJSON: text)
}
