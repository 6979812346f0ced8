import Access
import Demo
import EventStore
import Foundation
import HexText
import JSON
import Logging
import PQ
import Projections
import Recording
import Sales

/// The measurements of issue 4 on a database of its own: a log of demo-script clients (deals,
/// orders, invoices, payments) and one client with ~1,000 events, all through ``CommandImport``;
/// then the full rebuild of every read model beside a raw COPY of the log, the report latencies
/// with asOf = today, the 1,000-event history, and the runner's lag under a steady append rate.
struct ProjectionsPhase: Sendable {
    let conninfo: String
    let pool: ConnectionPool
    let store: EventStore
    /// The data keys that seal the imported clients' personal fields, as in production.
    let personalData: PersonalDataKeys
    let logger: Logger

    /// Clients per demo script; each script gets its own seed, so its ids differ.
    static let clientsPerScript = 36

    /// Imports `clients` demo clients (in scripts of 36, a few scripts per load so the lines do not
    /// sit in memory) and one client with `historyEvents` events. Returns the commands loaded.
    func generate(clients: Int, historyEvents: Int) async throws -> (commands: Int, historyClient: UUID, Duration) {
        let importer = CommandImport(
            recorder: CommandRecorder(store: store, personalData: personalData, logger: logger),
            actor: "cli:bench-projections")
        let today = Instant(Date()).utcDate
        let scripts = (clients + Self.clientsPerScript - 1) / Self.clientsPerScript
        let historyClient = UUID()
        let (commands, duration) = try await measure { () async throws -> Int in
            var loaded = 0
            var script = 0
            while script < scripts {
                var lines = [JSONValue]()
                for _ in 0..<min(50, scripts - script) {
                    let count = min(Self.clientsPerScript, clients - script * Self.clientsPerScript)
                    var demo = DemoScript(clientCount: count, seed: 40_000 + UInt64(script), today: today).lines()
                    if script > 0 { demo.removeAll { $0.objectValue?["command"]?.stringValue == "define-pipeline" } }
                    lines += demo
                    script += 1
                }
                let summary = try await importer.load(lines)
                guard summary.rejections.isEmpty else {
                    throw BenchFailure("the generated demo lines were refused: \(summary.rejections.prefix(3))")
                }
                loaded += summary.loaded
            }
            let registered = today.adding(days: -400) ?? today
            var history: [Substring] = [
                Substring(
                    #"{"command":"register-client","clientId":"\#(historyClient.canonical)","name":"Long History","kind":"company","email":"long@example.com","registeredOn":"\#(registered)"}"#
                )
            ]
            for index in 1..<historyEvents {
                let day = today.adding(days: -(index % 390)) ?? today
                history.append(
                    Substring(
                        #"{"command":"record-touch","clientId":"\#(historyClient.canonical)","channel":"call","direction":"outbound","occurredAt":"\#(day)T10:30:00Z","summary":"\#(Workload.summaries[index % Workload.summaries.count])","outcome":"positive","nextStep":"Send quote"}"#
                    ))
            }
            let summary = try await importer.load(history)
            guard summary.rejections.isEmpty else {
                throw BenchFailure("the history lines were refused: \(summary.rejections.prefix(3))")
            }
            return loaded + summary.loaded
        }
        return (commands, historyClient, duration)
    }

    func eventCount() async throws -> Int {
        try await pool.withConnection { connection in
            let count: Int64 = try connection.query("SELECT count(*) FROM events").first?.decode(0) ?? 0
            return Int(count)
        }
    }

    /// Brings every live read model to the head, as the runner would (not timed as a target).
    func catchUp() async throws -> Duration {
        let (_, duration) = try await measure {
            try await pool.withConnection { connection in
                for projection in Projection.all {
                    _ = try ProjectionRegistry.live(projection, on: connection)
                    while try ProjectionRegistry.applyNextBatch(
                        projection, batchSize: 5_000, personalData: personalData, on: connection) > 0
                    {}
                }
            }
        }
        return duration
    }

    /// `touchstone projections rebuild --all`: every read model rebuilt together, on two
    /// connections (the command's default).
    func rebuildAll() async throws -> (Duration, [String]) {
        let conninfo = self.conninfo
        let (outcomes, duration) = try await measure {
            try await pool.withConnection { connection in
                let helper = try Connection(conninfo: conninfo, applicationName: "touchstone-bench-rebuild")
                let outcomes = try ProjectionRebuild(
                    projections: Projection.all, personalData: personalData, logger: logger
                )
                .run(on: connection, helpers: [helper])
                return zip(Projection.all, outcomes).map { projection, outcome -> String in
                    switch outcome {
                    case .swapped(let generation, let position, let matched):
                        return
                            "\(projection.name): generation \(generation) at \(position)\(matched ? ", checksum equal" : ", new version")"
                    case .mismatch:
                        return "\(projection.name): MISMATCH, not swapped"
                    }
                }
            }
        }
        return (duration, outcomes)
    }

    /// Times `body` up to `calls` times or until `budget` has passed (at least 20 calls).
    func latencies(calls: Int, budget: Duration, _ body: () async throws -> Void) async throws -> [Double] {
        let clock = ContinuousClock()
        let start = clock.now
        var samples = [Double]()
        while samples.count < calls {
            let (_, duration) = try await measure { try await body() }
            samples.append(Measurement(label: "", events: 0, duration: duration).seconds * 1_000)
            if samples.count >= 20 && clock.now - start > budget { break }
        }
        return samples
    }

    func agingPage(_ window: ReportWindow) async throws {
        _ = try await pool.withConnection { connection in
            try ReceivablesAging.query(window: window, limit: 500, personalData: personalData, on: connection).json
                .serialized()
        }
    }

