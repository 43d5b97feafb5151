/// What one `ssh` invocation returned.
public struct SSHResult: Sendable {
    /// ssh's exit status: the remote command's status, or 255 when ssh itself failed
    /// (connection refused, authentication failed, …).
    public let exitStatus: Int32
    /// The remote command's standard output.
    public let standardOutput: String
    /// The remote command's standard error plus ssh's own diagnostics.
    public let standardError: String
}
