import FoundationEssentials

/// ssh-keygen'd ed25519 host key + client key + authorized_keys inside a LabDirectory.
public struct LabKeys: Sendable {
    /// The sshd host private key (`host_ed25519`).
    public let hostKey: URL
    /// The client private key (`client_ed25519`, mode 0600) passed to `ssh -i`.
    public let clientKey: URL
    /// An authorized_keys file holding the client's public key.
    public let authorizedKeys: URL

    /// Generates both key pairs with `ssh-keygen -t ed25519 -N ""` and writes authorized_keys.
    /// - Throws: `LabError` when ssh-keygen is missing or fails.
    public static func generate(in directory: LabDirectory) throws -> LabKeys {
        let hostKey = directory.file("host_ed25519")
        let clientKey = directory.file("client_ed25519")
        let authorizedKeys = directory.file("authorized_keys")
        for (key, comment) in [(hostKey, "vipd-lab-host"), (clientKey, "vipd-lab-client")] {
            let output = try ProcessRunner.run(
                try OpenSSHTools.sshKeygen(),
                arguments: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key.path],
                timeout: .seconds(30)
            )
            try output.requireSuccess()
        }
        let publicKey = try Data(contentsOf: clientKey.appendingPathExtension("pub"))
        try publicKey.write(to: authorizedKeys)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: authorizedKeys.path)
        return LabKeys(hostKey: hostKey, clientKey: clientKey, authorizedKeys: authorizedKeys)
    }
}
