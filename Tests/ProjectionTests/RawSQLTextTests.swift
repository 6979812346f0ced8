import JSON
import Testing

@testable import Projections

@Suite("Raw SQL text")
struct RawSQLTextTests {
    /// What `SQL(unsafeRaw:)` splices into the read models' statements comes from the fact tables'
    /// static descriptions (event names from the event types): pieces of one statement, without
    /// placeholders, statement ends or comments, and the same every time they are read.
    @Test func theFactTablesPiecesAreConstantStatementText() {
        var checked = 0
        for projection in Projection.all {
            for table in projection.tables {
                var pieces = [table.columnDefinitions, table.insertColumns, table.select] + table.indexes
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

    /// The `CREATE TABLE` body and the `INSERT` column list come from one list of typed columns;
    /// a generated column is created but never inserted into.
    @Test func createAndInsertListsComeFromTheColumns() {
        #expect(
            FactTable.clients.columnDefinitions
                == "client_id uuid NOT NULL, name text, registered_on date NOT NULL, position bigint NOT NULL, "
                + "recorded_at timestamptz NOT NULL")
        #expect(FactTable.clients.insertColumns == "client_id, name, registered_on, position, recorded_at")
        #expect(
            FactTable.invoiceBalances.columnDefinitions.hasSuffix(
                "open numeric GENERATED ALWAYS AS (CASE WHEN written_off THEN 0 ELSE amount - reduced END) STORED"))
        #expect(FactTable.invoiceBalances.insertColumns.hasSuffix("written_off, latest_on, number"))
    }
}
