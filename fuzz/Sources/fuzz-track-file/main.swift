import FuzzDriver
import VipdSystem

/// The first bytes of a file a VRRP instance tracks (`track.files`), as `TrackFile.read` reads them.
fuzzMain { input in
    _ = TrackFileValue.parse(Array(input.prefix(TrackFileValue.readLimit)))
}
