import Dispatch
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Notes SIGINT and SIGTERM instead of dying, so `monitor` can stop cleanly and print its summary and
/// `demo` can remove everything it created before it exits.
final class Interruption: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let flag = NIOLock()
    private var interrupted = false

    init() {
        let queue = DispatchQueue(label: "vipd-signals")
        var sources: [DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            sources.append(source)
        }
        self.sources = sources
        for source in sources {
            source.setEventHandler { [weak self] in self?.note() }
            source.resume()
        }
    }

    /// True once a signal arrived.
    var happened: Bool { flag.withLock { interrupted } }

    private func note() { flag.withLock { interrupted = true } }
}
