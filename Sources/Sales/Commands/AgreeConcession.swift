public import Foundation
public import JSON

/// Record a concession (`POST /v1/deals/{dealId}/concessions`). Iron rule of seed 003: every
/// concession is traded for something, so both what we gave and what we got are required.
public struct AgreeConcession: Sendable, Equatable {
    public var concessionId: UUID
    public var dealId: UUID
    public var given: String
    public var inReturn: String
    public var agreedOn: LocalDate

    /// A command with these fields, unchecked: `parse` is the validating way in.
    public init(concessionId: UUID, dealId: UUID, given: String, inReturn: String, agreedOn: LocalDate) {
        self.concessionId = concessionId
        self.dealId = dealId
        self.given = given
        self.inReturn = inReturn
        self.agreedOn = agreedOn
    }

    /// Validates a request body for the deal of the path: `given`, `inReturn`, `agreedOn`; optional
    /// `concessionId` (else from `makeID`), like every other entity id a command may carry.
    public static func parse(
        _ body: JSONValue, dealId: UUID, makeID: () -> UUID = UUID.random
    ) throws(ValidationFailure) -> AgreeConcession {
        var fields = CommandFields(body)
        let concessionId = fields.identifier("concessionId", default: makeID)
        let given = fields.required("given", .text(maxLength: TextLimit.freeText, multiline: true))
        let inReturn = fields.required("inReturn", .text(maxLength: TextLimit.freeText, multiline: true))
        let agreedOn = fields.required("agreedOn", .date)
        fields.rejectUnknownKeys()
        guard let concessionId, let given, let inReturn, let agreedOn, fields.errors.isEmpty else {
            throw fields.failure
        }
        return AgreeConcession(
            concessionId: concessionId, dealId: dealId, given: given, inReturn: inReturn, agreedOn: agreedOn
        )
    }
}
