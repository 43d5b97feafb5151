import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VipdConfig
import VipdCore
import VipdHealth

/// Asks another node's stats listener for its `stats.json`: one HTTP/1.1 request with
/// `Connection: close` (and the basic authentication of `stats.auth`, the same on every node),
/// read until the peer closes.
public enum PeerStatsClient {
    /// The largest answer read.
    public static let maximumAnswerBytes = 4 << 20

    /// `GET /stats.json` from `endpoint`, answered whole within `timeout` (connect included).
    public static func fetch(
        _ endpoint: SocketEndpoint, credentials: StatsCredentials?, timeout: Duration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> Result<PeerStatsAnswer.View, PeerStatsError> {
        let authorization = credentials.map { "Authorization: \(BasicAuthentication.header(for: $0))\r\n" } ?? ""
        let request = "GET /stats.json HTTP/1.1\r\nHost: \(endpoint)\r\nUser-Agent: vipd-peer\r\nAccept: application/json\r\n"
            + "Connection: close\r\n\(authorization)\r\n"
        let giveUpAt = NIODeadline.now() + TimeAmount(timeout)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            let address = try SocketAddress(ipAddress: endpoint.address.text, port: endpoint.port)
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            return .failure(PeerStatsError(describeConnectError(error, timeout: timeout)))
        }
        let underlying = channel.channel
        let timedOut = NIOLockedValueBox(false)
        let deadline = underlying.eventLoop.scheduleTask(deadline: giveUpAt) {
            timedOut.withLockedValue { $0 = true }
            underlying.close(promise: nil)
        }
        defer { deadline.cancel() }
        var received: [UInt8] = []
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request))
                for try await chunk in inbound {
                    received += chunk.readableBytesView
                    guard received.count <= maximumAnswerBytes else {
                        throw PeerStatsError("the answer is larger than \(maximumAnswerBytes >> 20) MiB")
                    }
                }
            }
        } catch let error as PeerStatsError {
            return .failure(error)
        } catch {
            if !timedOut.withLockedValue({ $0 }) { return .failure(PeerStatsError(describeConnectionError(error))) }
        }
        if timedOut.withLockedValue({ $0 }) {
            return .failure(PeerStatsError("no whole answer within \(timeout.millisecondsText)"))
        }
        return PeerStatsAnswer.parse(received)
    }
}
