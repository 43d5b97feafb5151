import XCTest

@testable import VipdProxy

/// What the client side's events (heads, bodies, closes, timeouts) do in each state.
final class HTTPConnectionStateMachineClientTests: XCTestCase {
    private let request = HTTPMachineSamples.request()

    func testTheStateQueriesFollowTheState() {
        for situation in HTTPMachineSituation.allCases {
            let machine = HTTPMachine.at(situation)
            XCTAssertEqual(machine.awaitsHead, [.firstHead, .laterHead].contains(situation), "\(situation)")
            XCTAssertEqual(machine.isTunnelling, situation == .tunnelling, "\(situation)")
            XCTAssertEqual(
                machine.isClosing, [.closingClean, .closingRequest, .closingTunnel].contains(situation), "\(situation)")
        }
    }

    func testARequestHeadBetweenRequestsIsGivenAServer() {
        assertEachSituation({ $0.head() }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead: (.connect(reusingIdle: true), .awaitingServer(request))
            default: nil
            }
        }
    }

    func testOnlyAnIdempotentRequestWithoutBodyMayGoOnAParkedConnectionWhenReuseIsOn() {
        var machine = HTTPMachine(reusesServerConnections: true, maxRetries: 2)
        XCTAssertEqual(machine.head(mayUseParked: false), .connect(reusingIdle: false))
        machine = HTTPMachine(reusesServerConnections: false, maxRetries: 2)
        XCTAssertEqual(machine.head(mayUseParked: true), .connect(reusingIdle: false))
        machine = HTTPMachine(reusesServerConnections: true, maxRetries: 2)
        XCTAssertEqual(machine.head(keepAlive: false, asksUpgrade: true, clientMinorVersion: 0), .connect(reusingIdle: true))
        XCTAssertEqual(
            machine.state,
            .awaitingServer(HTTPMachineSamples.request(keepAlive: false, asksUpgrade: true, clientTakesHTTP11: false)))
    }

    func testARejectedHeadIsAnsweredAndCloses() {
        assertEachSituation({ $0.headRejected() }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead: (.answer(.rejected), .closing(abandoned: nil))
            default: nil
            }
        }
    }

    func testATLSHandshakeIsAnsweredAndCloses() {
        assertEachSituation({ $0.tlsHandshakeReceived() }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead: (.answer(.tlsHandshake), .closing(abandoned: nil))
            default: nil
            }
        }
    }

    func testUnreadableRequestBytesAreAnsweredBeforeTheResponseAndCutAfter() {
        assertEachSituation({ $0.requestUnreadable() }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead, .awaitingServer, .awaitingResponse, .awaitingReusedResponse:
                (.answer(.rejected), .closing(abandoned: nil))
            case .streaming: (.cut(.rejected), .closing(abandoned: .request))
            case .tunnelling: (.cut(.rejected), .closing(abandoned: .tunnel))
            case .closingClean, .closingRequest, .closingTunnel: nil
            }
        }
    }

    func testTheEndOfTheRequestIsNotedOnTheRequestInFlight() {
        var ended = request
        ended.ended = true
        var reused = ended
        reused.reusedConnection = true
        var streaming = ended
        streaming.serverKeepsConnection = true
        assertEachSituation({ $0.requestEnded(); return .none }) { situation, _ in
            switch situation {
            case .awaitingServer: (.none, .awaitingServer(ended))
            case .awaitingResponse: (.none, .awaitingResponse(ended))
            case .awaitingReusedResponse: (.none, .awaitingResponse(reused))
            case .streaming: (.none, .streaming(streaming))
            default: nil
            }
        }
    }

    func testAClientThatSendsNothingMoreIsClosedBetweenRequestsAndHeardThroughATunnel() {
        assertEachSituation({ $0.clientInputEnded() }) { situation, before in
            switch situation {
            case .firstHead, .laterHead, .closingClean: (.close, .closing(abandoned: nil))
            case .tunnelling, .closingTunnel: (.halfCloseServer, before)
            default: nil
            }
        }
        for situation in HTTPMachineSituation.allCases {
            var machine = HTTPMachine.at(situation)
            _ = machine.clientInputEnded()
            XCTAssertTrue(machine.clientInputClosed, "\(situation)")
        }
    }

    func testAfterTheResponseAClientThatSendsNothingMoreAndStartedNoRequestIsClosed() {
        assertEachSituation({ $0.waitingRequestsRead() }) { _, _ in nil }
        var machine = HTTPMachine.at(.streaming)
        XCTAssertEqual(machine.clientInputEnded(), .none)
        machine.requestEnded()
        // A pipelined request waits: the connection stays open for it.
        XCTAssertEqual(machine.responseEnded(reusable: true, hasWaitingRequestBytes: true), .finish(parkServer: true, keepOpen: true))
        XCTAssertEqual(machine.waitingRequestsRead(), .close)
        XCTAssertEqual(machine.state, .closing(abandoned: nil))
        // It was a whole request: served, then the same.
        machine = HTTPMachine.at(.streaming)
        _ = machine.clientInputEnded()
        machine.requestEnded()
        _ = machine.responseEnded(reusable: true, hasWaitingRequestBytes: true)
        XCTAssertEqual(machine.head(), .connect(reusingIdle: true))
        XCTAssertEqual(machine.waitingRequestsRead(), .none)
    }

    func testAClientErrorClosesTheConnectionOnce() {
        assertEachSituation({ $0.clientFailed() }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead: (.closeAfterClientError, .closing(abandoned: nil))
            case .awaitingServer, .awaitingResponse, .awaitingReusedResponse, .streaming:
                (.closeAfterClientError, .closing(abandoned: .request))
            case .tunnelling: (.closeAfterClientError, .closing(abandoned: .tunnel))
            case .closingClean, .closingRequest, .closingTunnel: nil
            }
        }
    }

    func testWhenTheClientConnectionEndsTheRequestInFlightIsLoggedAsCutAndATunnelAsEnded() {
        assertEachSituation({ $0.clientClosed(hasWaitingRequestBytes: false) }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead, .closingClean: (.none, .closing(abandoned: nil))
            case .awaitingServer, .awaitingResponse, .awaitingReusedResponse, .streaming, .closingRequest:
                (.abandonRequest(cut: .clientClosed), .closing(abandoned: nil))
            case .tunnelling, .closingTunnel: (.abandonRequest(cut: nil), .closing(abandoned: nil))
            }
        }
    }

    func testWhenTheClientConnectionEndsPartOfAHeadIsLoggedAsIncomplete() {
        assertEachSituation({ $0.clientClosed(hasWaitingRequestBytes: true) }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead, .closingClean: (.logIncompleteRequest(cut: .clientClosed), .closing(abandoned: nil))
            case .awaitingServer, .awaitingResponse, .awaitingReusedResponse, .streaming, .closingRequest:
                (.abandonRequest(cut: .clientClosed), .closing(abandoned: nil))
            case .tunnelling, .closingTunnel: (.abandonRequest(cut: nil), .closing(abandoned: nil))
            }
        }
    }

    func testWhatTheIdleTimeoutCutIsLoggedAsCutByIt() {
        var machine = HTTPMachine.at(.laterHead)
        XCTAssertEqual(machine.idleTimedOut(), .close)
        XCTAssertEqual(machine.clientClosed(hasWaitingRequestBytes: true), .logIncompleteRequest(cut: .idleTimeout))
        machine = HTTPMachine.at(.streaming)
        _ = machine.idleTimedOut()
        XCTAssertEqual(machine.clientClosed(hasWaitingRequestBytes: false), .abandonRequest(cut: .idleTimeout))
        machine = HTTPMachine.at(.tunnelling)
        _ = machine.idleTimedOut()
        XCTAssertEqual(machine.clientClosed(hasWaitingRequestBytes: false), .abandonRequest(cut: nil))
        XCTAssertEqual(HTTPMachine.CutReason.idleTimeout.logText, "idle-timeout")
        XCTAssertEqual(HTTPMachine.CutReason.clientClosed.logText, "client-closed")
    }

    func testTheIdleTimeoutClosesInEveryState() {
        assertEachSituation({ $0.idleTimedOut() }) { situation, before in
            switch situation {
            case .firstHead, .laterHead: (.close, .closing(abandoned: nil))
            case .awaitingServer, .awaitingResponse, .awaitingReusedResponse, .streaming: (.close, .closing(abandoned: .request))
            case .tunnelling: (.close, .closing(abandoned: .tunnel))
            case .closingClean, .closingRequest, .closingTunnel: (.close, before)
            }
        }
    }

    func testTheRequestTimeoutAnswersAFirstRequestAndEndsAnIdleKeptAliveConnectionSilently() {
        assertEachSituation({ $0.requestTimedOut(hasWaitingRequestBytes: false) }) { situation, _ in
            switch situation {
            case .firstHead: (.answer(.requestTimeout), .closing(abandoned: nil))
            case .laterHead: (.close, .closing(abandoned: nil))
            default: nil
            }
        }
    }

    func testTheRequestTimeoutAnswersANextRequestBegun() {
        assertEachSituation({ $0.requestTimedOut(hasWaitingRequestBytes: true) }) { situation, _ in
            switch situation {
            case .firstHead, .laterHead: (.answer(.requestTimeout), .closing(abandoned: nil))
            default: nil
            }
        }
    }
}
