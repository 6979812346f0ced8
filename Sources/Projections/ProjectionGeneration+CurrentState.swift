import PQ
import Sales

extension ProjectionGeneration {
    /// Whether `window` can be answered from the current-state `tables` (see
    /// ``FactTable/invoiceBalances``): nothing is filtered by `knownAt`, and no row folds a fact
    /// dated after `asOf`, so every row is exactly what the dated facts give as of that day.
    /// A generation filled by an older version of the code (right after an upgrade, until the
    /// runner's rebuild swaps in the new one) may not have these tables: it answers from its facts.
    func answersFromCurrentState(_ window: ReportWindow, tables: [FactTable], on connection: Connection) throws -> Bool
    {
        guard window.knownAt == nil, Projection.named(name)?.version == version else { return false }
        for table in tables {
            let later: Bool =
                try connection.query(
                    "SELECT EXISTS (SELECT 1 FROM \(fragment: self.table(table)) WHERE latest_on > \(window.asOfText)::date)"
                ).first?.decode(0) ?? true
            if later { return false }
        }
        return true
    }
}
