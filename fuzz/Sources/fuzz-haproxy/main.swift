import FuzzDriver
import VipdConfig
import VipdImport

/// `vipd import` on the input as haproxy.cfg: parsed, translated, and the vipd.yaml it makes loaded.
/// A sorry page it names reads as a fixed, valid response file.
fuzzMain { input in
    let text = String(decoding: input, as: UTF8.self)
    _ = try? ConfigImporter.translate(
        haproxy: SourceText(path: "haproxy.cfg", text: text),
        readFile: { _ in Array("HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\r\nsorry\n".utf8) })
}
