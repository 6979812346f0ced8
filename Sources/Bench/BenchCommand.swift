import Access
import ArgumentParser
import EventStore
import Foundation
import Logging
import PQ
import Recording
import TestSupport

/// Measures the event store against raw PostgreSQL on the same table shape
/// (issue 2): single-event appends, 100-event batch appends, reading the whole
/// log; then the import (issue 3) and the read models (issue 4, `--projections-only`).
/// Runs on a throwaway cluster unless `TEST_DATABASE_URL` is set.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Bench",
        abstract: "Event store throughput against raw PostgreSQL baselines (issue 2).")

    @Option(help: "Events written by each append measurement (and by each baseline).")
    var events = 200_000

    @Option(help: "Concurrent writers (each with its own connection).")
    var writers = 8

    @Option(help: "Events per batch append.")
    var batch = 100

    @Option(help: "Lines of the import measurement (issue 3).")
    var importLines = 50_000

    @Flag(help: "Run only the import measurement.")
    var importOnly = false

    @Option(
        help:
            "Clients of the read-model measurement (issue 4; its targets are stated for 100k clients; 10k keeps it near a minute on 2 cores)."
    )
    var clients = 10_000

    @Flag(help: "Run only the read-model measurement (issue 4).")
    var projectionsOnly = false

    @Option(help: "Seconds of steady appends in the projection-lag measurement (0 skips it).")
    var lagSeconds = 10

    /// The import rate issue 3 asks for, in commands per second.
    static let importTarget = 20_000.0

    mutating func run() async throws {
        precondition(events > 0 && writers > 0 && batch > 0, "sizes must be positive")
        var logger = Logger(label: "touchstone.bench")
        // Warnings only, unless `LOG_LEVEL` asks for more (`info` shows the rebuild's phases).
        logger.logLevel =
            ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let external = !(ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] ?? "").isEmpty
        let url = try await TestCluster.shared.makeDatabase()
        // One connection per writer, plus one for the store's coalesced NOTIFY.
        let pool = ConnectionPool(conninfo: url, size: writers + 1, applicationName: "touchstone-bench", logger: logger)
        defer { pool.close() }
        let store = EventStore(pool: pool, logger: logger)
        let phases = Phases(pool: pool, store: store, writers: writers)

        try await printHeader(pool: pool, external: external)
        if projectionsOnly {
            let verdicts = try await measureProjections(logger: logger)
            printProjectionsSummary(verdicts)
            return
        }
        try await phases.createRawTables()
        let importRow = try await measureImport(pool: pool, store: store, logger: logger)
        if importOnly {
            printImportSummary(importRow)
            return
        }
        try await phases.vacuum()

        // 1. Single-event appends; streams of ~20 events each.
        let streams1 = max(1, events / writers / 20)
        section("1. single-event appends: \(events) events, \(writers) writers, \(streams1) streams each")
        let single = try await phases.singleAppends(events: events, streamsPerWriter: streams1)
        report(single)
        let insert = try await phases.singleInserts(
            into: "raw_indexed_events", events: events, streamsPerWriter: streams1)
        report(insert)
        let bareInsert = try await phases.singleInserts(into: "raw_events", events: events, streamsPerWriter: streams1)
        report(bareInsert)
        try await phases.vacuum()

        // 2. Batch appends; both tables still hold the rows of step 1, so they start the same size.
        let streams2 = max(1, events / writers / batch / 10)
        section("2. \(batch)-event batch appends: \(events) events, \(writers) writers, \(streams2) streams each")
        let batched = try await phases.batchAppends(events: events, batch: batch, streamsPerWriter: streams2)
        report(batched)
        let copy = try await phases.copyIn(
            into: "raw_indexed_events", events: events, rowsPerCopy: nil, streamsPerWriter: streams2)
        report(copy)
        let bareCopy = try await phases.copyIn(
            into: "raw_events", events: events, rowsPerCopy: nil, streamsPerWriter: streams2)
        report(bareCopy)
        let copyPerBatch = try await phases.copyIn(
            into: "raw_indexed_events", events: events, rowsPerCopy: batch, streamsPerWriter: streams2)
        report(copyPerBatch)
        try await phases.vacuum()

        // 3. Reading the whole log.
        section("3. reading the whole log (\(2 * events) events) in commit-safe order")
        let (copyOutFirst, _) = try await phases.copyOut()
        report(copyOutFirst, note: "(warms the cache)")
        let peakBefore = ProcessMemory.peakKB ?? 0
        let peakReset = ProcessMemory.resetPeak()
        let residentBefore = ProcessMemory.residentKB ?? 0
        let (read, payloadBytes) = try await phases.readAll()
        let peakDuring = ProcessMemory.peakKB ?? 0
        report(read)
        let (copyOutSecond, logBytes) = try await phases.copyOut()
        report(copyOutSecond)
        let copyOut = copyOutFirst.eventsPerSecond > copyOutSecond.eventsPerSecond ? copyOutFirst : copyOutSecond
        let peakNote =
            peakReset
            ? "VmHWM reset before the read"
            : "VmHWM NOT reset (clear_refs refused), so it includes the writes: was \(peakBefore / 1024) MiB"
        print(
            "  memory: RSS before the read \(residentBefore / 1024) MiB; \(peakNote); peak during the read \(peakDuring / 1024) MiB"
        )
        print(
            "  the log read: \(logBytes / 1_048_576) MiB as COPY text, \(payloadBytes / 1_048_576) MiB of data+metadata JSON"
        )

        let rows = [
            Row(
                name: "1. single appends, \(writers) writers", store: single, baseline: insert,
                baselineName: "INSERT 1 row/tx, \(writers) conns", target: 0.8),
            Row(
                name: "   (same, vs a bare heap)", store: single, baseline: bareInsert,
                baselineName: "INSERT 1 row/tx, no indexes", target: nil),
            Row(
                name: "2. \(batch)-event batches, \(writers) writers", store: batched, baseline: copy,
                baselineName: "COPY, \(writers) conns, 1 COPY each", target: 0.5),
            Row(
                name: "   (same, vs a bare heap)", store: batched, baseline: bareCopy,
                baselineName: "COPY, 1 COPY each, no indexes", target: nil),
            Row(
                name: "   (same, vs COPY per \(batch) rows)", store: batched, baseline: copyPerBatch,
                baselineName: "COPY \(batch) rows/tx, \(writers) conns", target: nil),
            Row(
                name: "3. read all, forEachEvent", store: read, baseline: copyOut,
                baselineName: "COPY TO STDOUT, 1 conn (best of 2)", target: 0.5),
        ]
        printTable(rows, peakMiB: peakDuring / 1024, logMiB: logBytes / 1_048_576)
        printImportSummary(importRow)
        let verdicts = try await measureProjections(logger: logger)
        printProjectionsSummary(verdicts)
    }

    /// 0. `touchstone import` of generated lines, then COPY of the events it appended.
    func measureImport(pool: ConnectionPool, store: EventStore, logger: Logger) async throws -> Row {
        let phase = ImportPhase(
            pool: pool, store: store, personalData: PersonalDataKeys(masterKeys: MasterKeyring(current: .random())),
            logger: logger)
        let lines = ImportPhase.lines(importLines)
        let clients = (importLines + ImportPhase.linesPerClient - 1) / ImportPhase.linesPerClient
        section(
            "0. import: \(importLines) lines (register-client, record-touch, issue-invoice, receive-payment) for \(clients) clients"
        )
        let (imported, summary) = try await phase.importLines(lines)
        guard summary.rejections.isEmpty else {
            throw ValidationError("the generated import was refused: \(summary.rejections.prefix(3))")
        }
        report(imported, note: "(commands)")
        let copy = try await phase.copyIn()
        report(copy)
        print("  \(summary.loaded) commands appended \(copy.events) events")
        let (seal, open, json) = try await phase.sealingCost(count: 100_000)
        for measurement in [json, seal, open] { report(measurement, note: "(payloads)") }
        return Row(
            name: "0. import, commands/s vs events/s", store: imported, baseline: copy,
            baselineName: "COPY of the same events, 1 conn", target: nil)
    }

    func printImportSummary(_ row: Row) {
        print(
            "\nImport (issue 3): \(format(row.store.eventsPerSecond)) commands/s; COPY of the same events "
                + "\(format(row.baseline.eventsPerSecond)) events/s; ratio \(format(row.ratio, decimals: 2))×")
        let verdict = row.store.eventsPerSecond >= Self.importTarget ? "PASS" : "FAIL"
        print("  target ≥ \(format(Self.importTarget)) commands/s: \(verdict)")
    }

    func printHeader(pool: ConnectionPool, external: Bool) async throws {
        let settings: [(String, String)] = try await pool.withConnection { connection in
            let names = [
                "server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers",
                "max_wal_size", "wal_level",
            ]
            return try names.map { name in
                (name, try connection.query("SELECT current_setting(\(name))").first?.decode(0) ?? "?")
            }
        }
        print("Touchstone bench — event store vs raw PostgreSQL, same run, same table shape")
        print("  server: \(external ? "TEST_DATABASE_URL" : "throwaway cluster (TestSupport)")")
        for (name, value) in settings { print("  \(pad(name, 19)) \(value)") }
        print("  client cores: \(ProcessInfo.processInfo.activeProcessorCount) (the server shares them)")
        print("  events per append measurement: \(events); writers: \(writers); batch: \(batch)")
        print("  baseline tables (own sequence each, no triggers, no streams/event_ids/claims guard tables):")
        print("    raw_indexed_events (LIKE events INCLUDING DEFAULTS, CONSTRAINTS, INDEXES): the same table shape,")
        print("      the targets' baseline; raw_events (LIKE events INCLUDING DEFAULTS): a bare heap, shown beside it")
        let settingsByName = Dictionary(uniqueKeysWithValues: settings)
        if settingsByName["fsync"] == "off" || settingsByName["synchronous_commit"] == "off" {
            print("  NOTE: fsync/synchronous_commit off: commits do not wait for the disk, so the per-transaction")
            print("        figures are CPU-bound upper bounds, not what a durable production server gives.")
        }
    }

    func section(_ title: String) {
        print("\n" + title)
    }

    func report(_ measurement: Measurement, note: String = "") {
        print(
            "  \(pad(measurement.label, 46)) \(pad(String(measurement.events), 8, right: true)) events in "
                + "\(pad(format(measurement.seconds, decimals: 2), 7, right: true)) s = "
                + "\(pad(format(measurement.eventsPerSecond), 8, right: true)) events/s \(note)")
    }

    struct Row {
        var name: String
        var store: Measurement
        var baseline: Measurement
        var baselineName: String
        var target: Double?
        var ratio: Double { baseline.eventsPerSecond > 0 ? store.eventsPerSecond / baseline.eventsPerSecond : 0 }
    }

    func printTable(_ rows: [Row], peakMiB: Int, logMiB: Int) {
        print("\nSummary (events/s; ratio = Touchstone / raw baseline)")
        let header =
            "  \(pad("measurement", 38)) \(pad("touchstone", 11, right: true))  \(pad("baseline", 36)) "
            + "\(pad("raw", 10, right: true)) \(pad("ratio", 6, right: true))  target  result"
        print(header)
        print("  " + String(repeating: "-", count: header.count - 2))
        for row in rows {
            let verdict = row.target.map { row.ratio >= $0 ? "PASS" : "FAIL" } ?? "(info)"
            let target = row.target.map { "≥ \(format($0, decimals: 1))×" } ?? "     "
            print(
                "  \(pad(row.name, 38)) \(pad(format(row.store.eventsPerSecond), 11, right: true))  "
                    + "\(pad(row.baselineName, 36)) \(pad(format(row.baseline.eventsPerSecond), 10, right: true)) "
                    + "\(pad(format(row.ratio, decimals: 2) + "×", 6, right: true))  \(target)  \(verdict)")
        }
        print("  read memory: peak RSS (VmHWM) during the read \(peakMiB) MiB for a \(logMiB) MiB log")
    }
}
