/// Percentiles and means of durations.
enum Stats {
    /// Nearest-rank percentile (p in 0…1); zero for no values.
    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        guard !values.isEmpty else { return .zero }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    static func mean(_ values: [Duration]) -> Duration {
        values.isEmpty ? .zero : values.reduce(.zero, +) / values.count
    }
}
