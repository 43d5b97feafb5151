import FuzzDriver
import VipdStats

/// A peer's answer to `GET /stats.json` (the whole response, head and body), as the stats page reads it.
fuzzMain { input in
    _ = PeerStatsAnswer.parse(Array(input))
}
