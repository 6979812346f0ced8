public import Foundation

extension Instant {
    /// The instant of a Foundation `Date` (a reading of the server clock, typically), rounded down to
    /// a whole microsecond as PostgreSQL would store it, and clamped into years 0000...9999.
    public init(_ date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded(.down)
        let earliest = Instant.earliestSecond * 1_000_000
        let latest = Instant.latestSecond * 1_000_000 + 999_999
        let clamped =
            if !(micros > Double(earliest)) {
                earliest
            } else if micros >= Double(latest) {
                latest
            } else {
                Int64(micros)
            }
        let (seconds, remainder) = Instant.floorDivision(clamped, 1_000_000)
        self.init(uncheckedSeconds: seconds, nanoseconds: Int32(remainder * 1000))
    }
}
