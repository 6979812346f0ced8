import PQ

extension ProjectionGeneration {
    /// Whether `window` can be answered from the current-state `tables` (see
    /// ``FactTable/invoiceBalances``): nothing is filtered by `knownAt`, and no row folds a fact
    /// dated after `asOf`, so every row is exactly what the dated facts give as of that day.
    func answersFromCurrentState(_ window: ReportWindow, tables: [FactTable], on connection: Connection) throws -> Bool {
        guard window.knownAt == nil else { return false }
        for table in tables {
            let later: Bool = try connection.query(
                "SELECT EXISTS (SELECT 1 FROM \(fragment: self.table(table)) WHERE latest_on > \(window.asOfText)::date)"
            ).first?.decode(0) ?? true
            if later { return false }
        }
        return true
    }
}
