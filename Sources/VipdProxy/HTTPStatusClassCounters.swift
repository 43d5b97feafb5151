import Synchronization

/// HTTP responses by status class (`1xx` … `5xx`, and `other` for a status outside 100…599), as
/// haproxy's `hrsp_1xx` … `hrsp_other`: one lock-free counter per class, bumped from any event loop.
public final class HTTPStatusClassCounters: Sendable {
    /// The classes, in the order ``reading`` lists them.
    public static let classes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]

    private let informational = Atomic<Int>(0)
    private let success = Atomic<Int>(0)
    private let redirection = Atomic<Int>(0)
    private let clientError = Atomic<Int>(0)
    private let serverError = Atomic<Int>(0)
    private let other = Atomic<Int>(0)

    init() {}

    /// Counts one final response with status `status`.
    func count(status: Int) {
        switch status {
        case 100..<200: informational.add(1, ordering: .relaxed)
        case 200..<300: success.add(1, ordering: .relaxed)
        case 300..<400: redirection.add(1, ordering: .relaxed)
        case 400..<500: clientError.add(1, ordering: .relaxed)
        case 500..<600: serverError.add(1, ordering: .relaxed)
        default: other.add(1, ordering: .relaxed)
        }
    }

    /// The counts now, one per entry of ``classes``.
    public var reading: [Int] {
        [
            informational.load(ordering: .relaxed), success.load(ordering: .relaxed), redirection.load(ordering: .relaxed),
            clientError.load(ordering: .relaxed), serverError.load(ordering: .relaxed), other.load(ordering: .relaxed),
        ]
    }
}
