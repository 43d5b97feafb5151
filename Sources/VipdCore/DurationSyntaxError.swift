/// Why a duration text such as `2x` or `30` was rejected.
public enum DurationSyntaxError: Error, Sendable, Equatable {
    /// A number without a unit, e.g. `30`.
    case missingUnit
    /// Anything else that is not a sequence of NUMBER UNIT parts, e.g. `2x`, `-1s`, `1s1m`.
    case invalid
    /// Larger than vipd can represent (over about 290 million years).
    case tooLarge
}
