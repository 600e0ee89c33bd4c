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
}
