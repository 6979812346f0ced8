public import Foundation
import HexText
public import JSON

/// A part of a payment applied to one invoice: asked for explicitly in `ReceivePayment`, and
/// decided (explicit and automatic parts merged) in `PaymentReceived`.
public struct Allocation: Sendable, Hashable, Codable {
    /// The invoice the money goes to.
    public let invoiceId: UUID
    /// How much, in minor units of the payment's currency (> 0).
    public let amountMinor: Int64

    /// `amountMinor` of a payment applied to the invoice `invoiceId`.
    public init(invoiceId: UUID, amountMinor: Int64) {
        self.invoiceId = invoiceId
        self.amountMinor = amountMinor
    }

    /// `{"amountMinor": …, "invoiceId": "<lowercase uuid>"}`.
    public var json: JSONValue {
        .object(["invoiceId": .string(invoiceId.canonical), "amountMinor": .integer(amountMinor)])
    }

    /// Encodes as `json`, with the id in lowercase canonical form.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// The format of one `{invoiceId, amountMinor}` entry of a request body.
    static var format: FieldFormat<Allocation> {
        .object { fields in
            let invoiceId = fields.required("invoiceId", .uuid)
            let amountMinor = fields.required("amountMinor", .positiveAmount)
            guard let invoiceId, let amountMinor else { return nil }
            return Allocation(invoiceId: invoiceId, amountMinor: amountMinor)
        }
    }
}
