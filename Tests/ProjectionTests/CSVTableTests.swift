import Foundation
import JSON
import Projections
import Sales
import Testing

@Suite("Spreadsheet-safe CSV")
struct CSVTableTests {
    /// One row of text cells as written, without the header and the line end.
    static func written(_ cells: [CSVTable.Cell]) -> String {
        var table = CSVTable(header: ["x"])
        table.append(cells)
        return String(table.text().dropFirst("x\r\n".count).dropLast("\r\n".count))
    }

    /// Every cell a spreadsheet would take for a formula gets a leading quote (and is quoted).
    @Test(arguments: [
        (#"=HYPERLINK("http://x","y")"#, #""'=HYPERLINK(""http://x"",""y"")""#),
        ("+1", #""'+1""#),
        ("-2+3", #""'-2+3""#),
        ("@SUM(A1)", #""'@SUM(A1)""#),
        ("\u{FF1D}1", "\"'\u{FF1D}1\""),
        ("\u{FF0B}1", "\"'\u{FF0B}1\""),
        ("\u{FF0D}1", "\"'\u{FF0D}1\""),
        ("\u{FF20}SUM(A1)", "\"'\u{FF20}SUM(A1)\""),
        ("\t=1", "\"'\t=1\""),
        ("\r=1", "\"'\r=1\""),
    ])
    func formulaStartsAreNeutralised(name: String, cell: String) {
        #expect(Self.written([.text(name)]) == cell)
    }

    /// Commas, quotes and line breaks are quoted per RFC 4180; ordinary text, inner `=` and
    /// Cyrillic are left as they are.
    @Test func textIsQuotedOnlyWhereNeeded() {
        #expect(Self.written([.text("Alfa, Ltd")]) == #""Alfa, Ltd""#)
        #expect(Self.written([.text(#"Say "hi""#)]) == #""Say ""hi""""#)
        #expect(Self.written([.text("one\ntwo, \"three\"")]) == "\"one\ntwo, \"\"three\"\"\"")
        #expect(Self.written([.text("a\r\nb")]) == "\"a\r\nb\"")
        #expect(Self.written([.text("ООО Ромашка"), .text("1+1=2"), .text(nil), .text("")]) == "ООО Ромашка,1+1=2,,")
    }

    /// Integers are numbers: written in digits, never prefixed, whatever their sign.
    @Test func integersAreWrittenAsTheyAre() {
        #expect(
            Self.written([.integer(0), .integer(150_000), .integer(-5), .integer(Int64.max)])
                == "0,150000,-5,9223372036854775807")
    }

    /// The byte order mark comes first only when asked for; lines end in CRLF.
    @Test func theByteOrderMarkIsOptional() {
        var table = CSVTable(header: ["name", "totalMinor"])
        table.append([.text("Шевченко"), .integer(100)])
        #expect(table.text() == "name,totalMinor\r\nШевченко,100\r\n")
        #expect(Array(table.text(byteOrderMark: true).utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(table.text(byteOrderMark: true) == "\u{FEFF}name,totalMinor\r\nШевченко,100\r\n")
    }

    /// The aging CSV goes through the table: a hostile name stored in the log (here with a line
    /// break and a tab, which the API itself refuses in names) comes out neutralised and quoted,
    /// its amounts untouched.
    @Test func agingNeutralisesNamesFromTheLog() async throws {
        let log = try await SalesLog.make()
        let (first, second) = (UUID.numbered(1), UUID.numbered(2))
        try await log.client(first, name: "=1+2\nsecond line, \"quoted\"", registeredOn: "2026-01-01")
        try await log.client(second, name: "\t-3", registeredOn: "2026-01-01")
        try await log.invoice(UUID(), client: first, issuedOn: "2026-01-01", dueOn: "2026-01-31", amount: 2_000)
        try await log.invoice(UUID(), client: second, issuedOn: "2026-01-01", dueOn: "2026-03-01", amount: 1_000)
        try await log.catchUp()
        let aging = try await log.query {
            try ReceivablesAging.query(window: ReportWindow.day("2026-03-01"), personalData: log.personalData, on: $0)
        }
        #expect(
            aging.csv.text()
                == [
                    "clientId,name,currency,totalMinor,current,1-30,31-60,61-90,90+,unappliedCreditMinor",
                    "\(first.lower),\"'=1+2\nsecond line, \"\"quoted\"\"\",RUB,2000,0,2000,0,0,0,0",
                    "\(second.lower),\"'\t-3\",RUB,1000,1000,0,0,0,0,0",
                ].map { $0 + "\r\n" }.joined())
    }
}
