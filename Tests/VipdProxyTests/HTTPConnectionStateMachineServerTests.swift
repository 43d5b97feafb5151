import XCTest

@testable import VipdProxy

/// What the server side's events (connections, responses, failures) do in each state.
final class HTTPConnectionStateMachineServerTests: XCTestCase {
    private let request = HTTPMachineSamples.request()
    private let ok = HTTPMachineSamples.ok

    /// The sample request with `change` applied.
    private func request(_ change: (inout HTTPMachine.Request) -> Void) -> HTTPMachine.Request {
        var request = request
        change(&request)
        return request
    }

    // MARK: Connecting

    func testAConnectFailureIsAnswered() {
        assertEachSituation({ $0.connectFailed(noServer: false) }) { situation, _ in
            situation == .awaitingServer ? (.answer(.connectFailed), .closing(abandoned: nil)) : nil
        }
        assertEachSituation({ $0.connectFailed(noServer: true) }) { situation, _ in
            situation == .awaitingServer ? (.answer(.noServer), .closing(abandoned: nil)) : nil
        }
    }

    func testAServerConnectionIsUsedByTheRequestWaitingForItAndDroppedOtherwise() {
        assertEachSituation({ $0.serverAttached(reused: false) }) { situation, before in
            situation == .awaitingServer ? (.sendRequest, .awaitingResponse(request)) : (.dropServer, before)
        }
        var machine = HTTPMachine.at(.awaitingServer)
        XCTAssertEqual(machine.serverAttached(reused: true), .sendRequest)
        XCTAssertEqual(machine.state, .awaitingResponse(request { $0.reusedConnection = true }))
    }

    func testAParkedConnectionClosedAsItWasTakenIsReplacedByANewOne() {
        assertEachSituation({ $0.parkedConnectionClosed() }) { situation, _ in
            situation == .awaitingReusedResponse
                ? (.reconnect(resumeReading: false), .awaitingServer(request { $0.avoidsParkedConnections = true })) : nil
        }
    }

    func testAServerConnectionThatCannotBeSetUpIsAnswered() {
        assertEachSituation({ $0.serverSetupFailed() }) { situation, _ in
            switch situation {
            case .awaitingResponse, .awaitingReusedResponse: (.answer(.connectFailed), .closing(abandoned: nil))
            default: nil
            }
        }
    }

    // MARK: The response

    func testInterimResponsesGoToHTTP11ClientsWaitingForTheirResponseOnly() {
        for situation in HTTPMachineSituation.allCases {
            let passes = [.awaitingResponse, .awaitingReusedResponse].contains(situation)
            XCTAssertEqual(HTTPMachine.at(situation).passesInterimResponses, passes, "\(situation)")
        }
        var machine = HTTPMachine(reusesServerConnections: true, maxRetries: 2)
        _ = machine.head(clientMinorVersion: 0)
        _ = machine.serverAttached(reused: false)
        XCTAssertFalse(machine.passesInterimResponses)
    }

    func testTheResponseHeadGoesOutAndTheBodyStreams() {
        for situation in HTTPMachineSituation.allCases {
            var machine = HTTPMachine.at(situation)
            let before = machine.state
            let action = machine.responseHeadReceived(ok, hasWaitingRequestBytes: false)
            switch situation {
            case .awaitingResponse:
                XCTAssertEqual(action, .forward(keepAlive: true))
                XCTAssertEqual(machine.state, .streaming(request { $0.serverKeepsConnection = true }))
            case .awaitingReusedResponse:
                XCTAssertEqual(action, .forward(keepAlive: true))
                XCTAssertEqual(machine.state, .streaming(request { $0.serverKeepsConnection = true; $0.reusedConnection = true }))
            default:
                XCTAssertEqual(action, .ignore, "\(situation)")
                XCTAssertEqual(machine.state, before, "\(situation)")
            }
        }
    }

    /// The `keepAlive` said to the client for `response` to a request with these facts.
    private func keepAlive(
        _ response: HTTP1ResponseHead, keepAlive: Bool = true, clientMinorVersion: Int = 1, clientInputClosed: Bool = false,
        hasWaitingRequestBytes: Bool = false
    ) -> Bool? {
        var machine = HTTPMachine(reusesServerConnections: true, maxRetries: 2)
        _ = machine.head(keepAlive: keepAlive, clientMinorVersion: clientMinorVersion)
        _ = machine.serverAttached(reused: false)
        if clientInputClosed { _ = machine.clientInputEnded() }
        guard case .forward(let keepAlive) = machine.responseHeadReceived(response, hasWaitingRequestBytes: hasWaitingRequestBytes)
        else { return nil }
        return keepAlive
    }

