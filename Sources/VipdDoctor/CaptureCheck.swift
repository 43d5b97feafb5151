import VipdCapture

/// "libpcap can open the interface": opens a live capture with the monitor's kind of filter
/// (`vrrp`) on the interface and closes it at once, as `vipd run`'s monitor will.
public enum CaptureCheck {
    public static func result(interface: String) -> DoctorCheckResult {
        let title = "libpcap can capture on \(interface)"
        do {
            let capture = try LiveCapture(interface: interface, filter: "vrrp")
            capture.close()
            return DoctorCheckResult(.pass, title, detail: "link type \(capture.linkType)")
        } catch {
            return DoctorCheckResult(
                .fail, title, detail: "\(error)",
                fix: "run vipd as root or with CAP_NET_RAW (and CAP_NET_ADMIN); the interface must exist")
        }
    }
}
