/// vipd's release version, as `vipd --version` prints it and `/metrics` labels `vipd_build_info`.
/// Raised with each issue that lands (0.6: HTTP mode, the stats listener, runtime control).
public enum VipdVersion {
    public static let current = "0.6.0"
}
