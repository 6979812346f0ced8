@testable import Projections
import Testing

@Suite("Raw SQL text")
struct RawSQLTextTests {
    /// What `SQL(unsafeRaw:)` splices into the read models' statements comes from the fact tables'
    /// static descriptions (event names from the event types): pieces of one statement, without
    /// placeholders, statement ends or comments, and the same every time they are read.
    @Test func theFactTablesPiecesAreConstantStatementText() {
        var checked = 0
        for projection in Projection.all {
            for table in projection.tables {
                var pieces = [table.columns, table.insertColumns, table.select] + table.indexes
                if let fold = table.fold {
                    pieces += [fold.key, fold.aggregate, fold.events, fold.grouping, fold.merge]
                    pieces += fold.facts.flatMap { [$0.columns, $0.condition] }
                }
                for piece in pieces {
                    checked += 1
                    #expect(
                        !piece.contains(";") && !piece.contains("--") && !piece.contains("/*") && !piece.contains("$"),
                        "\(table.name): \(piece)")
                }
                #expect(Projection.named(projection.name)?.tables.first { $0.name == table.name } == table)
            }
        }
        #expect(checked > 50)
        #expect(FactTable.invoices.select.contains("e.type = 'InvoiceIssued'"))
    }
}
