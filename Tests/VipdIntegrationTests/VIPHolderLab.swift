import Foundation
import VipdLab
import XCTest

/// A namespace lab whose nodes may hold the VIP: the one bounded wait for the holders both VRRP labs use.
protocol VIPHolderLab {
    /// Which nodes hold the VIP now.
    func holders() throws -> [Int]
    /// Every daemon log of the lab, for failure messages.
    func logs() -> String
}

extension VIPHolderLab {
    /// Waits (bounded) until exactly the nodes `expected` hold the VIP, and still do `steadyFor`
    /// seconds later; fails with the logs otherwise.
    func waitForHolders(
        _ expected: [Int], within timeout: TimeInterval, steadyFor: TimeInterval = 0, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var current: [Int] = []
        while Date() < deadline {
            current = try holders()
            if current == expected {
                guard steadyFor > 0 else { return }
                Thread.sleep(forTimeInterval: steadyFor)
                current = try holders()
                if current == expected { return }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("VIP holders are \(current), expected \(expected) within \(timeout) s\n\(logs())", file: file, line: line)
        throw LabError.unexpectedOutput(command: "wait for VIP holders \(expected)", output: "\(current)")
    }
}
