import NIOCore

extension ByteBuffer? {
    /// Appends `bytes` to the bytes waiting to be parsed, taking `bytes` as they are when none wait.
    /// The waiting buffer is taken out first, so that it is the only reference to its storage and
    /// grows in place instead of being copied.
    mutating func append(_ bytes: ByteBuffer) {
        guard var waiting = take(), waiting.readableBytes > 0 else {
            self = bytes
            return
        }
        var bytes = bytes
        waiting.writeBuffer(&bytes)
        self = waiting
    }
}
