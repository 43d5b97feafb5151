import VipdConfig

/// The `sshd_config.d` snippet that makes one node's sshd listen on the node's own address(es) only (pure).
///
/// The template is `sshd-snippets/01-vipd.conf.template` in the sources, kept here so the installed binary
/// needs no data files (a test checks the two are identical). Placeholders: `{{NODE}}`, `{{CONFIG}}`,
/// `{{REGENERATE}}` (the command that writes the file again), `{{ADDRESS_FAMILY}}` and
/// `{{LISTEN_ADDRESSES}}` (one `ListenAddress` line per address).
public enum SSHDSnippet {
    /// The file name under `sshd_config.d`: `01-` so it is read before the distributions' own files
    /// (Debian's cloud images, RHEL's `50-redhat.conf`).
    public static let fileName = "01-vipd.conf"

    /// Where sshd reads its main configuration unless told otherwise.
    public static let defaultMainConfig = "/etc/ssh/sshd_config"

    /// The template, identical to `sshd-snippets/01-vipd.conf.template`.
    public static let template = """
        # Written by `vipd sshd-snippet` for node {{NODE}} of {{CONFIG}}. Regenerate it with:
        #   {{REGENERATE}}
        # sshd listens only on this host's own address(es), so that port 22 of the virtual IP
        # is free for vipd (a wildcard listener, 0.0.0.0:22 or [::]:22, would hold it).
        # Keep ListenAddress and AddressFamily out of sshd_config and the other files here:
        # ListenAddress values add up, and the first AddressFamily sshd reads wins.
        AddressFamily {{ADDRESS_FAMILY}}
        {{LISTEN_ADDRESSES}}

        """

    /// `<directory of mainConfig>/sshd_config.d/01-vipd.conf`.
    public static func path(forMainConfig mainConfig: String) -> String {
        let directory = mainConfig.lastIndex(of: "/").map { String(mainConfig[..<$0]) } ?? "."
        return "\(directory)/sshd_config.d/\(fileName)"
    }

    /// The snippet for `node`, whose cluster file is `configPath`, for the sshd that reads `mainConfig`.
    public static func render(
        node: ClusterNode, configPath: String, mainConfig: String = defaultMainConfig, template: String = template
    ) -> String {
        let regenerate =
            "vipd sshd-snippet --config \(configPath) --node \(node.name) --write"
            + (mainConfig == defaultMainConfig ? "" : " --sshd-config \(mainConfig)")
        return template
            .replacingAll("{{NODE}}", with: node.name)
            .replacingAll("{{CONFIG}}", with: configPath)
            .replacingAll("{{REGENERATE}}", with: regenerate)
            .replacingAll("{{ADDRESS_FAMILY}}", with: SSHDAddressFamily(for: node.addresses).rawValue)
            .replacingAll("{{LISTEN_ADDRESSES}}", with: node.addresses.map { "ListenAddress \($0)" }.joined(separator: "\n"))
    }
}

extension String {
    /// Every occurrence of `placeholder` replaced by `value` (no Foundation needed).
    fileprivate func replacingAll(_ placeholder: String, with value: String) -> String {
        split(separator: placeholder, omittingEmptySubsequences: false).joined(separator: value)
    }
}
