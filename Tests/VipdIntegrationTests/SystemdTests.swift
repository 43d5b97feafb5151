import Foundation
import VipdLab
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `vipd run` under the service manager's protocols, for real: the notify messages as a
/// `Type=notify` unit's systemd receives them on `$NOTIFY_SOCKET`, and the structured records the
/// real systemd-journald stores when vipd's standard error is a journal stream.
final class SystemdTests: XCTestCase {
    private var directory: LabDirectory!
    private var keys: LabKeys!
    private var ha0: SSHDaemon!
    private var ha1: SSHDaemon?

    override func setUpWithError() throws {
        try XCTSkipUnless(SSHDaemon.isAvailable, "OpenSSH sshd/ssh not installed (apt-get install openssh-server openssh-client)")
        directory = try LabDirectory(prefix: "vipd-systemd")
        keys = try LabKeys.generate(in: directory)
        ha0 = try SSHDaemon.start(name: "ha0", port: try FreePort.allocate(), keys: keys, directory: directory)
    }

    override func tearDown() {
        ha0?.stop()
        ha1?.stop()
        directory?.remove()
    }

    private func yaml(vipPort: Int, ha1Port: Int) -> String {
        """
        listeners:
          ssh: { bind: 127.0.0.1:\(vipPort), pool: ssh }
        pools:
          ssh:
            servers:
              - { name: ha0, address: 127.0.0.1:\(ha0.port) }
              - { name: ha1, address: 127.0.0.1:\(ha1Port) }
            check: { kind: ssh-banner, interval: 500ms, timeout: 5s, fall: 1, rise: 1 }
        global: { drain_timeout: 5s }
        """
    }

    /// READY=1 with the status once the listener answers, WATCHDOG=1 every second (WatchdogSec=2s),
    /// STATUS when a backend dies, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM.
    func testNotifyMessagesFollowTheDaemonsLife() throws {
        let ha1 = try SSHDaemon.start(name: "ha1", port: try FreePort.allocate(), keys: keys, directory: directory)
        self.ha1 = ha1
        let notifications = try NotifySocketReceiver(path: directory.file("notify").path)
        let vipPort = try FreePort.allocate()
        let vipd = try VipdProcess(
            yaml: yaml(vipPort: vipPort, ha1Port: ha1.port), directory: directory,
            launcher: ["/usr/bin/env", "NOTIFY_SOCKET=\(notifications.path)", "WATCHDOG_USEC=2000000"])
        defer { vipd.stop() }

        XCTAssertEqual(notifications.receive(timeout: .seconds(30)), "READY=1\nSTATUS=ssh 2/2 up", "the first message, nothing before it")
        XCTAssertNotNil(BannerProbe.firstLine(address: "127.0.0.1", port: vipPort, timeout: .seconds(10)), "ready means the listener serves")

        let start = ContinuousClock.now
        for ping in 1...3 {
            XCTAssertEqual(notifications.receive(timeout: .seconds(10)), "WATCHDOG=1", "ping \(ping)")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20), "pings every second, not once per WatchdogSec or less often")

        ha1.stop()
        XCTAssertEqual(notifications.receiveIgnoringPings(timeout: .seconds(30)), "STATUS=ssh 1/2 up")

        vipd.signal(SIGHUP)
        XCTAssertEqual(notifications.receiveIgnoringPings(timeout: .seconds(30)), "RELOADING=1\nSTATUS=reloading; ssh 1/2 up")
        XCTAssertEqual(notifications.receiveIgnoringPings(timeout: .seconds(30)), "READY=1\nSTATUS=ssh 1/2 up")
        XCTAssertEqual(notifications.receive(timeout: .seconds(10)), "WATCHDOG=1", "the watchdog goes on after a reload")

