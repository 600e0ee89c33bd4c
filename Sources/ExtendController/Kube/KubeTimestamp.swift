import Foundation

/// Kubernetes timestamps, in UTC, computed from the date alone (no
/// formatter, no locale, no time zone database):
/// - `MicroTime` (a Lease's acquireTime and renewTime): RFC 3339 with six
///   fractional digits, `2026-12-06T09:20:00.000000Z`;
/// - `Time` (an Event's firstTimestamp and lastTimestamp): whole seconds,
///   `2026-12-06T09:20:00Z`.
public enum KubeTimestamp {
    public static func micro(_ date: Date) -> String {
        let (seconds, micros) = split(date)
        return civil(seconds) + "." + pad(micros, 6) + "Z"
    }

    public static func seconds(_ date: Date) -> String {
        civil(split(date).seconds) + "Z"
    }

    /// Whole seconds since 1970 (floored) and the microseconds after them.
    private static func split(_ date: Date) -> (seconds: Int64, micros: Int64) {
        let total = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = floorDiv(total, 1_000_000)
        return (seconds, total - seconds * 1_000_000)
    }

    /// `YYYY-MM-DDTHH:MM:SS` of a count of seconds since 1970 (proleptic
    /// Gregorian calendar; H. Hinnant's civil_from_days).
    private static func civil(_ seconds: Int64) -> String {
        let days = floorDiv(seconds, 86_400)
        let ofDay = seconds - days * 86_400
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(ofDay / 3600, 2)):\(pad(ofDay % 3600 / 60, 2)):\(pad(ofDay % 60, 2))"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
