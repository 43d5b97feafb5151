import Logging
import NIOConcurrencyHelpers  // NIOLockedValueBox; comes with NIOCore (not listed in Package.swift)
import NIOCore
import VipdConfig
import VipdCore

/// One server's health as the monitor reports it (``PoolHealthMonitor/snapshot``).
public struct ServerStatus: Sendable, Equatable {
    /// Position of the server in the pool.
    public var index: Int
    public var name: String
    public var isBackup: Bool
    /// False for `check: false` servers and pools with `kind: none`: always up.
    public var isChecked: Bool
    public var state: HealthState
    /// haproxy's counter text (`2/3 UP`, `1/2 DOWN`), or `not checked`.
    public var progress: String
    /// The most recent check result; nil before the first one and for unchecked servers.
    public var lastOutcome: CheckOutcome?
    /// When that check finished.
    public var lastCheckedAt: ContinuousClock.Instant?
    /// How long every check of the server took.
    public var checkDurations: CheckDurationHistogram
    /// When the server last started or stopped taking traffic (nil before its first check).
    public var lastChangeAt: ContinuousClock.Instant?
    /// How often it went from up to down.
    public var downCount: Int
    /// How long it was down in all, until the snapshot.
    public var downtime: Duration

    public var isUp: Bool { state == .up }
}

/// Runs a pool's health checks and reports every server's changes: the I/O around the pure
/// ``ServerHealth`` and ``CheckSchedule``.
///
/// Each server is checked on one event loop of `group`, one check at a time, every `interval`
/// after the previous check started (see ``CheckSchedule``). Transitions are logged like
/// haproxy's (`server ssh/ha1 is DOWN: connection refused (check took 0 ms); 1 active and
/// 0 backup servers left`) and passed to `onChange`; failed checks that do not change the state
/// are logged at info with the `status: 2/3 UP` progress. The first round of checks is logged as
/// what it is (`checking 2 servers`, each server's first result, then how many are up once every
/// first result is in), never as servers lost before the others were checked. Log metadata:
/// `pool`, `server`.
///
/// Scheduled checks keep the monitor alive until ``stop()``.
public final class PoolHealthMonitor: Sendable {
    public let pool: PoolConfig
    private let group: any EventLoopGroup
    private let logger: Logger
    private let onChange: @Sendable (_ serverIndex: Int, _ isUp: Bool) -> Void
    /// Each server's check, in pool order; nil for `kind: none`.
    private let checks: [any HealthCheck]?
    private let state: NIOLockedValueBox<MonitorState>

    private struct ServerEntry {
        var health: ServerHealth
        var schedule: CheckSchedule<ContinuousClock>
        var lastOutcome: CheckOutcome?
        var lastCheckedAt: ContinuousClock.Instant?
        var checkDurations = CheckDurationHistogram()
        var history = ServerUptimeHistory<ContinuousClock.Instant>()
        let isChecked: Bool
        let eventLoop: any EventLoop
        var nextCheck: Scheduled<Void>?
        /// Checks stopped by the operator (`maint`): the server is out.
        var paused = false
        /// Counts pauses and restarts, so a check started before one is not taken for a check after it.
        var generation = 0

        var isUp: Bool { !paused && (isChecked ? health.isUp : true) }
    }

    private struct MonitorState {
        var started = false
        var stopped = false
        /// Set once every server's first check result is in.
        var firstRoundDone = false
        var servers: [ServerEntry]

        /// Notes in server `index`'s history whether it takes traffic, once that is known (checks
        /// stopped, not checked, or a check result in).
        mutating func recordUsability(_ index: Int, at now: ContinuousClock.Instant) {
            let entry = servers[index]
            guard entry.paused || !entry.isChecked || entry.health.state != .unknown else { return }
            servers[index].history.record(isUp: entry.isUp, at: now)
        }

