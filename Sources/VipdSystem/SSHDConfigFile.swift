/// An sshd configuration file's path and text, as read from disk.
public struct SSHDConfigFile: Sendable, Equatable {
    public let path: String
    public let text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// The file's directives.
    public var directives: [SSHDDirective] { SSHDConfigSyntax.directives(in: text) }
}
