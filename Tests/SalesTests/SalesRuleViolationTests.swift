import Testing
@testable import Sales

@Suite("Rule violations")
struct SalesRuleViolationTests {
    @Test("codes are stable kebab-case names, each with a 404, 409 or 422 status")
    func codes() {
        let names = SalesRuleViolation.Code.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { Pipeline.isValidKey($0) })
        #expect(SalesRuleViolation.Code.allCases.allSatisfy { [404, 409, 422].contains($0.status) })
    }

    @Test("missing things are 404, conflicts with what happened 409, broken rules 422")
    func statuses() {
        #expect(SalesRuleViolation.Code.clientNotFound.status == 404)
        #expect(SalesRuleViolation.Code.invoiceNotFound.status == 404)
        #expect(SalesRuleViolation.Code.dealClosed.status == 409)
        #expect(SalesRuleViolation.Code.duplicateInvoiceNumber.status == 409)
        #expect(SalesRuleViolation.Code.stageUnchanged.status == 409)
        #expect(SalesRuleViolation.Code.overAllocation.status == 422)
        #expect(SalesRuleViolation.Code.currencyMismatch.status == 422)
        #expect(SalesRuleViolation.Code.creditExceedsBalance.status == 422)
    }

    @Test("a violation reads as its code and detail")
    func description() {
        let violation = SalesRuleViolation(.dealClosed, "deal x was won on 2026-03-01", field: nil)
        #expect(violation.description == "deal-closed: deal x was won on 2026-03-01")
        #expect(violation.status == 409)
    }
}
