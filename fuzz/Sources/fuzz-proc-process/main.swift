import FuzzDriver
import VipdSystem

/// One process's `/proc/PID/stat` and `/proc/PID/cmdline` (the same bytes), as `ProcessCounter`
/// reads them, then the name match against the name found and a fixed one.
fuzzMain { input in
    let bytes = Array(input)
    guard var process = ProcessEntry(stat: bytes) else { return }
    process.firstWord = ProcessEntry.firstWord(commandLine: bytes)
    _ = process.isNamed(process.comm)
    _ = process.isNamed(process.firstWord ?? "nginx")
    _ = process.isNamed("vipd-test-app")
}