    func testTheClientConnectionStaysOpenOnlyWhenTheClientCanTellWhereTheResponseEndsAndStays() {
        XCTAssertEqual(keepAlive(ok), true)
        XCTAssertEqual(keepAlive(ok, keepAlive: false), false)
        XCTAssertEqual(keepAlive(HTTPMachineSamples.serverCloses), true, "the server's close is its own connection's")
        XCTAssertEqual(keepAlive(HTTPMachineSamples.chunked), true)
        XCTAssertEqual(keepAlive(HTTPMachineSamples.chunked, clientMinorVersion: 0), false, "chunks decoded for HTTP/1.0")
        XCTAssertEqual(keepAlive(HTTPMachineSamples.untilClose), false)
        XCTAssertEqual(keepAlive(ok, clientInputClosed: true), false)
        XCTAssertEqual(keepAlive(ok, clientInputClosed: true, hasWaitingRequestBytes: true), true)
    }

    func testA101SwitchesProtocolsOnlyForAnUpgradeRequest() {
        let switching = HTTPMachineSamples.switching
        var machine = HTTPMachine(reusesServerConnections: true, maxRetries: 2)
        _ = machine.head(asksUpgrade: true)
        _ = machine.serverAttached(reused: false)
        XCTAssertEqual(machine.responseHeadReceived(switching, hasWaitingRequestBytes: false), .switchProtocols)
        XCTAssertEqual(machine.state, .tunnelling)
        machine = HTTPMachine.at(.awaitingResponse)
        XCTAssertEqual(
            machine.responseHeadReceived(switching, hasWaitingRequestBytes: false), .forward(keepAlive: true))
        XCTAssertEqual(machine.state, .streaming(request))
    }

    func testAServerErrorIsNotedOnTheRequestInFlight() {
        assertEachSituation({ $0.serverFailed(); return .none }) { situation, _ in
            switch situation {
            case .awaitingResponse: (.none, .awaitingResponse(request { $0.serverFailed = true }))
            case .awaitingReusedResponse:
                (.none, .awaitingResponse(request { $0.serverFailed = true; $0.reusedConnection = true }))
            case .streaming: (.none, .streaming(request { $0.serverFailed = true; $0.serverKeepsConnection = true }))
            default: nil
            }
        }
    }

    // MARK: The end of the response

    func testTheEndOfAResponseToARequestStillBeingSentClosesTheConnection() {
        assertEachSituation({ $0.responseEnded(reusable: true, hasWaitingRequestBytes: false) }) { situation, _ in
            switch situation {
            case .awaitingResponse, .awaitingReusedResponse, .streaming, .tunnelling:
                (.finish(parkServer: false, keepOpen: false), .closing(abandoned: nil))
            default: nil
            }
        }
    }

    /// The action at the end of `response`, the request sent whole unless `requestEnded` is false.
    private func finish(
        _ response: HTTP1ResponseHead = HTTPMachineSamples.ok, reuses: Bool = true, keepAlive: Bool = true,
        requestEnded: Bool = true, serverFailed: Bool = false, reusable: Bool = true
    ) -> (HTTPMachine.Action, HTTPMachine.State) {
        var machine = HTTPMachine(reusesServerConnections: reuses, maxRetries: 2)
        _ = machine.head(keepAlive: keepAlive)
        _ = machine.serverAttached(reused: false)
        _ = machine.responseHeadReceived(response, hasWaitingRequestBytes: false)
        if requestEnded { machine.requestEnded() }
        if serverFailed { machine.serverFailed() }
        return (machine.responseEnded(reusable: reusable, hasWaitingRequestBytes: false), machine.state)
    }

    func testAfterACleanResponseTheServerConnectionIsParkedAndTheClientServedAgain() {
        XCTAssertTrue(finish() == (.finish(parkServer: true, keepOpen: true), .awaitingHead(firstRequest: false)))
        XCTAssertTrue(finish(keepAlive: false) == (.finish(parkServer: true, keepOpen: false), .closing(abandoned: nil)))
        XCTAssertTrue(finish(requestEnded: false) == (.finish(parkServer: false, keepOpen: false), .closing(abandoned: nil)))
    }

