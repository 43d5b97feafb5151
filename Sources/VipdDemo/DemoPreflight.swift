/// What `vipd demo` needs before it creates anything: root, and the Debian packages whose programs it
/// drives. Pure: the caller says what is there; the answer names what to do.
public enum DemoPreflight {
    /// The programs the demo runs, each with the Debian package that installs it.
    public static let programs: [(program: String, package: String)] = [
        ("ip", "iproute2"), ("sshd", "openssh-server"), ("ssh", "openssh-client"), ("ssh-keygen", "openssh-client"),
        ("nft", "nftables"),
    ]

    /// Why the demo cannot run, with the fix; nil when it can.
    /// - Parameters:
    ///   - isRoot: whether the process runs as root (namespaces, nftables and sshd need it).
    ///   - missingPrograms: the names from `programs` that are not installed.
    public static func problem(isRoot: Bool, missingPrograms: [String]) -> String? {
        var problems: [String] = []
        if !isRoot {
            problems.append("vipd demo must run as root (it creates network namespaces and nftables rules): sudo vipd demo")
        }
        if !missingPrograms.isEmpty {
            var packages: [String] = []
            for (program, package) in programs where missingPrograms.contains(program) && !packages.contains(package) {
                packages.append(package)
            }
            problems.append(
                "vipd demo needs \(missingPrograms.joined(separator: ", ")), not installed here: "
                    + "apt-get install \(packages.joined(separator: " ")) (scripts/demo installs everything and runs the demo)")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "\n")
    }
}
