import FoundationEssentials
import VipdCore

/// The rule texts of `nft -a list ruleset`, keyed by family, table, chain and handle, so a
/// finding quotes a rule exactly as `nft` prints it. Pure.
public enum NftablesListing {
    /// A rule's place: what `nft delete rule FAMILY TABLE CHAIN handle N` needs.
    public struct RuleKey: Hashable, Sendable {
        public var family: String
        public var table: String
        public var chain: String
        public var handle: Int
    }

    /// Every rule line directly inside a chain block that ends in `# handle N`, without that comment.
    public static func ruleTexts(_ listing: String) -> [RuleKey: String] {
        var texts: [RuleKey: String] = [:]
        var table: (family: String, name: String)?
        var chain: String?
        var depth = 0
        for rawLine in listing.split(separator: "\n") {
            let line = rawLine.trimmingWhitespace()
            let words = line.split(separator: " ").map(String.init)
            if depth == 0, words.first == "table", words.count >= 3 {
                table = (words[1], words[2])
            } else if depth == 1, words.first == "chain", words.count >= 2 {
                chain = words[1]
            } else if depth == 2, let table, let chain, let marker = line.ranges(of: " # handle ").last,
                let handle = Int(line[marker.upperBound...])
            {
                let key = RuleKey(family: table.family, table: table.name, chain: chain, handle: handle)
                texts[key] = String(line[..<marker.lowerBound])
            }
            depth = max(0, depth + braceBalance(line))
            if depth < 2 { chain = nil }
            if depth < 1 { table = nil }
        }
        return texts
    }

    /// Opening minus closing braces outside quoted strings and comments.
    private static func braceBalance(_ line: String) -> Int {
        var balance = 0
        var quoted = false
        for character in line {
            switch character {
            case "\"": quoted.toggle()
            case "#" where !quoted: return balance
            case "{" where !quoted: balance += 1
            case "}" where !quoted: balance -= 1
            default: break
            }
        }
        return balance
    }
}
