/// Why a YAML text could not be composed, and where (nil when the problem has no place in the text).
struct YAMLSyntaxError: Error, Equatable {
    var position: TextPosition?
    var message: String
}