        vipd.signal(SIGTERM)
        XCTAssertEqual(notifications.receiveIgnoringPings(timeout: .seconds(30)), "STOPPING=1\nSTATUS=stopping; ssh 1/2 up")
        XCTAssertEqual(vipd.waitForExit(timeout: 30), 0, vipd.log)
        XCTAssertNil(notifications.receiveIgnoringPings(timeout: .milliseconds(500)), "nothing after STOPPING but pings")
    }

    /// Without `$WATCHDOG_USEC` vipd sends no pings, and without `$NOTIFY_SOCKET` nothing at all.
    func testNoPingsWithoutAWatchdog() throws {
        let notifications = try NotifySocketReceiver(path: directory.file("notify").path)
        let vipd = try VipdProcess(
            yaml: yaml(vipPort: try FreePort.allocate(), ha1Port: try FreePort.allocate()), directory: directory,
            launcher: ["/usr/bin/env", "NOTIFY_SOCKET=\(notifications.path)"])
        defer { vipd.stop() }
        XCTAssertEqual(notifications.receive(timeout: .seconds(30)), "READY=1\nSTATUS=ssh 1/2 up")
        XCTAssertNil(notifications.receive(timeout: .seconds(3)), "no WATCHDOG=1 without WatchdogSec")
    }

    /// A VRRP instance's state in STATUS: BACKUP at READY, MASTER once the master-down timer
    /// expires (no peer), and still shown when stopping. A single node in a network namespace of
    /// the test's own, on a veth pair whose both ends are in it (nothing leaves it).
    func testStatusShowsTheVRRPState() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        let namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("sd"))
        defer { namespace.delete() }
        _ = try namespace.run(NetworkNamespace.ipTool, ["link", "add", "vr0", "type", "veth", "peer", "name", "vr1"])
        _ = try namespace.run(NetworkNamespace.ipTool, ["address", "add", "10.251.9.1/24", "dev", "vr0"])
        _ = try namespace.run(NetworkNamespace.ipTool, ["link", "set", "vr0", "up"])
        _ = try namespace.run(NetworkNamespace.ipTool, ["link", "set", "vr1", "up"])
        let notifications = try NotifySocketReceiver(path: directory.file("notify").path)
        let vipd = try VipdProcess(
            yaml: """
                cluster:
                  nodes:
                    ha0: { address: 10.251.9.1, priority: 100 }
                vrrp:
                  VI_1: { interface: vr0, router_id: 91, advert_interval: 100ms, virtual_addresses: [10.251.9.100/24] }
                listeners:
                  ssh: { bind: "10.251.9.100:2222", pool: ssh }
                pools:
                  ssh: { servers: [{ name: ha0, address: "127.0.0.1:22" }], check: { kind: none } }
                global: { drain_timeout: 1s }
                """,
            directory: directory,
            launcher: [NetworkNamespace.ipTool.path, "netns", "exec", namespace.name, "/usr/bin/env", "NOTIFY_SOCKET=\(notifications.path)"])
        defer { vipd.stop() }
        XCTAssertEqual(notifications.receive(timeout: .seconds(30)), "READY=1\nSTATUS=BACKUP VI_1; ssh 1/1 up")
        XCTAssertEqual(notifications.receive(timeout: .seconds(30)), "STATUS=MASTER VI_1; ssh 1/1 up", vipd.log)
        vipd.signal(SIGTERM)
        XCTAssertEqual(notifications.receive(timeout: .seconds(30)), "STOPPING=1\nSTATUS=stopping; MASTER VI_1; ssh 1/1 up")
        XCTAssertEqual(vipd.waitForExit(timeout: 30), 0, vipd.log)
    }

    /// The real systemd-journald, run privately: a mount and PID namespace of the test's own with a
    /// tmpfs on /run/systemd, /run/log and /var/log/journal and a volatile journald.conf. vipd's
    /// standard error is a journald stream (systemd-cat) with `$JOURNAL_STREAM` set to it as systemd
    /// sets it for `StandardError=journal`; vipd must then write native records with VIPD_* fields.
    func testJournalRecordsCarryVipdFields() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root for a private mount namespace (CI runs as root)")
        let tools = ["/lib/systemd/systemd-journald", "/usr/bin/unshare", "/usr/bin/systemd-cat", "/usr/bin/journalctl"]
        let missing = tools.filter { !FileManager.default.isExecutableFile(atPath: $0) }
        try XCTSkipUnless(missing.isEmpty, "missing \(missing.joined(separator: ", ")) (apt-get install systemd util-linux)")

        let config = directory.file("vipd.yaml")
        try yaml(vipPort: try FreePort.allocate(), ha1Port: try FreePort.allocate()).write(to: config, atomically: true, encoding: .utf8)
        let script = directory.file("private-journal.sh")
        try Self.privateJournalScript.write(to: script, atomically: true, encoding: .utf8)
        let run = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/unshare"),
            arguments: [
                "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc",
                "/bin/sh", script.path, directory.url.path, VipdProcess.binary.path, config.path,
            ],
            timeout: .seconds(120))
        XCTAssertEqual(run.exitStatus, 0, run.standardOutput + run.standardError)

        let journal = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/journalctl"),
            arguments: ["--directory", directory.file("journal").path, "--output", "json", "SYSLOG_IDENTIFIER=vipd"],
            timeout: .seconds(30))
        XCTAssertEqual(journal.exitStatus, 0, journal.standardError)
        let records = journal.standardOutput.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        func record(_ text: String) -> [String: Any]? {
            records.first { ($0["MESSAGE"] as? String)?.contains(text) == true }
        }
        let messages = records.compactMap { $0["MESSAGE"] as? String }.joined(separator: "\n")

        let down = try XCTUnwrap(record("server ssh/ha1 is DOWN"), "records: \(messages)")
        XCTAssertEqual(down["VIPD_POOL"] as? String, "ssh")
        XCTAssertEqual(down["VIPD_SERVER"] as? String, "ha1")
        XCTAssertEqual(down["PRIORITY"] as? String, "4", "warning")
        XCTAssertEqual(down["_TRANSPORT"] as? String, "journal", "a native record, not a line of the stream")
        XCTAssertEqual(down["CODE_FILE"] as? String, "VipdHealth/PoolHealthMonitor.swift")
        XCTAssertFalse((down["MESSAGE"] as? String ?? "").contains("pool="), "fields are fields, not key=value text")

        let up = try XCTUnwrap(record("server ssh/ha0 is UP"), "records: \(messages)")
        XCTAssertEqual(up["VIPD_POOL"] as? String, "ssh")
        XCTAssertEqual(up["VIPD_SERVER"] as? String, "ha0")
        XCTAssertEqual(up["PRIORITY"] as? String, "5", "notice")

        let listener = try XCTUnwrap(record("listener ssh on 127.0.0.1"), "records: \(messages)")
        XCTAssertEqual(listener["VIPD_LISTENER"] as? String, "ssh")

        XCTAssertNotNil(record("vipd stopped"), "SIGTERM handled, logged to the journal: \(messages)")
        XCTAssertFalse(records.contains { $0["_TRANSPORT"] as? String == "stdout" }, "no plain lines on the stream: \(messages)")
    }

    /// Runs inside the private namespaces: `sh SCRIPT DIR VIPD CONFIG`. Starts journald, runs
    /// `vipd run` on a journal stream until it logged "vipd ready", stops it with SIGTERM, stops
    /// journald and copies the journal files to DIR/journal. Every wait is bounded.
    private static let privateJournalScript = #"""
        set -eu
        dir=$1; vipd=$2; config=$3
        for target in /run/systemd /run/log /var/log/journal; do
            mkdir -p "$target"
            mount -t tmpfs tmpfs "$target"
        done
        mkdir -p /run/systemd/journal
        printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\n' \
            >"$dir/journald.conf"
        mount --bind "$dir/journald.conf" /etc/systemd/journald.conf
        SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-journald >"$dir/journald.log" 2>&1 &
        journald=$!
        tries=0
        until [ -S /run/systemd/journal/socket ] && [ -S /run/systemd/journal/stdout ]; do
            tries=$((tries + 1)); [ $tries -le 100 ] || { echo "journald did not start"; cat "$dir/journald.log"; exit 1; }
            sleep 0.1
        done
        systemd-cat --identifier=vipd /bin/sh -c \
            'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$@"' vipd "$vipd" run --config "$config" &
        daemon=$!
        tries=0
        until journalctl --directory=/run/log/journal --output=cat SYSLOG_IDENTIFIER=vipd 2>/dev/null | grep -q 'vipd ready'; do
            tries=$((tries + 1)); [ $tries -le 300 ] || { echo "vipd not ready within 30 s"; journalctl --directory=/run/log/journal; exit 1; }
            sleep 0.1
        done
        kill -TERM "$daemon"
        tries=0
        while kill -0 "$daemon" 2>/dev/null; do
            tries=$((tries + 1)); [ $tries -le 300 ] || { echo "vipd did not stop within 30 s"; kill -KILL "$daemon"; exit 1; }
            sleep 0.1
        done
        wait "$daemon"
        kill -TERM "$journald"
        wait "$journald" || true
        cp -r /run/log/journal "$dir/journal"
        """#
}
