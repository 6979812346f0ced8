import Foundation
import HexText
public import JSON

extension ClientHistoryState {
    /// The version of `apply` and of `snapshot`'s encoding: raise it whenever either changes, and
    /// every stored snapshot of a history's state is ignored and taken again.
    public static let foldVersion = 2

    /// The state as JSON. The client's name and the open deals' titles are kept as they were
    /// folded: a state folded from the log as stored holds them sealed, never in plaintext (see
    /// ``openingPersonalValues(_:)``).
    public var snapshot: JSONValue {
        var lifetime: [String: JSONValue] = [:]
        for (currency, amount) in lifetimeValue { lifetime[currency.code] = SnapshotFields.integer(amount) }
        return .object([
            "clientId": clientId?.json ?? .null,
            "name": .string(orNull: name),
            "kind": kind?.json ?? .null,
            "registeredOn": registeredOn?.json ?? .null,
            "openDeals": .array(
                openDeals.values.sorted { $0.dealId.canonical < $1.dealId.canonical }.map { deal in
                    .object([
                        "dealId": deal.dealId.json, "title": .string(orNull: deal.title),
                        "pipeline": .string(deal.pipeline),
                        "openedOn": deal.openedOn.json, "stage": .string(deal.stage),
                        "stageEnteredOn": deal.stageEnteredOn.json, "amountMinor": .integer(deal.amountMinor),
                        "currency": deal.currency.json, "latestOfferOn": deal.latestOfferOn?.json ?? .null,
                    ])
                }),
            "wonDeals": .integer(wonDeals),
            "lostDeals": .integer(lostDeals),
            "receivables": receivables.snapshot,
            "lastTouchAt": lastTouchAt?.json ?? .null,
            "orderCount": .integer(orderCount),
            "purchaseDates": .array(purchaseDates.sorted().map(\.json)),
            "lifetimeValue": .object(lifetime),
        ])
    }

    /// A state read back from `snapshot`.
    /// - Throws: ``SnapshotDecodingError`` when it is not the shape `snapshot` writes.
    public init(snapshot: JSONValue) throws(SnapshotDecodingError) {
        let fields = try SnapshotFields(snapshot, "history state")
        self.init()
        clientId = try fields.optionalUUID("clientId")
        if fields.optional("name") != nil { name = try fields.string("name") }
        if fields.optional("kind") != nil {
            guard let kind = ClientKind(rawValue: try fields.string("kind")) else {
                throw SnapshotDecodingError("kind is not person or company")
            }
            self.kind = kind
        }
        registeredOn = try fields.optionalDate("registeredOn")
        for item in try fields.array("openDeals") {
            let deal = try OpenDealProgress(snapshot: try SnapshotFields(item, "open deal"))
            openDeals[deal.dealId] = deal
        }
        wonDeals = Int(try fields.integer("wonDeals"))
        lostDeals = Int(try fields.integer("lostDeals"))
        receivables = try ReceivablesState(snapshot: fields.members["receivables"] ?? .null)
        if let touched = fields.optional("lastTouchAt") {
            guard let text = touched.stringValue, let instant = Instant(text) else {
                throw SnapshotDecodingError("lastTouchAt is not an instant")
            }
            lastTouchAt = instant
        }
        orderCount = Int(try fields.integer("orderCount"))
        for date in try fields.array("purchaseDates") {
            guard let text = date.stringValue, let day = LocalDate(text) else {
                throw SnapshotDecodingError("purchaseDates holds something that is not a date")
            }
            purchaseDates.insert(day)
        }
        for (code, amount) in try SnapshotFields(fields.members["lifetimeValue"] ?? .null, "lifetimeValue").members {
            guard let currency = Currency(code: code) else { throw SnapshotDecodingError("\(code) is not a currency") }
            lifetimeValue[currency] = try SnapshotFields.integer(amount, "lifetimeValue")
        }
    }

    /// The state with the client's name and the open deals' titles passed through `open` (which
    /// answers nil for a value that was erased); an empty value reads as absent, as when folded
    /// from opened events.
    public func openingPersonalValues(_ open: (String) throws -> String?) rethrows -> ClientHistoryState {
        var opened = self
        opened.name = try name.flatMap(open).flatMap { $0.isEmpty ? nil : $0 }
        for (id, deal) in openDeals {
            opened.openDeals[id]?.title = try deal.title.flatMap(open).flatMap { $0.isEmpty ? nil : $0 }
        }
        return opened
    }
}

extension OpenDealProgress {
    /// An open deal read back from its member of a history state's snapshot.
    init(snapshot fields: SnapshotFields) throws(SnapshotDecodingError) {
        dealId = try fields.uuid("dealId")
        if fields.optional("title") != nil { title = try fields.string("title") } else { title = nil }
        pipeline = try fields.string("pipeline")
        openedOn = try fields.date("openedOn")
        stage = try fields.string("stage")
        stageEnteredOn = try fields.date("stageEnteredOn")
        guard let amount = Int64(exactly: try fields.integer("amountMinor")) else {
            throw SnapshotDecodingError("amountMinor does not fit 64 bits")
        }
        amountMinor = amount
        guard let currency = Currency(code: try fields.string("currency")) else {
            throw SnapshotDecodingError("currency is not a currency")
        }
        self.currency = currency
        latestOfferOn = try fields.optionalDate("latestOfferOn")
    }
}
