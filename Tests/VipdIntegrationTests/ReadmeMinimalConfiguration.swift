import Foundation

/// The configuration a new user copies from README.md: the first ```yaml block under
/// "## Minimal configuration".
enum ReadmeMinimalConfiguration {
    static let heading = "## Minimal configuration"

    /// README.md at the top of the package, found from this file's path.
    static var readmePath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // VipdIntegrationTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the package
            .appendingPathComponent("README.md").path
    }

    /// The first ```yaml block under `heading`, before the next `## ` heading; nil when either is missing.
    static func text(in readme: String) -> String? {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == heading }) else {
            return nil
        }
        var block: [String]? = nil
        for line in lines[(start + 1)...] {
            if var collected = block {
                if line.hasPrefix("```") { return collected.joined(separator: "\n") + "\n" }
                collected.append(line)
                block = collected
            } else if line.hasPrefix("## ") {
                return nil
            } else if line.trimmingCharacters(in: .whitespaces) == "```yaml" {
                block = []
            }
        }
        return nil
    }
}
