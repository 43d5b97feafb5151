import FuzzDriver
import VipdControl

/// The control socket's lines: a request as the daemon reads it (and its version check), and an
/// answer as `vipd ctl` reads and prints it.
fuzzMain { input in
    let line = Array(input)
    if let request = try? ControlWire.decode(ControlRequest.self, from: line) {
        _ = ControlWire.versionProblem(of: request)
    }
    if let response = try? ControlWire.decode(ControlResponse.self, from: line) {
        if let status = response.status { _ = ControlText.status(status) }
        if let servers = response.servers { _ = ControlText.servers(servers) }
    }
}
