import Logging
import VipdDaemon
import VipdSystemd

/// Where the log goes: native journal records with VIPD_* fields when standard error is the
/// journal's stream (under systemd), plain lines otherwise.
enum LogSetup {
    static func bootstrap(level: Logger.Level) {
        let journal = LogDestination.current() == .journal
        LoggingSystem.bootstrap { label in
            journal ? JournalLogHandler(level: level) as any LogHandler : ConsoleLogHandler(label: label, level: level)
        }
    }
}
