import Logging
import NIOConcurrencyHelpers
import VipdConfig
import VipdSystem

/// The files and processes the VRRP instances track (`track.files`, `track.processes`), read once a
/// second: each file's integer (keepalived's `track_file`) and how many processes of each name run
/// (keepalived's `track_process`, from `/proc` without starting a process).
///
/// A file that cannot be read or holds no integer counts as 0, as in keepalived; that is logged once
/// until it changes. A process whose count moves in or out of what an instance needs is logged.
final class FileAndProcessTracker: Sendable {
    /// How often the files and `/proc` are read.
    static let interval = Duration.seconds(1)

    private struct Readings: Equatable {
        var values: [String: Int64] = [:]
        var problems: [String: String] = [:]
        var counts: [String: Int] = [:]
        /// Why `/proc` could not be read, while it cannot.
        var processTableProblem: String?
    }

    private let files: [String]
    /// The tracked processes with their bounds, each distinct one once.
    private let processes: [TrackedObjectConfig]
    private let logger: Logger
    private let readings = NIOLockedValueBox(Readings())
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// The files and processes `instances` track; nil when they track none.
    init?(instances: [VRRPInstanceConfig], logger: Logger) {
        let objects = instances.flatMap(\.track)
        var files: [String] = []
        var processes: [TrackedObjectConfig] = []
        for object in objects {
            if object.kind == .file, !files.contains(object.name) { files.append(object.name) }
            let bounds = TrackedObjectConfig(
                kind: .process, name: object.name, weight: 0, minimum: object.minimum, maximum: object.maximum)
            if object.kind == .process, !processes.contains(bounds) { processes.append(bounds) }
        }
        guard !files.isEmpty || !processes.isEmpty else { return nil }
        self.files = files
        self.processes = processes
        self.logger = logger
    }

    /// The integer in the file at `path` as last read (0 when missing, unreadable or not an integer).
    func value(ofFile path: String) -> Int64 { readings.withLockedValue { $0.values[path] ?? 0 } }

    /// How many processes named `name` ran at the last read.
    func count(ofProcess name: String) -> Int { readings.withLockedValue { $0.counts[name] ?? 0 } }

    /// Reads everything now, then every `interval`; `onChange` runs after a read that changed a
    /// file's value or a process count.
    func start(onChange: @escaping @Sendable () -> Void) {
        read()
        let loop = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                guard !Task.isCancelled, let self else { return }
                if self.read() { onChange() }
            }
        }
        task.withLockedValue { $0 = loop }
    }

    func stop() {
        task.withLockedValue { $0?.cancel() }
    }

    /// One read of every file and of `/proc`; true when a value or count changed.
    @discardableResult
    private func read() -> Bool {
        var fresh = Readings()
        for path in files {
            let (value, problem) = TrackFile.read(path)
            fresh.values[path] = value
            fresh.problems[path] = problem
        }
        if !processes.isEmpty {
            if let counts = ProcessCounter.count(Set(processes.map(\.name))) {
                fresh.counts = counts
            } else {
                fresh.counts = readings.withLockedValue { $0.counts }
                fresh.processTableProblem = "cannot read /proc: the process counts stay as they were"
            }
        }
        let old = readings.withLockedValue { old in
            defer { old = fresh }
            return old
        }
        logChanges(from: old, to: fresh)
        return old.values != fresh.values || old.counts != fresh.counts
    }

    private func logChanges(from old: Readings, to fresh: Readings) {
        for path in files {
            let metadata: Logger.Metadata = ["track_file": "\(path)"]
            if let problem = fresh.problems[path], problem != old.problems[path] {
                logger.warning("track file \(path) counts as 0: \(problem)", metadata: metadata)
            } else if fresh.problems[path] == nil, old.problems[path] != nil || old.values[path] != fresh.values[path] {
                logger.notice("track file \(path) holds \(fresh.values[path] ?? 0)", metadata: metadata)
            }
        }
        if let problem = fresh.processTableProblem, old.processTableProblem == nil { logger.error("track processes: \(problem)") }
        for process in processes {
            let before = old.counts[process.name].map { process.accepts(processCount: $0) }
            let count = fresh.counts[process.name] ?? 0
            let now = process.accepts(processCount: count)
            guard before != now else { continue }
            logger.notice(
                "track process \(process.name) is \(now ? "up" : "down"): \(count) running, \(Self.bounds(process))",
                metadata: ["track_process": "\(process.name)"])
        }
    }

    /// `needs 1 or more`, `needs 2 to 8`, `needs none`.
    static func bounds(_ process: TrackedObjectConfig) -> String {
        switch (process.minimum, process.maximum) {
        case (0, 0?): "needs none"
        case (let minimum, nil): "needs \(minimum) or more"
        case (let minimum, let maximum?) where minimum == maximum: "needs exactly \(minimum)"
        case (0, let maximum?): "needs at most \(maximum)"
        case (let minimum, let maximum?): "needs \(minimum) to \(maximum)"
        }
    }
}