    /// The first page (limit 500) of the per-invoice receivables list, as its JSON.
    func receivablesByInvoicePage(_ window: ReportWindow) async throws {
        _ = try await pool.withConnection { connection in
            try ReceivablesByInvoice.query(window: window, limit: 500, personalData: personalData, on: connection).json
                .serialized()
        }
    }

    /// The clients directory's first page (limit 50) for `q`, as `GET /v1/clients?q=` reads it;
    /// answers how many rows it held.
    func clientSearch(_ q: String) async throws -> Int {
        try await pool.withConnection { connection in
            let page = try ClientDirectory.query(
                ClientDirectory.Filter(q: q), personalData: personalData, on: connection)
            _ = page.json.serialized()
            return page.clients.count
        }
    }

    /// How many clients' lowercased names contain `q`: the trigram index alone, without the page's
    /// order, figures or names opened (the baseline of ``clientSearch(_:)``).
    func clientMatches(_ q: String) async throws -> Int64 {
        try await pool.withConnection { connection in
            let model = try ProjectionRegistry.live(.directory, on: connection)
            return try connection.query(
                """
                SELECT count(*) FROM \(fragment: model.table(.clientNames))
                 WHERE search_hex LIKE \("%" + ClientNameSearch.hex(ClientNameSearch.searchable(q)) + "%")
                   AND search_name LIKE \("%" + ClientNameSearch.searchable(q) + "%")
                """
            ).first?.decode(0) ?? 0
        }
    }

    func retentionPage(_ window: ReportWindow) async throws {
        _ = try await pool.withConnection { connection in
            try RetentionList.query(window: window, limit: 500, personalData: personalData, on: connection).json
                .serialized()
        }
    }

    func board(_ window: ReportWindow) async throws {
        _ = try await pool.withConnection { connection in
            try PipelineBoard.query(
                pipeline: Pipeline.defaultName, window: window, personalData: personalData, on: connection
            ).serializedJSON()
        }
    }

    /// The objections report over the deals opened in [`from`, `to`], as its JSON.
    func objections(from: LocalDate, to: LocalDate) async throws {
        _ = try await pool.withConnection { connection in
            try ObjectionReport.query(pipeline: Pipeline.defaultName, from: from, to: to, on: connection).json
                .serialized()
        }
    }

    /// The funnel over the same cohort of deals (the objections report's baseline), as its JSON.
    func funnel(from: LocalDate, to: LocalDate, window: ReportWindow) async throws {
        _ = try await pool.withConnection { connection in
            try Funnel.query(
                pipeline: Pipeline.defaultName, from: from, to: to, window: window, personalData: personalData,
                on: connection
            ).json.serialized()
        }
    }

    /// What `GET /v1/clients/{id}/history` does before it pages: read, decode, filter by asOf, replay.
    func history(_ client: UUID, asOf: LocalDate) async throws -> Int {
        let history = try await ClientHistory.read(
            client, window: ReportWindow(asOf: asOf), from: store, personalData: personalData)
        precondition(history.state.clientId == client, "the history client is not registered")
        return history.entries.count
    }

    /// Appends registrations and touches of fresh clients at `rate` events/s for `seconds` through CommandImport, with a
    /// ``ProjectionRunner`` running; samples the largest lag of any read model every 50 ms.
    func lag(rate: Int, seconds: Int) async throws -> (events: [Double], lagMs: [Double], appended: Int, Duration) {
        let runner = ProjectionRunner(conninfo: conninfo, pollInterval: 0.5, personalData: personalData, logger: logger)
        let running = Task { try await runner.run() }
        defer { running.cancel() }
        // Let the runner claim its projections and settle.
        try await Task.sleep(for: .milliseconds(1_500))
        let importer = CommandImport(
            recorder: CommandRecorder(store: store, personalData: personalData, logger: logger), actor: "cli:bench-lag")
        let today = Instant(Date()).utcDate
        let pool = self.pool
        let sampler = Task { () async throws -> ([Double], [Double]) in
            var events = [Double]()
            var lags = [Double]()
            while !Task.isCancelled {
                let statuses = try await pool.withConnection { try ProjectionStatus.all(on: $0) }
                events.append(Double(statuses.map(\.lagEvents).max() ?? 0))
                lags.append((statuses.map(\.lagSeconds).max() ?? 0) * 1_000)
                try? await Task.sleep(for: .milliseconds(50))
            }
            return (events, lags)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let perTick = max(1, rate / 100)
        var appended = 0
        for tick in 0..<(seconds * 100) {
            // A fresh client per tick (registration + touches), so no decision reads a long stream.
            let fresh = UUID().canonical
            var lines: [Substring] = [
                Substring(
                    #"{"command":"register-client","clientId":"\#(fresh)","name":"Lag \#(tick)","kind":"company","email":"lag\#(tick)@example.com","registeredOn":"\#(today)"}"#
                )
            ]
            for index in 1..<perTick {
                lines.append(
                    Substring(
                        #"{"command":"record-touch","clientId":"\#(fresh)","channel":"email","direction":"outbound","occurredAt":"\#(today)T09:00:00Z","summary":"lag \#(tick)-\#(index)","outcome":"positive"}"#
                    ))
            }
            let summary = try await importer.load(lines)
            appended += summary.loaded
            try await clock.sleep(until: start + .milliseconds(10 * (tick + 1)))
        }
        let elapsed = clock.now - start
        sampler.cancel()
        let (events, lags) = try await sampler.value
        return (events, lags, appended, elapsed)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The `fraction` quantile of `samples` (nearest rank).
func percentile(_ samples: [Double], _ fraction: Double) -> Double {
    guard !samples.isEmpty else { return 0 }
    let sorted = samples.sorted()
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