        /// Servers up now: (primaries, backups).
        func upCounts(in pool: PoolConfig) -> (active: Int, backup: Int) {
            var active = 0
            var backup = 0
            for (index, entry) in servers.enumerated() where entry.isUp {
                if pool.servers[index].backup { backup += 1 } else { active += 1 }
            }
            return (active, backup)
        }
    }

    /// - Parameter onChange: called for every change of a server's usability, and once at start
    ///   for every server that is always up. Calls for one server never overlap; calls for
    ///   different servers may come from different threads.
    public init(
        pool: PoolConfig, group: any EventLoopGroup, logger: Logger,
        onChange: @escaping @Sendable (_ serverIndex: Int, _ isUp: Bool) -> Void
    ) {
        self.pool = pool
        self.group = group
        self.logger = logger
        self.onChange = onChange
        self.checks = pool.check.kind.map { kind in pool.servers.map { makeHealthCheck(kind, pool: pool.name, server: $0.name) } }
        let hasCheck = pool.check.kind != nil
        self.state = NIOLockedValueBox(MonitorState(servers: pool.servers.map { server in
            ServerEntry(
                health: ServerHealth(rise: pool.check.rise, fall: pool.check.fall),
                schedule: CheckSchedule(interval: pool.check.interval),
                lastOutcome: nil,
                isChecked: hasCheck && server.checked,
                eventLoop: group.next(),
                nextCheck: nil
            )
        }))
    }

    /// Runs the first check of every checked server at once; the future completes (never fails)
    /// when all first results are in. Unchecked servers are reported up before this returns.
    public func start() -> EventLoopFuture<Void> {
        let loop = group.next()
        let alreadyStarted = state.withLockedValue { state in
            defer { state.started = true }
            return state.started || state.stopped
        }
        if alreadyStarted { return loop.makeSucceededVoidFuture() }

        var firstChecks: [EventLoopFuture<Void>] = []
        if pool.check.kind == nil {
            logger.info("pool \(pool.name) has no health check: all \(pool.servers.count) servers are up",
                        metadata: ["pool": "\(pool.name)"])
        } else {
            let checked = state.withLockedValue { $0.servers.filter { $0.isChecked && !$0.paused }.count }
            logger.info("pool \(pool.name): checking \(checked) of \(pool.servers.count) servers", metadata: ["pool": "\(pool.name)"])
        }
        let startedAt = ContinuousClock.now
        for (index, server) in pool.servers.enumerated() {
            let (checked, paused) = state.withLockedValue { state in
                state.recordUsability(index, at: startedAt)
                return (state.servers[index].isChecked, state.servers[index].paused)
            }
            if paused {
                continue  // in maintenance since before the start (taken over at a reload)
            } else if checked {
                firstChecks.append(runCheck(index))
            } else {
                if pool.check.kind != nil {
                    logger.info("server \(pool.name)/\(server.name) is UP (not checked)", metadata: metadata(index))
                }
                onChange(index, true)
            }
        }
        let checking = !firstChecks.isEmpty
        return EventLoopFuture.andAllComplete(firstChecks, on: loop).map {
            let counts = self.state.withLockedValue { state in
                state.firstRoundDone = true
                return state.upCounts(in: self.pool)
            }
            if counts.active + counts.backup == 0 {
                self.logger.error("pool \(self.pool.name) has no server available!", metadata: ["pool": "\(self.pool.name)"])
            } else if checking {
                self.logger.notice(
                    "pool \(self.pool.name): first checks done, \(counts.active) active and \(counts.backup) backup servers up",
                    metadata: ["pool": "\(self.pool.name)"])
            }
        }
    }

    /// Stops checking: cancels the scheduled checks; results of checks still running are ignored.
    public func stop() {
        let tasks = state.withLockedValue { state -> [Scheduled<Void>] in
            state.stopped = true
            let tasks = state.servers.compactMap(\.nextCheck)
            for index in state.servers.indices { state.servers[index].nextCheck = nil }
            return tasks
        }
        for task in tasks { task.cancel() }
    }

