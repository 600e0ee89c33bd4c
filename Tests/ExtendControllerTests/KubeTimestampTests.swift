import ExtendController
import Foundation
import Testing

/// Lease MicroTime and Event Time, computed without a formatter.
@Suite struct KubeTimestampTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000000Z"),
        (1_796_548_800.0, "2026-12-06T09:20:00.000000Z"),
        (1_796_548_800.000_001, "2026-12-06T09:20:00.000001Z"),
        (1_709_251_199.999_999, "2024-02-29T23:59:59.999999Z"),
        (4_107_542_400.5, "2100-03-01T00:00:00.500000Z"),
        (-1.0, "1969-12-31T23:59:59.000000Z"),
        (-0.25, "1969-12-31T23:59:59.750000Z"),
    ])
    func microTime(seconds: Double, expected: String) {
        #expect(KubeTimestamp.micro(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func timeDropsTheFraction() {
        #expect(KubeTimestamp.seconds(Date(timeIntervalSince1970: 1_796_548_800.999)) == "2026-12-06T09:20:00Z")
    }

    @Test func agreesWithFoundationOverManyDates() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var seconds = -2_000_000_000.0
        while seconds < 5_000_000_000 {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(KubeTimestamp.seconds(date) == formatter.string(from: date), "\(seconds)")
            seconds += 7_777_777.0
        }
    }
}
