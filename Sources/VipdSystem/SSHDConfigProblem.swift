/// Something in the sshd configuration that keeps the vipd snippet from doing its job, where it is,
/// and what to do about it.
public struct SSHDConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// `FILE:LINE`, `FILE`, or nil when the problem is not in a file (e.g. an address missing on the host).
    public let location: String?
    public let message: String
    public let fix: String

    public init(location: String?, message: String, fix: String) {
        self.location = location
        self.message = message
        self.fix = fix
    }

    /// A problem at `line` of `file`.
    public init(file: String, line: Int, message: String, fix: String) {
        self.init(location: "\(file):\(line)", message: message, fix: fix)
    }

    /// `/etc/ssh/sshd_config:14: ListenAddress 0.0.0.0 ...; fix: delete line 14 ...`.
    public var description: String { (location.map { "\($0): " } ?? "") + "\(message); fix: \(fix)" }
}
