import ArgumentParser
import Projections

/// The options of the receivables reports (`aging`, `receivables`): the aging bucket edges and
/// the CSV form for a spreadsheet.
struct ReceivablesSheetOptions: ParsableArguments {
    @Option(help: "Ascending bucket edges in days, e.g. 30,60,90.")
    var buckets: String?

    @Flag(help: "Print the whole report as CSV.")
    var csv = false

    @Flag(help: "Start the CSV with a UTF-8 byte order mark, by which Excel reads non-Latin names right.")
    var bom = false

    func validate() throws {
        if bom && !csv { throw ValidationError("--bom applies to --csv only") }
    }

    /// The bucket edges, or a one-line message and exit 1 when they are not strictly ascending
    /// positive integers.
    func edges() throws -> [Int] {
        do {
            return try ReceivablesAging.edges(buckets)
        } catch let error as ProjectionError {
            throw fail(error.description)
        }
    }
}
