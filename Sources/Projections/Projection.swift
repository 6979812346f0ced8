/// A read model: its name, the version of the code that fills it and the
/// fact tables it keeps.
///
/// The version goes up whenever the tables or the statements filling them
/// change; a rebuild then builds the new version beside the live one and
/// swaps it in.
public struct Projection: Sendable, Hashable {
    /// The schema every read model lives in.
    public static let schema = "readmodels"

    /// The name, e.g. `aging`.
    public let name: String
    /// The code version.
    public let version: Int
    /// The tables it keeps.
    public let tables: [FactTable]

    /// Whether a table holds names the runner opens with the clients' data keys.
    var opensNames: Bool { tables.contains(where: \.opensNames) }

    // Version 3 of board, aging and retention: their text columns hold personal values sealed, as
    // the log does since migration 0008; a database upgraded from plaintext rebuilds them once.

    /// The pipeline board: open deals per stage. Version 3 also keeps each objection's category
    /// and each outcome's `resolved` (for the objections report); version 4 the lead assessments
    /// (`qualified` on the board, the funnel's `byQualification`).
    public static let board = Projection(
        name: "board", version: 5,
        tables: [
            .deals, .stageEntries, .offers, .objections, .objectionOutcomes, .closes, .dealTouches, .pipelines,
            .qualifications, .dealProgress,
        ])
    /// Receivables aging: open balances by days overdue, unapplied credit. Version 4 also keeps the
    /// promises to pay and the payment reminders, for the per-invoice receivables list.
    public static let aging = Projection(
        name: "aging", version: 4,
        tables: [
            .clients, .invoices, .allocations, .payments, .creditNotes, .writeOffs, .promises, .reminders,
            .invoiceBalances,
            .unappliedCredits,
        ])
    /// The retention list: purchase rhythm and touches per client.
    public static let retention = Projection(
        name: "retention", version: 3, tables: [.clients, .orders, .touches, .clientActivity])
    /// The clients directory: every client by its lowercased name (opened in Swift, see
    /// ``ClientNameSearch``), with its touches and its deals for `lastTouchOn` and `openDeals`.
    public static let directory = Projection(
        name: "directory", version: 1, tables: [.clientNames, .touches, .clientDeals, .closes])
    /// Every read model the runner keeps.
    public static let all: [Projection] = [.board, .aging, .retention, .directory]

    /// The reports served from another read model's tables, by name: the funnel of deal cohorts
    /// and the objections report read the board's facts (deals, stage entries, closes, objections
    /// and their outcomes, pipelines), which hold all they need. A funnel of its own kept the same
    /// facts a second time, and a rebuild filled, indexed and compared each of them twice. The
    /// per-invoice receivables list reads aging's facts (invoices, allocations, credit notes,
    /// write-offs, promises, reminders) in the same way.
    public static let servingOthers: [(report: String, projection: Projection)] = [
        ("funnel", .board), ("objections", .board), ("receivables-invoices", .aging),
    ]

    /// The read model called `name`, or the one that serves the report called `name`, if any.
    public static func named(_ name: String) -> Projection? {
        all.first { $0.name == name } ?? servingOthers.first { $0.report == name }?.projection
    }

    /// This projection at another version (tests use it to prove a version bump swaps).
    public func withVersion(_ version: Int) -> Projection {
        Projection(name: name, version: version, tables: tables)
    }

    /// The second key of this projection's advisory locks (the two-int form).
    var lockKey: Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return Int32(bitPattern: hash)
    }
}
