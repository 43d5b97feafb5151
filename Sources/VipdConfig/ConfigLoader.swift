#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loads and validates the cluster's YAML config file.
///
/// Strict: unknown keys, wrong types and every invalid value are errors, and all errors of a file are
/// reported together, each as `FILE:LINE:COLUMN: KEYPATH: message` (see `ConfigErrors`).
/// The schema is documented in docs/configuration.md.
public enum ConfigLoader {
    /// Reads and parses the file at `path`; errors name the file as `path`.
    public static func load(contentsOf path: String) throws(ConfigErrors) -> VipdConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw ConfigErrors([
                ConfigError(
                    file: path, line: 0, column: 0, keyPath: "", message: "cannot read the config file: \(error.text)")
            ])
        }
        guard let yaml = String(validating: bytes, as: UTF8.self) else {
            throw ConfigErrors([
                ConfigError(
                    file: path, line: 0, column: 0, keyPath: "", message: "the config file is not valid UTF-8 text")
            ])
        }
        return try parse(yaml: yaml, file: path)
    }

    /// Parses YAML text; `file` is the name used in errors.
    public static func parse(yaml: String, file: String) throws(ConfigErrors) -> VipdConfiguration {
        let root: YAMLNode?
        do {
            root = try YAMLComposer.compose(yaml)
        } catch {
            let position = error.position ?? TextPosition(line: 0, column: 0)
            throw ConfigErrors([
                ConfigError(file: file, line: position.line, column: position.column, keyPath: "", message: error.message)
            ])
        }
        let reader = ConfigReader(file: file)
        guard let configuration = reader.readConfiguration(root), reader.errors.isEmpty else {
            throw ConfigErrors(reader.errors)
        }
        return configuration
    }

    /// A failed system call's `errno`, printed with `strerror`.
    public struct SystemError: Error, CustomStringConvertible {
        var number: Int32
        var text: String { String(cString: strerror(number)) }
        public var description: String { text }
    }

    /// The whole content of the file at `path`, read as vipd reads its config and sorry pages.
    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(number: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(number: errno)
            }
            bytes += chunk[..<count]
        }
    }
}
