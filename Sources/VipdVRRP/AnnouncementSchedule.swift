import VipdConfig

/// When a master sends gratuitous ARP / unsolicited NA for its virtual addresses (pure): a burst of
/// `count` on becoming master, another `repeat_after` later, then, with `refresh` set, a burst of
/// `refresh_count` every `refresh` for as long as it stays master (keepalived's
/// `garp_master_refresh`, for switches that age out their entries). Bursts falling at the same time
/// become one, of the larger count. Endless with `refresh`.
public struct AnnouncementSchedule: Sequence, Sendable {
    /// One burst: `count` announcements per address, `at` after becoming master.
    public struct Burst: Sendable, Equatable {
        /// Time since becoming master.
        public var at: Duration
        /// Announcements per address.
        public var count: Int

        /// A burst of `count` at `at`.
        public init(at: Duration, count: Int) {
            self.at = at
            self.count = count
        }
    }

    /// The instance's `garp` settings.
    public let config: AnnouncementConfig

    /// The schedule of `config`.
    public init(_ config: AnnouncementConfig) {
        self.config = config
    }

    /// The bursts from becoming master on.
    public func makeIterator() -> Iterator {
        Iterator(config: config)
    }

    /// The bursts in time order.
    public struct Iterator: IteratorProtocol, Sendable {
        private var fixed: [Burst]
        private let refresh: Duration?
        private let refreshCount: Int
        private var refreshes = 1

        init(config: AnnouncementConfig) {
            let bursts = [Burst(at: .zero, count: config.count)]
                + (config.repeatAfter > .zero ? [Burst(at: config.repeatAfter, count: config.count)] : [])
            fixed = bursts.filter { $0.count > 0 }
            refresh = config.refresh
            refreshCount = config.refreshCount
        }

        /// The next burst; nil when there is none left (never with `refresh`).
        public mutating func next() -> Burst? {
            let refreshAt = refresh.map { $0 * refreshes }
            if let first = fixed.first, refreshAt.map({ first.at <= $0 }) ?? true {
                fixed.removeFirst()
                guard first.at == refreshAt else { return first }
                refreshes += 1
                return Burst(at: first.at, count: Swift.max(first.count, refreshCount))
            }
            guard let refreshAt else { return nil }
            refreshes += 1
            return Burst(at: refreshAt, count: refreshCount)
        }
    }
}