    /// Every server's current health, in pool order.
    public var snapshot: [ServerStatus] {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            state.servers.enumerated().map { index, entry in
                let server = pool.servers[index]
                return ServerStatus(
                    index: index, name: server.name, isBackup: server.backup, isChecked: entry.isChecked,
                    state: entry.paused ? .down : entry.isChecked ? entry.health.state : .up,
                    progress: entry.paused ? "checks stopped (maint)" : entry.isChecked ? entry.health.progress : "not checked",
                    lastOutcome: entry.lastOutcome, lastCheckedAt: entry.lastCheckedAt,
                    checkDurations: entry.checkDurations, lastChangeAt: entry.history.lastChange,
                    downCount: entry.history.downCount, downtime: entry.history.downtime(at: now)
                )
            }
        }
    }

    /// Whether server `serverIndex` is up now.
    public func isUp(_ serverIndex: Int) -> Bool {
        state.withLockedValue { $0.servers[serverIndex].isUp }
    }

    /// Takes every checked server named `serverName` down at once (they return through normal rise
    /// checks), logging `reason`. Returns how many went down.
    @discardableResult
    public func forceDown(serverNamed serverName: String, reason: String) -> Int {
        var downed = 0
        for index in pool.servers.indices where pool.servers[index].name == serverName {
            let result = state.withLockedValue { state -> (HealthUpdate, (active: Int, backup: Int))? in
                guard !state.stopped, state.servers[index].isChecked, !state.servers[index].paused,
                    let update = state.servers[index].health.forceDown(reason: reason)
                else { return nil }
                state.recordUsability(index, at: .now)
                return (update, state.upCounts(in: pool))
            }
            guard let (_, counts) = result else { continue }
            downed += 1
            logger.warning(
                "server \(pool.name)/\(serverName) is DOWN: \(reason); \(counts.active) active and \(counts.backup) backup servers left",
                metadata: metadata(index))
            onChange(index, false)
        }
        return downed
    }

    /// Stops (`paused`) or restarts the checks of server `index` (`vipd ctl maint` and `ready`).
    /// Stopping takes the server out at once; restarting forgets its counters, so the first check
    /// decides, as at start (an unchecked server is up again at once).
    public func setChecksPaused(_ paused: Bool, server index: Int) {
        let change = state.withLockedValue { state -> (wasUp: Bool, cancel: Scheduled<Void>?, checkNow: Bool, counts: (active: Int, backup: Int))? in
            guard !state.stopped, state.servers[index].paused != paused else { return nil }
            let wasUp = state.servers[index].isUp
            let cancel = state.servers[index].nextCheck
            state.servers[index].nextCheck = nil
            state.servers[index].paused = paused
            state.servers[index].generation += 1
            state.servers[index].health = ServerHealth(rise: pool.check.rise, fall: pool.check.fall)
            state.servers[index].lastOutcome = nil
            state.recordUsability(index, at: .now)
            // A check still running at a restart starts the next one itself when it ends (see `handle`).
            let checkNow = !paused && state.servers[index].isChecked && !state.servers[index].schedule.isRunning
            return (wasUp, cancel, checkNow, state.upCounts(in: pool))
        }
        guard let change else { return }
        change.cancel?.cancel()
        let server = "\(pool.name)/\(pool.servers[index].name)"
        if paused {
            logger.notice(
                "server \(server) is in maintenance, its checks stopped; \(change.counts.active) active and \(change.counts.backup) backup servers left",
                metadata: metadata(index))
            if change.wasUp { onChange(index, false) }
        } else if state.withLockedValue({ $0.servers[index].isChecked }) {
            logger.notice("server \(server) leaves maintenance, checking it", metadata: metadata(index))
            if change.checkNow { _ = runCheck(index) }
        } else {
            logger.notice("server \(server) leaves maintenance: UP (not checked)", metadata: metadata(index))
            onChange(index, true)
        }
    }

    // MARK: - Checking

    private func metadata(_ index: Int) -> Logger.Metadata {
        ["pool": "\(pool.name)", "server": "\(pool.servers[index].name)"]
    }

    /// Starts one check of server `index`; the future completes once its result is handled.
    private func runCheck(_ index: Int) -> EventLoopFuture<Void> {
        let now = ContinuousClock.now
        let started: (loop: any EventLoop, generation: Int)? = state.withLockedValue { state in
            guard !state.stopped, !state.servers[index].paused, state.servers[index].schedule.checkStarted(at: now) else {
                return nil
            }
            state.servers[index].nextCheck = nil
            return (state.servers[index].eventLoop, state.servers[index].generation)
        }
        guard let started, let check = checks?[index] else { return group.next().makeSucceededVoidFuture() }
        let endpoint = pool.servers[index].endpoint
        // A transparent pool's check proves the way back too: it comes from an address only vipd routes.
        let source = pool.transparent ? TransparentSource.healthCheck(endpoint.address.family) : nil
        return check.run(against: endpoint, from: source, timeout: pool.check.timeout, on: started.loop).map { outcome in
            self.handle(index, outcome, generation: started.generation, on: started.loop)
        }
    }

    private func handle(_ index: Int, _ outcome: CheckOutcome, generation: Int, on loop: any EventLoop) {
        let now = ContinuousClock.now
        var restartedMeanwhile = false
        let result = state.withLockedValue { state -> (HealthUpdate, (active: Int, backup: Int), Int, Duration, Bool)? in
            state.servers[index].schedule.checkFinished(at: now)
            guard !state.stopped, !state.servers[index].paused else { return nil }
            guard state.servers[index].generation == generation else {
                restartedMeanwhile = true
                return nil
            }
            let upBefore = state.upCounts(in: pool)
            state.servers[index].lastOutcome = outcome
            state.servers[index].lastCheckedAt = now
            state.servers[index].checkDurations.record(outcome.duration)
            let update = state.servers[index].health.record(outcome)
            state.recordUsability(index, at: now)
            let delay = state.servers[index].schedule.delay(now: now) ?? pool.check.interval
            return (update, state.upCounts(in: pool), upBefore.active + upBefore.backup, delay, state.firstRoundDone)
        }
        guard let (update, counts, upBefore, delay, firstRoundDone) = result else {
            if restartedMeanwhile { _ = runCheck(index) }
            return
        }

        let server = "\(pool.name)/\(pool.servers[index].name)"
        let took = "check took \(outcome.duration.millisecondsText)"
        if let transition = update.transition {
            if transition.from == .unknown, !firstRoundDone {
                // Other servers may not have answered yet: counting them as lost would be untrue.
                logger.log(
                    level: transition.to == .up ? .notice : .warning,
                    "server \(server) is \(transition.to.word): \(outcome.detail) (\(took)); first check",
                    metadata: metadata(index))
            } else if transition.to == .up {
                logger.notice(
                    "server \(server) is UP: \(outcome.detail) (\(took)); \(counts.active) active and \(counts.backup) backup servers online",
                    metadata: metadata(index))
            } else {
                logger.warning(
                    "server \(server) is DOWN: \(outcome.detail) (\(took)); \(counts.active) active and \(counts.backup) backup servers left",
                    metadata: metadata(index))
                if upBefore > 0 && counts.active + counts.backup == 0 {
                    logger.error("pool \(pool.name) has no server available!", metadata: ["pool": "\(pool.name)"])
                }
            }
            onChange(index, transition.to == .up)
        } else if update.isNoteworthy {
            logger.info(
                "Health check for server \(server) \(outcome.passed ? "succeeded" : "failed"), reason: \(outcome.detail), \(took), status: \(update.progress)",
                metadata: metadata(index))
        } else {
            logger.trace("Health check for server \(server): \(outcome.detail), \(took), status: \(update.progress)",
                         metadata: metadata(index))
        }

        let task = loop.scheduleTask(in: TimeAmount(delay)) { _ = self.runCheck(index) }
        let keep = state.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            state.servers[index].nextCheck = task
            return true
        }
        if !keep { task.cancel() }
    }
}
