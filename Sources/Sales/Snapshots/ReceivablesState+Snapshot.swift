import Foundation
import HexText
public import JSON

extension ReceivablesState: DeciderState {
    public static let decider = "receivables"
    public static let foldVersion = 2

    /// `{"invoices": [{"issued" (the InvoiceIssued payload), "allocatedMinor", "creditedMinor",
    /// "writtenOffOn", "writtenOffMinor", "reductions": [{"on", "amountMinor"}]}] (by invoice id),
    /// "paymentIds", "creditNoteIds", "promiseIds", "reminderIds", "unappliedMinor": {currency:
    /// amount}}`. The invoice numbers are those of the invoices. Fold version 2 added the dated
    /// reductions and the promise and reminder ids.
    public var snapshot: JSONValue {
        let accounts = invoices.sorted { $0.key.canonical < $1.key.canonical }.map { _, account in
            JSONValue.object([
                "issued": SnapshotFields.payload(account.issued),
                "allocatedMinor": SnapshotFields.integer(account.allocatedMinor),
                "creditedMinor": SnapshotFields.integer(account.creditedMinor),
                "writtenOffOn": account.writtenOffOn?.json ?? .null,
                "writtenOffMinor": .integer(account.writtenOffMinor),
                "reductions": .array(
                    account.reductions.map { .object(["on": $0.on.json, "amountMinor": .integer($0.amountMinor)]) }),
            ])
        }
        var unapplied: [String: JSONValue] = [:]
        for (currency, amount) in unappliedMinor { unapplied[currency.code] = SnapshotFields.integer(amount) }
        return .object([
            "invoices": .array(accounts),
            "paymentIds": SnapshotFields.list(paymentIds),
            "creditNoteIds": SnapshotFields.list(creditNoteIds),
            "promiseIds": SnapshotFields.list(promiseIds),
            "reminderIds": SnapshotFields.list(reminderIds),
            "unappliedMinor": .object(unapplied),
        ])
    }

    public init(snapshot: JSONValue) throws(SnapshotDecodingError) {
        let fields = try SnapshotFields(snapshot, "receivables state")
        self.init()
        for item in try fields.array("invoices") {
            let entry = try SnapshotFields(item, "invoice")
            var account = InvoiceAccount(issued: try entry.payload("issued", as: InvoiceIssued.self))
            account.allocatedMinor = try entry.integer("allocatedMinor")
            account.creditedMinor = try entry.integer("creditedMinor")
            account.writtenOffOn = try entry.optionalDate("writtenOffOn")
            guard let writtenOff = Int64(exactly: try entry.integer("writtenOffMinor")) else {
                throw SnapshotDecodingError("writtenOffMinor does not fit 64 bits")
            }
            account.writtenOffMinor = writtenOff
            for reduction in try entry.array("reductions") {
                let fields = try SnapshotFields(reduction, "reduction")
                guard let on = try fields.optionalDate("on"),
                    let amount = Int64(exactly: try fields.integer("amountMinor"))
                else { throw SnapshotDecodingError("a reduction needs a date and a 64-bit amount") }
                account.reductions.append(InvoiceAccount.Reduction(on: on, amountMinor: amount))
            }
            invoices[account.issued.invoiceId] = account
            invoiceNumbers[account.issued.number] = account.issued.invoiceId
        }
        paymentIds = try fields.uuidSet("paymentIds")
        creditNoteIds = try fields.uuidSet("creditNoteIds")
        promiseIds = try fields.uuidSet("promiseIds")
        reminderIds = try fields.uuidSet("reminderIds")
        for (code, amount) in try SnapshotFields(fields.members["unappliedMinor"] ?? .null, "unappliedMinor").members {
            guard let currency = Currency(code: code) else { throw SnapshotDecodingError("\(code) is not a currency") }
            unappliedMinor[currency] = try SnapshotFields.integer(amount, "unappliedMinor")
        }
    }

    public var footprint: Int {
        256 + 384 * invoices.count + 64
            * (paymentIds.count + creditNoteIds.count + promiseIds.count + reminderIds.count)
            + 32 * invoices.values.reduce(0) { $0 + $1.reductions.count } + 64 * unappliedMinor.count
    }
}
