import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to standard error.
func printError(_ text: String) {
    writeFully(text.hasSuffix("\n") ? text : text + "\n", to: STDERR_FILENO)
}
