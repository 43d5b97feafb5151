import ArgumentParser
import Logging
import VipdConfig
import VipdSystem

/// Before `vipd run` binds: another process listening on a listener's address (or on the wildcard
/// of its port) is named with its pid, program and the fix, and vipd refuses to start.
enum ListenerPreflight {
    /// Logs every conflict; throws when one is certain to make a bind fail. A conflict that depends on
    /// IPV6_V6ONLY (not visible in /proc) is a warning, and the bind itself decides.
    static func run(listeners: [ListenerConfig], logger: Logger) throws {
        let conflicts: [ListenerConflict]
        do {
            conflicts = try ListenerConflicts.find(wanted: listeners.map(\.bind))
        } catch {
            logger.warning("could not look for other listeners before binding: \(error)")
            return
        }
        for conflict in conflicts where conflict.certainty == .unlessIPv6Only {
            logger.warning("\(conflict)")
        }
        let certain = conflicts.filter { $0.certainty == .certain }
        guard !certain.isEmpty else { return }
        throw ValidationError(certain.map(\.description).joined(separator: "\n"))
    }
}
