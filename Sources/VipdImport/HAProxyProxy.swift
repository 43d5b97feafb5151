/// A frontend, backend or listen section together with the `defaults` section it inherits from:
/// a setting written in the proxy wins, otherwise the defaults' value applies.
struct HAProxyProxy {
    var section: HAProxySection
    var defaults: HAProxySection?

    var name: String { section.name ?? "" }
    var kind: HAProxySectionKind { section.kind }

    /// The key under which a directive overrides an inherited one: `timeout client`, `option httpchk`
    /// (also for `no option httpchk`), or the keyword itself.
    static func settingKey(_ directive: HAProxyDirective) -> String {
        let words = directive.keyword == "no" ? Array(directive.words.dropFirst()) : directive.words
        if ["option", "timeout"].contains(words.first), words.count > 1 { return "\(words[0]) \(words[1])" }
        return words.first ?? ""
    }

    /// The directive that sets `key` for this proxy: the last in the section, else the last in its defaults.
    func setting(_ key: String) -> HAProxyDirective? {
        own(key).last ?? inherited(key).last
    }

    /// The directives of the section itself with `key`.
    func own(_ key: String) -> [HAProxyDirective] { section.directives.filter { Self.settingKey($0) == key } }

    /// The defaults' directives with `key`.
    func inherited(_ key: String) -> [HAProxyDirective] {
        defaults?.directives.filter { Self.settingKey($0) == key } ?? []
    }

    /// Rules such as `tcp-check …` or `http-check …`: the section's own when it has any, else the defaults'.
    func rules(_ keyword: String) -> [HAProxyDirective] {
        let own = section.directives.filter { $0.keyword == keyword }
        return own.isEmpty ? (defaults?.directives.filter { $0.keyword == keyword } ?? []) : own
    }
}
