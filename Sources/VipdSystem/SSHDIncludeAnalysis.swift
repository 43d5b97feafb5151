#if canImport(Glibc)
import Glibc
#endif

/// Whether the vipd snippet, once written, decides where sshd listens (pure).
///
/// sshd reads the main file top to bottom and an `Include` inline, where it stands. For the snippet to work:
/// the main file must `Include` a pattern covering the snippet (relative patterns are relative to sshd's
/// directory, `/etc/ssh`, not to the main file's); that `Include` must not sit inside a `Match` block
/// (sshd refuses `ListenAddress` there); no `AddressFamily` with another value may come before it
/// (sshd keeps the first value it reads); and nothing else may set `ListenAddress`, because its values
/// add up: the snippet cannot take back a `0.0.0.0` written elsewhere. `AddressFamily` in another
/// included file only matters when that file is read before the snippet.
public enum SSHDIncludeAnalysis {
    /// sshd's own directory (OpenSSH's SSHDIR), against which relative `Include` patterns are resolved.
    public static let defaultSSHDirectory = "/etc/ssh"

    /// Every problem, with its file:line and fix; empty when the snippet will be in charge.
    /// - Parameters:
    ///   - main: the main sshd_config.
    ///   - included: the other files the covering `Include` reads (not the snippet), in sshd's order.
    ///   - snippetPath: where the snippet goes, e.g. `/etc/ssh/sshd_config.d/01-vipd.conf`.
    ///   - family: the snippet's `AddressFamily`.
    ///   - sshDirectory: the directory relative `Include` patterns are resolved against.
    public static func problems(
        main: SSHDConfigFile, included: [SSHDConfigFile], snippetPath: String, family: SSHDAddressFamily,
        sshDirectory: String = defaultSSHDirectory
    ) -> [SSHDConfigProblem] {
        let directives = main.directives
        var problems: [SSHDConfigProblem] = []
        let include = coveringInclude(in: main, snippetPath: snippetPath, sshDirectory: sshDirectory)
        let snippetDirectory = String(snippetPath[..<(snippetPath.lastIndex(of: "/") ?? snippetPath.startIndex)])
        if let include {
            if let match = directives.first(where: { $0.is("Match") && $0.line < include.line }) {
                problems.append(
                    SSHDConfigProblem(
                        file: main.path, line: include.line,
                        message: "this Include is inside the Match block that starts at line \(match.line), "
                            + "where sshd does not allow ListenAddress or AddressFamily",
                        fix: "move the Include above line \(match.line), e.g. to the first line"))
            }
            for early in directives where early.is("AddressFamily") && early.line < include.line && early.value.lowercased() != family.rawValue {
                problems.append(
                    SSHDConfigProblem(
                        file: main.path, line: early.line,
                        message: "AddressFamily \(early.value) comes before the Include at line \(include.line), and sshd keeps "
                            + "the first value it reads, so the snippet's AddressFamily \(family.rawValue) would be ignored",
                        fix: "delete line \(early.line) (the snippet sets AddressFamily)"))
            }
        } else {
            problems.append(
                SSHDConfigProblem(
                    location: main.path,
                    message: "no Include covers \(snippetPath), so sshd would never read the snippet",
                    fix: "add the line `Include \(snippetDirectory)/*.conf` at the top of \(main.path)"))
        }
        for listen in directives where listen.is("ListenAddress") {
            problems.append(strayListenAddress(listen, in: main.path))
        }
        for file in included where file.path != snippetPath {
            for directive in file.directives {
                if directive.is("ListenAddress") {
                    problems.append(strayListenAddress(directive, in: file.path))
                } else if directive.is("AddressFamily"), directive.value.lowercased() != family.rawValue,
                    file.path.utf8.lexicographicallyPrecedes(snippetPath.utf8)
                {
                    problems.append(
                        SSHDConfigProblem(
                            file: file.path, line: directive.line,
                            message: "AddressFamily \(directive.value) is read before \(snippetPath), and sshd keeps the "
                                + "first value, so the snippet's AddressFamily \(family.rawValue) would be ignored",
                            fix: "delete line \(directive.line) of \(file.path) (the snippet sets AddressFamily)"))
                }
            }
        }
        return problems
    }

    /// A `ListenAddress` outside the snippet: it adds to the snippet's instead of being replaced.
    private static func strayListenAddress(_ directive: SSHDDirective, in path: String) -> SSHDConfigProblem {
        SSHDConfigProblem(
            file: path, line: directive.line,
            message: "ListenAddress \(directive.value) adds to the snippet's ListenAddress (sshd listens on every "
                + "one it reads), so sshd would keep listening there",
            fix: "delete line \(directive.line) of \(path) or comment it out (the snippet has this host's ListenAddress)")
    }

    /// The main file's first `Include` whose patterns cover `snippetPath`, if any.
    public static func coveringInclude(
        in main: SSHDConfigFile, snippetPath: String, sshDirectory: String = defaultSSHDirectory
    ) -> SSHDDirective? {
        main.directives.first { directive in
            directive.is("Include")
                && includePatterns(directive, sshDirectory: sshDirectory).contains { matches($0, snippetPath) }
        }
    }

    /// The Include's patterns as sshd resolves them (relative ones under `sshDirectory`).
    public static func includePatterns(_ include: SSHDDirective, sshDirectory: String) -> [String] {
        include.arguments.map { $0.hasPrefix("/") ? $0 : "\(sshDirectory)/\($0)" }
    }

    /// glob(3) matching of one path against one pattern (`*` does not cross `/`).
    static func matches(_ pattern: String, _ path: String) -> Bool {
        fnmatch(pattern, path, FNM_PATHNAME | FNM_PERIOD) == 0
    }
}
