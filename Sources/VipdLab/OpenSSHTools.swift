import FoundationEssentials

/// Where the OpenSSH programs the lab drives are installed.
///
/// sshd must be started with an absolute path (it re-executes itself), so every tool is
/// resolved to an absolute path here rather than through `PATH` at launch time.
enum OpenSSHTools {
    /// Directories searched, in order, after those in `PATH`.
    static let standardDirectories = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"]

    /// The sshd server.
    static func sshd() throws -> URL { try locate("sshd") }
    /// The ssh client.
    static func ssh() throws -> URL { try locate("ssh") }
    /// The key generator.
    static func sshKeygen() throws -> URL { try locate("ssh-keygen") }

    /// The absolute path of an executable called `name`.
    static func locate(_ name: String) throws -> URL {
        let fromPath = (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        let directories = fromPath + standardDirectories.filter { !fromPath.contains($0) }
        for directory in directories {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) {
                return URL(fileURLWithPath: path)
            }
        }
        throw LabError.toolMissing(name: name, searched: directories)
    }
}