    func testTheServerConnectionIsClosedWhenReuseIsOffOrTheServerDoesNotKeepItCleanly() {
        let keptOpen = HTTPMachine.State.awaitingHead(firstRequest: false)
        XCTAssertTrue(finish(reuses: false) == (.finish(parkServer: false, keepOpen: true), keptOpen))
        XCTAssertTrue(finish(HTTPMachineSamples.serverCloses) == (.finish(parkServer: false, keepOpen: true), keptOpen))
        XCTAssertTrue(finish(reusable: false) == (.finish(parkServer: false, keepOpen: true), keptOpen))
        XCTAssertTrue(finish(serverFailed: true) == (.finish(parkServer: false, keepOpen: true), keptOpen))
    }

    func testAClientThatSendsNothingMoreIsClosedAfterItsLastResponse() {
        var machine = HTTPMachine.at(.streaming)
        machine.requestEnded()
        _ = machine.clientInputEnded()
        XCTAssertEqual(machine.responseEnded(reusable: true, hasWaitingRequestBytes: false), .finish(parkServer: true, keepOpen: false))
        XCTAssertEqual(machine.state, .closing(abandoned: nil))
    }

    // MARK: Server failures

    func testNoResponseWithinTheServerTimeoutIsAnsweredBeforeTheHeadAndCutAfter() {
        assertEachSituation({ $0.serverTimedOut() }) { situation, _ in
            switch situation {
            case .awaitingResponse, .awaitingReusedResponse: (.answer(.serverTimeout), .closing(abandoned: nil))
            case .streaming: (.cut(.serverTimeout), .closing(abandoned: .request))
            case .tunnelling: (.cut(.serverTimeout), .closing(abandoned: .tunnel))
            default: nil
            }
        }
    }

    func testAServerCloseBeforeTheResponseSendsTheRequestAgainAndAfterItCuts() {
        let closed = HTTPMachine.Failure.serverClosed
        assertEachSituation({ $0.serverClosed(bodyKept: true, retries: 0) }) { situation, _ in
            switch situation {
            case .awaitingResponse: (.retry(reusingIdle: true), .awaitingServer(request))
            case .awaitingReusedResponse:
                (.reconnect(resumeReading: true), .awaitingServer(request { $0.avoidsParkedConnections = true }))
            case .streaming: (.cut(closed), .closing(abandoned: .request))
            case .tunnelling: (.cut(closed), .closing(abandoned: .tunnel))
            default: nil
            }
        }
    }

    func testARequestThatCannotBeSentAgainOrWasSentAsOftenAsAllowedIsAnswered502() {
        let closed = HTTPMachine.Failure.serverClosed
        var machine = HTTPMachine.at(.awaitingResponse)
        XCTAssertEqual(machine.serverClosed(bodyKept: false, retries: 0), .answer(closed))
        XCTAssertEqual(machine.state, .closing(abandoned: nil))
        machine = HTTPMachine.at(.awaitingResponse, maxRetries: 2)
        XCTAssertEqual(machine.serverClosed(bodyKept: true, retries: 2), .answer(closed))
        machine = HTTPMachine.at(.awaitingResponse, maxRetries: 0)
        XCTAssertEqual(machine.serverClosed(bodyKept: true, retries: 0), .answer(closed))
    }

    func testARetryForgetsTheFailedConnectionAndAvoidsParkedOnesAfterAParkedOneFailed() {
        var machine = HTTPMachine.at(.awaitingReusedResponse)
        machine.serverFailed()
        XCTAssertEqual(machine.serverClosed(bodyKept: true, retries: 0), .reconnect(resumeReading: true))
        XCTAssertEqual(machine.serverAttached(reused: false), .sendRequest)
        XCTAssertEqual(machine.state, .awaitingResponse(request { $0.avoidsParkedConnections = true }))
        XCTAssertEqual(
            machine.serverClosed(bodyKept: true, retries: 0), .retry(reusingIdle: false))
        machine = HTTPMachine.at(.awaitingResponse, reuses: false)
        XCTAssertEqual(
            machine.serverClosed(bodyKept: true, retries: 1), .retry(reusingIdle: false))
    }
}
