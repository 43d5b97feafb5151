import FuzzDriver
import VipdDoctor

/// `vipd doctor`'s reading of `iptables-save` / `ip6tables-save` output, every call it makes on it.
fuzzMain { input in
    let text = String(decoding: input, as: UTF8.self)
    _ = IptablesSaveParser.tableNames(text)
    _ = IptablesSaveParser.incompatibleTableNames(text)
    _ = IptablesSaveParser.isNftablesBackend(text)
    _ = IptablesSaveParser.parse(text, ipv6: false)
    _ = IptablesSaveParser.parse(text, ipv6: true)
}
