#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A detached POSIX thread running one closure, for the blocking loops that live outside Swift
/// concurrency (readers blocked in poll(2), child process waits, pacing loops).
public enum DetachedThread {
    /// pthread_create(3) failed; `code` is its error number.
    public struct StartFailure: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { "pthread_create: \(String(cString: strerror(code)))" }
    }

    /// Starts a thread that runs `body` once and ends; nobody joins it.
    public static func start(_ body: @escaping @Sendable () -> Void) throws(StartFailure) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw StartFailure(code: result)
        }
        pthread_detach(thread)
    }

    /// The closure a new thread runs, boxed for `pthread_create`'s context pointer.
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
