extension SalesRuleViolation {
    /// Throws `amount-not-positive` unless `amountMinor` > 0. `parse` refuses such amounts already;
    /// this guards commands built directly.
    static func requirePositive(_ amountMinor: Int64, field: String = "amountMinor") throws(SalesRuleViolation) {
        guard amountMinor > 0 else {
            throw SalesRuleViolation(
                .amountNotPositive, "the amount must be greater than 0, not \(amountMinor)", field: field
            )
        }
    }
}
