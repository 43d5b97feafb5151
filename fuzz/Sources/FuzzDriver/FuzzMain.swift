import CFuzzerDriver

#if canImport(Glibc)
    import Glibc
#endif

/// The harness's body, called for each input.
nonisolated(unsafe) private var testOneInput: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }

/// libFuzzer's per-input callback: the harness's body on the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    testOneInput(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// Runs libFuzzer with this process's arguments (corpus directories, `-max_total_time=` and the
/// rest) on `body`, which gets each input; exits with libFuzzer's status.
///
/// SwiftPM links an executable's top-level code as `main`, in place of libFuzzer's own, so a
/// harness calls this from its main.swift. `body` may reject an input any way it likes; a trap,
/// a sanitizer error, a hang or a leak is a finding.
public func fuzzMain(_ body: @escaping (UnsafeBufferPointer<UInt8>) -> Void) -> Never {
    testOneInput = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
}
