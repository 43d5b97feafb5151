import ArgumentParser
import FoundationEssentials
import VipdCore
import VipdDemo
#if canImport(Glibc)
import Glibc
#endif

/// `vipd demo`: the two-node story in network namespaces, with real OpenSSH and vipd itself.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Two nodes and a client in network namespaces: round robin, failover, split brain and its cure.",
        discussion: """
            Needs root, iproute2, OpenSSH (server and client) and nftables; scripts/demo installs them. \
            Prints the embedded configuration, then six steps, each verified. Removes everything it \
            created, also on Ctrl-C. Exit status: 0 every step did what it said, 1 a step failed (or the \
            demo cannot run here), 130 interrupted.
            """)

    func run() throws {
        let interruption = Interruption()
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let outcome = ClusterDemo.run(executable: executable, isCancelled: { interruption.happened }) { line in
            writeFully(line + "\n", to: STDOUT_FILENO)
        }
        switch outcome {
        case .passed:
            return
        case .failed(let failure):
            printError(failure.description)
            throw ExitCode(1)
        case .interrupted:
            printError("vipd demo: interrupted; everything it started is stopped and removed")
            throw ExitCode(130)
        case .cannotRun(let problem):
            printError(problem)
            throw ExitCode(1)
        }
    }
}
