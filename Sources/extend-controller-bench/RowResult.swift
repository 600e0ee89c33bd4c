/// One row of the table.
struct RowResult {
    var row: String
    var hosts: Int
    /// Changes made (latency row); nil for the initial sync.
    var changes: Int?
    /// Per-change latency, API write returned → in place on every host.
    var samples: [Duration]
    /// From the process's start to "cluster synced" in its log.
    var synced: Duration?
    /// From the process's start to /readyz 200.
    var ready: Duration?
    var peakRSSKB: Int?
    var cpu: String
    var notes: [String]
}
