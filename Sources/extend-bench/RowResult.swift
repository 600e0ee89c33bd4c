import BenchSupport

/// What one row measured.
struct RowResult: Sendable {
    let row: BenchRow
    let scale: BenchScale
    /// Bytes of cluster.json plus inventory.yaml.
    let inputBytes: Int
    /// The timed run (stdout counted, not parsed); nil when it could not start.
    var timed: ChildOutcome?
    /// From a second run whose stdout was parsed as it streamed; nil when not measured.
    var metrics: RenderMetrics?
    /// Short remarks for the notes column.
    var notes: [String] = []
    /// What the timed run ran (render rows): `extend` and these arguments, in `folder`.
    var command: (arguments: [String], folder: String)?
}

/// The 4x everything row against base, timed in alternation: one run of
/// each, then the next pair. The rows' own medians come from runs minutes
/// apart, and this machine's timings drift by a third over minutes; a pair's
/// two runs see the same machine.
struct PairedRatio: Sendable {
    /// 4x everything's wall time over base's, per pair.
    var ratios: [Double]
    var median: Double { ratios.sorted()[ratios.count / 2] }
}
