/// A step of the demo that did not do what it said: what it expected, what it saw, and the log
/// excerpts that show why.
public struct DemoStepFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Some lines of a log, titled with whose log it is.
    public struct LogExcerpt: Sendable, Equatable {
        /// Whose log, e.g. `vipd on ha0 (/tmp/vipd-demo.x/vipd-ha0.log)`.
        public let title: String
        /// The last lines.
        public let lines: [String]

        /// An excerpt; see the properties.
        public init(title: String, lines: [String]) {
            self.title = title
            self.lines = lines
        }
    }

    /// The step's number, nil while setting up.
    public let step: Int?
    /// What the step said would happen.
    public let expected: String
    /// What happened instead.
    public let saw: String
    /// The logs that explain it, filled in by the demo after the failure.
    public var logs: [LogExcerpt]

    /// A failure; see the properties.
    public init(step: Int?, expected: String, saw: String, logs: [LogExcerpt] = []) {
        self.step = step
        self.expected = expected
        self.saw = saw
        self.logs = logs
    }

    /// `step 3 failed: expected …, saw …`, then each log excerpt.
    public var description: String {
        let headline = "\(step.map { "step \($0)" } ?? "setting up") failed: expected \(expected), saw \(saw)"
        return ([headline] + logs.flatMap { excerpt in
            ["--- \(excerpt.title), last \(excerpt.lines.count) lines ---"] + excerpt.lines
        }).joined(separator: "\n")
    }
}

/// The demo stopped because SIGINT or SIGTERM arrived; everything it started is removed all the same.
public struct DemoInterrupted: Error, Sendable, Equatable {
    /// The interruption.
    public init() {}
}
