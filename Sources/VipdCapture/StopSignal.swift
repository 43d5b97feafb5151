import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A one-way switch another thread can flip to wake a thread waiting in `poll()`: a flag plus a
/// pipe whose read end becomes readable, and stays so, once the switch is flipped.
final class StopSignal: Sendable {
    /// The pipe's read end, to put in a `poll()` set.
    let descriptor: Int32
    private let writeEnd: Int32
    private let raised = Atomic<Bool>(false)

    /// Makes the pipe; `owner` names what it stops, for the error message.
    init(owner: String) throws(CaptureError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw CaptureError("\(owner): cannot create the stop pipe: \(errorText(errno: errno))")
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        Glibc.close(descriptor)
        Glibc.close(writeEnd)
    }

    /// Whether `raise()` has been called.
    var isRaised: Bool {
        raised.load(ordering: .acquiring)
    }

    /// Flips the switch and wakes the waiting thread. Safe from any thread, any number of times.
    func raise() {
        guard !raised.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(writeEnd, &byte, 1)
    }
}
