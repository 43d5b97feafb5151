import FuzzDriver
import VipdConfig
import VipdCore
import VipdImport

/// The haproxy.cfg beside it: one TCP listener.
private let haproxy = SourceText(
    path: "haproxy.cfg",
    text: """
        listen ssh
            bind 10.0.0.100:22
            mode tcp
            server s1 10.0.0.21:22 check
        """)

/// `vipd import` on the input as one node's keepalived.conf, beside a fixed haproxy.cfg with one
/// TCP listener and alone (its virtual servers the only listeners): parsed, translated (instances,
/// virtual servers, cluster inference), and the vipd.yaml loaded.
fuzzMain { input in
    let keepalived = [SourceText(path: "keepalived.conf", text: String(decoding: input, as: UTF8.self))]
    let nodes = [NodeAddress(name: "lb1", address: IPAddress("10.0.0.11")!)]
    _ = try? ConfigImporter.translate(haproxy: haproxy, keepalived: keepalived, nodes: nodes)
    _ = try? ConfigImporter.translate(haproxy: nil, keepalived: keepalived, nodes: nodes)
}
