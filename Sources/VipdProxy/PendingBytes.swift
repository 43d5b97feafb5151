import NIOCore

extension ByteBuffer? {
    /// Appends `bytes` to the bytes waiting to be parsed, taking `bytes` as they are when none wait.
    mutating func append(_ bytes: ByteBuffer) {
        guard var waiting = self, waiting.readableBytes > 0 else {
            self = bytes
            return
        }
        var bytes = bytes
        waiting.writeBuffer(&bytes)
        self = waiting
    }
}
