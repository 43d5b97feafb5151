import VipdProxy
import VipdSpeaker
import VipdSystemd

/// The daemon's status line now: each VRRP instance's state and each pool's servers up.
enum DaemonStatus {
    /// Asks the engine and the speaker (both actors) for their state.
    static func current(phase: StatusLine.Phase, engine: ProxyEngine, speaker: VRRPSpeaker?) async -> StatusLine {
        let pools = await engine.poolRuntimes.map { name, runtime in
            StatusLine.Pool(name: name, up: runtime.serversUp, total: runtime.config.servers.count)
        }
        let instances = await speaker?.instanceStates().map { StatusLine.Instance(name: $0.name, state: "\($0.state)") } ?? []
        return StatusLine(phase: phase, instances: instances, pools: pools)
    }
}
