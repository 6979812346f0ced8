import Foundation

/// The time limits and queue bounds of `touchstone serve`, from the environment. Each duration is
/// whole milliseconds, or a number with the unit `ms`, `s` or `min`; `0` turns that limit off.
struct ServeSettings: Equatable {
    /// `TOUCHSTONE_STATEMENT_TIMEOUT` (default 15 s): how long one statement of an HTTP request (a
    /// command, a report) may run before PostgreSQL cancels it and the request answers 503.
    /// Rebuilds lift it for their own work; the projection runner has connections without it.
    var statementTimeout: Duration
    /// `TOUCHSTONE_DRAIN_DELAY` (default 5 s): after SIGTERM, how long `/readyz` answers 503 while
    /// new connections are still taken, so that load balancers stop sending traffic first.
    var drainDelay: Duration
    /// `TOUCHSTONE_IDLE_TIMEOUT` (default 60 s): a keep-alive connection with no request for this
    /// long is closed.
    var idleTimeout: Duration
    /// `TOUCHSTONE_REQUEST_READ_TIMEOUT` (default 30 s): a request whose head and body have not
    /// all arrived this long after its first byte has its connection closed.
    var requestReadTimeout: Duration
    /// `TOUCHSTONE_POOL_LEASE_TIMEOUT` (default 5 s): how long a request waits for a database
    /// connection before it answers 503 `server-busy` with `Retry-After`.
    var poolLeaseTimeout: Duration
    /// `TOUCHSTONE_POOL_MAX_WAITING` (default 256): how many requests may wait for a database
    /// connection at once; the next one answers 503 `server-busy` at once.
    var poolMaximumWaiting: Int

    /// The settings `environment` gives.
    /// - Throws: exit 1 with a one-line message naming the variable whose value is malformed.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        statementTimeout = try Self.duration("TOUCHSTONE_STATEMENT_TIMEOUT", in: environment, default: .seconds(15))
        drainDelay = try Self.duration("TOUCHSTONE_DRAIN_DELAY", in: environment, default: .seconds(5))
        idleTimeout = try Self.duration("TOUCHSTONE_IDLE_TIMEOUT", in: environment, default: .seconds(60))
        requestReadTimeout = try Self.duration(
            "TOUCHSTONE_REQUEST_READ_TIMEOUT", in: environment, default: .seconds(30))
        poolLeaseTimeout = try Self.duration("TOUCHSTONE_POOL_LEASE_TIMEOUT", in: environment, default: .seconds(5))
        let waiting = environment["TOUCHSTONE_POOL_MAX_WAITING"].flatMap { $0.isEmpty ? nil : $0 } ?? "256"
        guard let count = Int(waiting), count >= 0 else {
            throw fail("TOUCHSTONE_POOL_MAX_WAITING is '\(waiting)'; give a whole number (e.g. 256)")
        }
        poolMaximumWaiting = count
    }

    /// `statementTimeout` as PostgreSQL's `statement_timeout` setting (`0ms` for none).
    var statementTimeoutSetting: String { "\(Self.milliseconds(statementTimeout))ms" }

    /// `duration` when it is not zero.
    static func limit(_ duration: Duration) -> Duration? { duration == .zero ? nil : duration }

    /// Whole milliseconds of `duration`.
    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// The duration variable `name` of `environment`, `fallback` when unset or empty.
    static func duration(
        _ name: String, in environment: [String: String], default fallback: Duration
    ) throws
        -> Duration
    {
        guard let text = environment[name], !text.isEmpty else { return fallback }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let scale: Int64? = ["": 1, "ms": 1, "s": 1_000, "min": 60_000][String(text.dropFirst(digits.count))]
        // PostgreSQL's timeouts take at most 2^31 - 1 milliseconds; the others keep the same bound.
        guard let scale, let count = Int64(digits), count <= Int64(Int32.max) / scale else {
            throw fail(
                "\(name) is '\(text)'; give whole milliseconds or a number with ms, s or min "
                    + "(e.g. 15s), at most 2147483647ms")
        }
        return .milliseconds(count * scale)
    }
}
