import CVipdSys

#if canImport(Glibc)
import Glibc
#endif

/// `posix_spawn(3)` of a program with only the descriptors given, an empty signal mask and default
/// signal dispositions (see `cvipd_spawn`), for the processes vipd starts: the programs
/// ``ProcessLauncher`` runs and waits for, and the session server, left to run on its own.
public enum ProcessSpawn {
    /// Starts `path` with `arguments` (the first being what the program sees as its name) and
    /// `environment` (`NAME=value` entries); each `descriptors` entry's source becomes its target in
    /// the child, every other descriptor is closed; `newSession` gives the child a session and a
    /// process group of its own. Returns its pid.
    public static func spawn(
        _ path: String, arguments: [String], environment: [String], descriptors: [(source: CInt, target: CInt)], newSession: Bool
    ) -> Result<pid_t, SystemCallError> {
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = cvipd_spawn(
            &pid, path, &argv, &envp, descriptors.map(\.source), descriptors.map(\.target), CInt(descriptors.count), newSession ? 1 : 0)
        guard status == 0 else { return .failure(SystemCallError("posix_spawn", path: path, errno: status)) }
        return .success(pid)
    }
}
