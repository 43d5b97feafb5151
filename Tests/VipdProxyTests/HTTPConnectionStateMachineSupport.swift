import XCTest

@testable import VipdProxy

typealias HTTPMachine = HTTPConnectionStateMachine

/// The places a connection's state machine can be in, each reached by the events that lead there.
enum HTTPMachineSituation: CaseIterable {
    case firstHead, laterHead, awaitingServer, awaitingResponse, awaitingReusedResponse, streaming, tunnelling
    case closingClean, closingRequest, closingTunnel
}

/// Response heads the tests feed the machine.
enum HTTPMachineSamples {
    static let ok = try! HTTP1Samples.response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    static let serverCloses = try! HTTP1Samples.response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
    static let chunked = try! HTTP1Samples.response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    static let untilClose = try! HTTP1Samples.response("HTTP/1.1 200 OK\r\n\r\n")
    static let switching = try! HTTP1Samples.response(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")

    /// A keep-alive HTTP/1.1 GET without a body, as the machine keeps it.
    static func request(
        keepAlive: Bool = true, asksUpgrade: Bool = false, clientTakesHTTP11: Bool = true, mayUseParkedConnection: Bool = true
    ) -> HTTPMachine.Request {
        HTTPMachine.Request(
            keepAlive: keepAlive, asksUpgrade: asksUpgrade, clientTakesHTTP11: clientTakesHTTP11,
            mayUseParkedConnection: mayUseParkedConnection)
    }
}

extension HTTPConnectionStateMachine {
    /// A machine that reached `situation` (with a keep-alive HTTP/1.1 GET without a body, or an
    /// upgrade request for the tunnel).
    static func at(_ situation: HTTPMachineSituation, reuses: Bool = true, maxRetries: Int = 2) -> Self {
        var machine = Self(reusesServerConnections: reuses, maxRetries: maxRetries)
        machine.drive(to: situation)
        return machine
    }

    private mutating func drive(to situation: HTTPMachineSituation) {
        switch situation {
        case .firstHead:
            break
        case .laterHead:
            drive(to: .streaming)
            requestEnded()
            _ = responseEnded(reusable: true, hasWaitingRequestBytes: false)
        case .awaitingServer:
            _ = head()
        case .awaitingResponse:
            drive(to: .awaitingServer)
            _ = serverAttached(reused: false)
        case .awaitingReusedResponse:
            drive(to: .awaitingServer)
            _ = serverAttached(reused: true)
        case .streaming:
            drive(to: .awaitingResponse)
            _ = responseHeadReceived(HTTPMachineSamples.ok, hasWaitingRequestBytes: false)
        case .tunnelling:
            _ = head(asksUpgrade: true)
            _ = serverAttached(reused: false)
            _ = responseHeadReceived(HTTPMachineSamples.switching, hasWaitingRequestBytes: false)
        case .closingClean:
            _ = requestTimedOut(hasWaitingRequestBytes: false)
        case .closingRequest:
            drive(to: .streaming)
            _ = serverTimedOut()
        case .closingTunnel:
            drive(to: .tunnelling)
            _ = idleTimedOut()
        }
    }

    /// `response` arrived (its status, whether it keeps the server connection, its framing).
    mutating func responseHeadReceived(_ response: HTTP1ResponseHead, hasWaitingRequestBytes: Bool) -> ResponseHeadAction {
        responseHeadReceived(
            status: response.status, keepsConnection: response.isKeepAlive, framing: response.framing,
            hasWaitingRequestBytes: hasWaitingRequestBytes)
    }

    /// A request head with the sample request's facts.
    mutating func head(keepAlive: Bool = true, asksUpgrade: Bool = false, clientMinorVersion: Int = 1, mayUseParked: Bool = true)
        -> Action
    {
        headReceived(
            keepAlive: keepAlive, asksUpgrade: asksUpgrade, clientMinorVersion: clientMinorVersion,
            mayUseParkedConnection: mayUseParked)
    }
}

/// Feeds `event` to a machine in each situation and checks the action and the state after it
/// against `expected`, given the situation and the state before (nil: the event is ignored there, the
/// state stays and the action is `.none`).
func assertEachSituation(
    _ event: (inout HTTPMachine) -> HTTPMachine.Action,
    reuses: Bool = true, maxRetries: Int = 2,
    file: StaticString = #filePath, line: UInt = #line,
    expected: (HTTPMachineSituation, HTTPMachine.State) -> (HTTPMachine.Action, HTTPMachine.State)?
) {
    for situation in HTTPMachineSituation.allCases {
        var machine = HTTPMachine.at(situation, reuses: reuses, maxRetries: maxRetries)
        let before = machine.state
        let action = event(&machine)
        let (expectedAction, expectedState) = expected(situation, before) ?? (.none, before)
        XCTAssertEqual(action, expectedAction, "action in \(situation)", file: file, line: line)
        XCTAssertEqual(machine.state, expectedState, "state after \(situation)", file: file, line: line)
    }
}
