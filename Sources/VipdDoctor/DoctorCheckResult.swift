/// How one preflight check came out.
public enum DoctorStatus: String, Sendable, Comparable, CaseIterable {
    case pass = "PASS"
    case warn = "WARN"
    case fail = "FAIL"

    public static func < (lhs: DoctorStatus, rhs: DoctorStatus) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One line of `vipd doctor`: a status, what was checked, what was found, and for WARN and FAIL
/// what to do about it.
public struct DoctorCheckResult: Sendable, Equatable {
    public var status: DoctorStatus
    /// What was checked, e.g. `interface eth0 is up`.
    public var title: String
    /// What was found, e.g. `eth0 (#2, ..., up)`; may span lines.
    public var detail: String
    /// The commands or edits that fix it; empty for PASS.
    public var fix: String

    public init(_ status: DoctorStatus, _ title: String, detail: String = "", fix: String = "") {
        self.status = status
        self.title = title
        self.detail = detail
        self.fix = fix
    }
}
