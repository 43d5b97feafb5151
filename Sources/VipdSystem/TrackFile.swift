/// Reads a file a VRRP instance tracks (`track.files`), as keepalived's `track_file` does.
public enum TrackFile {
    /// The integer `path` holds, or 0 with the reason when the file is missing, unreadable or holds
    /// no integer vipd reads (keepalived reads those as 0 too). Never blocks (a FIFO fails).
    public static func read(_ path: String) -> (value: Int64, problem: String?) {
        let bytes: [UInt8]
        do {
            bytes = try HostFile.bytes(path, limit: TrackFileValue.readLimit, nonBlocking: true)
        } catch {
            return (0, "\(error)")
        }
        switch TrackFileValue.parse(bytes) {
        case .value(let value): return (value, nil)
        case .invalid(let why): return (0, "\(path) holds no integer vipd reads: \(why)")
        }
    }
}
