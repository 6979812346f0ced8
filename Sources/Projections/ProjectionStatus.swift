import EventStore
import Foundation
public import JSON
public import PQ
import Sales

/// What `GET /v1/projections` and `touchstone projections status` show of
/// one read model: the serving version, its checkpoint, lag and any running
/// rebuild's progress.
public struct ProjectionStatus: Sendable, Equatable {
    /// A running rebuild's progress.
    public struct Rebuild: Sendable, Equatable {
        /// Log positions applied to the new generation.
        public var eventsDone: Int64
        /// The safe head it is catching up with.
        public var eventsTotal: Int64
        /// Positions per second since it started.
        public var eventsPerSecond: Double
        /// Seconds left at that rate, nil before the first batch.
        public var etaSeconds: Double?

        /// Progress of `eventsDone` out of `eventsTotal` at `eventsPerSecond`.
        public init(eventsDone: Int64, eventsTotal: Int64, eventsPerSecond: Double, etaSeconds: Double?) {
            self.eventsDone = eventsDone
            self.eventsTotal = eventsTotal
            self.eventsPerSecond = eventsPerSecond
            self.etaSeconds = etaSeconds
        }
    }

    /// The read model's name.
    public var name: String
    /// The serving generation's code version.
    public var version: Int
    /// The last position applied to the serving generation.
    public var position: Int64
    /// Committed events not yet applied.
    public var lagEvents: Int64
    /// Seconds since the oldest unapplied event was recorded (0 when none).
    public var lagSeconds: Double
    /// `live` or `rebuilding`.
    public var state: String
    /// The running rebuild, if any.
    public var rebuild: Rebuild?
    /// Why the last rebuild failed (a checksum that differs at the same version, or an error that
    /// stopped it), until a rebuild succeeds; nil when the last one succeeded.
    public var lastRebuildError: String?
    /// When that rebuild failed (RFC 3339, UTC).
    public var lastRebuildErrorAt: String?
    /// The read model whose tables serve this report, when it keeps none of its own (the funnel
    /// and the objections report are served by the board): its figures are that read model's.
    public var servedBy: String?

    /// The status of every read model, in ``Projection/all`` order, then of every report served
    /// by one of them (``Projection/servingOthers``).
    public static func all(on connection: Connection) throws -> [ProjectionStatus] {
        let horizon = try EventStore.safePosition(on: connection)
        var rows: [String: [Row]] = [:]
        try connection.forEachRow(
            """
            SELECT name, version, generation, position, state, rebuild_target, last_rebuild_error,
                   to_char(last_rebuild_error_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS failed_at,
                   extract(epoch FROM now() - rebuild_started_at)::float8 AS elapsed
              FROM readmodels.projection_state
            """
        ) { row in rows[try row.decode("name"), default: []].append(row) }
        let statuses = try Projection.all.map { projection in
            let registered = rows[projection.name] ?? []
            let live = try registered.first { try $0.decode("state", as: String.self) == "live" }
            let rebuilding = try registered.first { try $0.decode("state", as: String.self) == "rebuilding" }
            let position: Int64 = try live?.decode("position") ?? 0
            let lag = try connection.query(
                """
                SELECT count(*), extract(epoch FROM now() - min(recorded_at))::float8
                  FROM events WHERE position > \(position) AND position <= \(horizon)
                """
            ).first
            var status = ProjectionStatus(
                name: projection.name, version: try live?.decode("version") ?? projection.version, position: position,
                lagEvents: try lag?.decode(0) ?? 0, lagSeconds: max(0, try lag?.decodeOptional(1) ?? 0),
                state: rebuilding == nil ? "live" : "rebuilding", rebuild: nil,
                lastRebuildError: try live?.decodeOptional("last_rebuild_error"),
                lastRebuildErrorAt: try live?.decodeOptional("failed_at"))
            if let rebuilding {
                let done: Int64 = try rebuilding.decode("position")
                let total: Int64 = max(done, try rebuilding.decodeOptional("rebuild_target") ?? horizon)
                let elapsed: Double = try rebuilding.decodeOptional("elapsed") ?? 0
                let rate = elapsed > 0 ? Double(done) / elapsed : 0
                status.rebuild = Rebuild(
                    eventsDone: done, eventsTotal: total, eventsPerSecond: rate,
                    etaSeconds: rate > 0 ? Double(total - done) / rate : nil)
            }
            return status
        }
        let served = Projection.servingOthers.compactMap { report, projection in
            statuses.first { $0.name == projection.name }.map { status in
                var served = status
                served.name = report
                served.servedBy = projection.name
                return served
            }
        }
        return statuses + served
    }

    /// The status as the API's JSON object.
    public var json: JSONValue {
        let rebuildJSON: JSONValue =
            rebuild.map { rebuild in
                .object([
                    "eventsDone": .integer(rebuild.eventsDone), "eventsTotal": .integer(rebuild.eventsTotal),
                    "eventsPerSecond": .decimal(rebuild.eventsPerSecond, places: 1),
                    "etaSeconds": rebuild.etaSeconds.map { .decimal($0, places: 1) } ?? .null,
                ])
            } ?? .null
        return .object([
            "name": .string(name), "version": .integer(version), "position": .integer(position),
            "lagEvents": .integer(lagEvents), "lagSeconds": .decimal(lagSeconds, places: 3), "state": .string(state),
            "rebuild": rebuildJSON, "servedBy": .string(orNull: servedBy),
            "lastRebuildError": lastRebuildError.map { message in
                .object(["message": .string(message), "at": .string(orNull: lastRebuildErrorAt)])
            } ?? .null,
        ])
    }
}
