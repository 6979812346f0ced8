import Foundation
import PQ
import TestSupport
import Testing

@Suite("The libpq client against a real server")
struct ConnectionTests {
    let database: TestDatabase

    init() async throws {
        database = try await TestDatabase.make(migrated: false)
    }

    @Test func bindsTravelAsParametersNeverAsText() async throws {
        let hostile = "'); DROP TABLE victims; --"
        let rows = try await database.pool.withConnection { connection in
            try connection.execute("CREATE TABLE victims (name text)")
            try connection.execute("INSERT INTO victims VALUES (\(hostile))")
            return try connection.query("SELECT name, length(name) FROM victims").rows
        }
        #expect(rows.count == 1)
        #expect(try rows[0].decode(0, as: String.self) == hostile)
        #expect(try rows[0].decode(1, as: Int.self) == hostile.count)
    }

    @Test func valuesRoundTripByType() async throws {
        let id = UUID()
        let bytes = Data([0, 1, 0xfe, 0xff])
        let row = try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(Int64.max)::bigint, \(Int32.min)::integer, \(true)::boolean, \(id)::uuid,
                       \(bytes)::bytea, \("naïve \"quoted\" \\ text")::text, \(nil as String?)::text,
                       \(["a,b", "c\"d", "e\\f"])::text[], array_length(\(["x", "y"])::text[], 1), \(2.5)::float8
                """
            ).first
        }
        let values = try #require(row)
        #expect(try values.decode(0, as: Int64.self) == Int64.max)
        #expect(try values.decode(1, as: Int32.self) == Int32.min)
        #expect(try values.decode(2, as: Bool.self) == true)
        #expect(try values.decode(3, as: UUID.self) == id)
        #expect(try values.decode(4, as: Data.self) == bytes)
        #expect(try values.decode(5, as: String.self) == "naïve \"quoted\" \\ text")
        #expect(try values.decodeOptional(6, as: String.self) == nil)
        #expect(try values.decode(7, as: String.self) == #"{"a,b","c\"d","e\\f"}"#)
        #expect(try values.decode(8, as: Int.self) == 2)
        #expect(try values.decode(9, as: Double.self) == 2.5)
        #expect(throws: PQError.self) { try values.decode(6, as: String.self) }
        #expect(throws: PQError.self) { try values.decode(5, as: Int.self) }
        // A row reads only its own cells: no column before the first or after the last.
        let rows = try await database.pool.withConnection { connection in
            try connection.query("SELECT x, x * 10 FROM generate_series(1, 2) x").rows
        }
        #expect(try rows[1].decode(0, as: Int.self) == 2)
        #expect(throws: PQError.self) { try rows[1].decode(-1, as: Int.self) }
        #expect(throws: PQError.self) { try rows[0].decodeOptional(2, as: Int.self) }
    }

    @Test func binaryArraysRoundTripWithoutEscaping() async throws {
        let id = UUID()
        let documents = [#"{"text": "a \"quoted\" \\ naïve, {b}"}"#, "{}"]
        let row = try await database.pool.withConnection { connection in
            try connection.query(
                """
                SELECT (\(PQBinaryArray.jsonb(documents))::jsonb[])[1] ->> 'text',
                       array_length(\(PQBinaryArray.jsonb(documents))::jsonb[], 1),
                       \(PQBinaryArray.text(["a,b", "c\"d", "e\\f", ""]))::text[],
                       \(PQBinaryArray.uuid([id, nil]))::uuid[], \(PQBinaryArray.uuid([]))::uuid[]
                """, prepared: true
            ).first
        }
        let values = try #require(row)
        #expect(try values.decode(0, as: String.self) == #"a "quoted" \ naïve, {b}"#)
        #expect(try values.decode(1, as: Int.self) == 2)
        #expect(try values.decode(2, as: String.self) == #"{"a,b","c\"d","e\\f",""}"#)
        #expect(try values.decode(3, as: String.self) == "{\(id.uuidString.lowercased()),NULL}")
        #expect(try values.decode(4, as: String.self) == "{}")
    }

    @Test func fragmentsAreRenumbered() {
        let filter: SQL = "amount > \(10) AND currency = \("RUB")"
        let query: SQL = "SELECT * FROM t WHERE id = \(7) AND \(fragment: filter)"
        #expect(query.text == "SELECT * FROM t WHERE id = $1 AND amount > $2 AND currency = $3")
        #expect(query.binds == [.text("7"), .text("10"), .text("RUB")])
        var appended: SQL = "SELECT \(1)"
        appended.append(" + \(2)")
        #expect(appended.text == "SELECT $1 + $2")
    }

    @Test func serverErrorsCarrySQLState() async throws {
        let failure = await #expect(throws: PQError.self) {
            try await database.pool.withConnection { connection in
                try connection.execute("CREATE TABLE unique_things (id int PRIMARY KEY)")
                try connection.execute("INSERT INTO unique_things VALUES (1)")
                try connection.execute("INSERT INTO unique_things VALUES (1)")
            }
        }
        #expect(failure?.sqlState == "23505")
        #expect(failure?.isUniqueViolation == true)
        #expect(failure?.constraint == "unique_things_pkey")
        #expect(failure?.kind == .server)
        let syntax = await #expect(throws: PQError.self) {
            try await database.pool.withConnection { try $0.execute("SELEC 1") }
        }
        #expect(syntax?.sqlState == "42601")
    }

    @Test func failedTransactionsRollBack() async throws {
        try await database.pool.withConnection { try $0.execute("CREATE TABLE ledger (amount int NOT NULL)") }
        await #expect(throws: PQError.self) {
            try await database.pool.withTransaction { connection in
                try connection.execute("INSERT INTO ledger VALUES (5)")
                try connection.execute("INSERT INTO ledger VALUES (NULL)")
            }
        }
        let count = try await database.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM ledger").first?.decode(0, as: Int.self)
        }
        #expect(count == 0)
        try await database.pool.withTransaction { try $0.execute("INSERT INTO ledger VALUES (7)") }
        let total = try await database.pool.withConnection {
            try $0.query("SELECT sum(amount)::int FROM ledger").first?.decode(0, as: Int.self)
        }
        #expect(total == 7)
    }

    @Test func preparedStatementsAreReused() async throws {
        let results = try await database.pool.withConnection { connection in
            let first = try connection.query("SELECT \(1) + 1", prepared: true).first?.decode(0, as: Int.self)
            let second = try connection.query("SELECT \(41) + 1", prepared: true).first?.decode(0, as: Int.self)
            let prepared = try connection.query("SELECT count(*) FROM pg_prepared_statements").first?
                .decode(0, as: Int.self)
            return (first, second, prepared)
        }
        #expect(results.0 == 2)
        #expect(results.1 == 42)
        #expect(results.2 == 1)
    }

    /// A connection that prepares ever new statements (a runner across many rebuilds) keeps at
    /// most 500 of them, and every one still answers.
    @Test func preparedStatementsAreBounded() async throws {
        let (answers, prepared) = try await database.pool.withConnection { connection in
            var answers: [Int] = []
            for number in 0..<1_100 {
                // A new text each time, as a statement naming a new generation's table is.
                let sql: SQL = "SELECT \(1)::int + \(fragment: SQL(unsafeRaw: String(number)))"
                answers.append(try connection.query(sql, prepared: true).first?.decode(0) ?? -1)
            }
            let prepared: Int =
                try connection.query("SELECT count(*) FROM pg_prepared_statements").first?.decode(0) ?? 0
            return (answers, prepared)
        }
        #expect(answers == (0..<1_100).map { $0 + 1 })
        #expect(prepared <= 500 && prepared > 0)
    }

    /// A setting holds for the body alone, whether it returns or throws.
    @Test func aSettingHoldsForItsBodyAlone() async throws {
        let (inside, after, afterFailure) = try await database.pool.withConnection { connection in
            let setting = { (connection: Connection) throws -> String in
                try connection.query("SELECT current_setting('jit')").first?.decode(0) ?? ""
            }
            try connection.execute("SET jit = on")
            let inside = try connection.with(setting: "jit", "off") { try setting($0) }
            let after = try setting(connection)
            _ = try? connection.with(setting: "jit", "off") { try $0.execute("SELECT 1/0") }
            return (inside, after, try setting(connection))
        }
        #expect(inside == "off")
        #expect(after == "on")
        #expect(afterFailure == "on")
    }

    @Test func rowsStreamOneAtATime() async throws {
        let (count, sum) = try await database.pool.withConnection { connection in
            var count = 0
            var sum: Int64 = 0
            try connection.forEachRow("SELECT g FROM generate_series(1, \(20_000)) g") { row in
                count += 1
                sum += try row.decode(0, as: Int64.self)
            }
            return (count, sum)
        }
        #expect(count == 20_000)
        #expect(sum == 20_000 * 20_001 / 2)
    }

    @Test func copyInAndOut() async throws {
        let (copied, text) = try await database.pool.withConnection { connection in
            try connection.execute("CREATE TABLE touches (id int, note text)")
            let copied = try connection.copyIn("COPY touches FROM STDIN") { writer in
                for index in 1...5000 { try writer.write("\(index)\tnote \(index)\n") }
            }
            var text = ""
            try connection.copyOut("COPY (SELECT * FROM touches WHERE id <= 2 ORDER BY id) TO STDOUT") { chunk in
                text += String(decoding: chunk, as: UTF8.self)
            }
            return (copied, text)
        }
        #expect(copied == 5000)
        #expect(text == "1\tnote 1\n2\tnote 2\n")
    }

    @Test func badCopyDataStoresNothing() async throws {
        await #expect(throws: PQError.self) {
            try await database.pool.withConnection { connection in
                try connection.execute("CREATE TABLE numbers (n int)")
                try connection.copyIn("COPY numbers FROM STDIN") { writer in
                    try writer.write("1\n2\nnot-a-number\n")
                }
            }
        }
        let count = try await database.pool.withConnection {
            try $0.query("SELECT count(*) FROM numbers").first?.decode(0, as: Int.self)
        }
        #expect(count == 0)
    }

    @Test func pipelineSendsManyStatementsInOneRoundTrip() async throws {
        let results = try await database.pool.withConnection { connection in
            try connection.pipeline([
                "CREATE TABLE offers (amount bigint)",
                "INSERT INTO offers VALUES (\(100)), (\(250))",
                "SELECT sum(amount)::bigint FROM offers",
            ])
        }
        #expect(results.count == 3)
        #expect(results[1].affectedRows == 2)
        #expect(try results[2].first?.decode(0, as: Int64.self) == 350)
        let failure = await #expect(throws: PQError.self) {
            try await database.pool.withConnection { connection in
                try connection.pipeline(["SELECT 1", "SELECT 1/0", "INSERT INTO offers VALUES (1)"])
            }
        }
        #expect(failure?.sqlState == "22012")
        let count = try await database.pool.withConnection {
            try $0.query("SELECT count(*) FROM offers").first?.decode(0, as: Int.self)
        }
        #expect(count == 2)
    }

    @Test func listenAndNotify() async throws {
        let listener = try Connection(conninfo: database.url)
        try listener.listen("touch_channel")
        try await database.pool.withConnection { try $0.notify("touch_channel", payload: "hello") }
        var received = [PQ.Notification]()
        for _ in 0..<50 where received.isEmpty {
            received = try listener.waitForNotifications(timeout: 0.1)
        }
        #expect(received.map(\.payload) == ["hello"])
        #expect(received.first?.channel == "touch_channel")
    }

    @Test func poolRecoversFromADroppedConnection() async throws {
        let pool = ConnectionPool(conninfo: database.url, size: 1, logger: TestDatabase.logger)
        let pid = try await pool.withConnection { $0.backendPID }
        try await database.pool.withConnection { connection in
            try connection.execute("SELECT pg_terminate_backend(\(pid))")
        }
        let failure = await #expect(throws: PQError.self) {
            try await pool.withConnection { try $0.query("SELECT 1") }
        }
        #expect(failure?.kind == .connectionLost)
        let answer = try await pool.withConnection { try $0.query("SELECT 42").first?.decode(0, as: Int.self) }
        #expect(answer == 42)
        let newPID = try await pool.withConnection { $0.backendPID }
        #expect(newPID != pid)
        pool.close()
    }

    @Test func poolQueuesCallersBeyondItsSize() async throws {
        let pool = ConnectionPool(conninfo: database.url, size: 2, logger: TestDatabase.logger)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 1...20 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.query("SELECT \(index) FROM pg_sleep(0.01)").first?.decode(0, as: Int.self) ?? 0
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == 210)
        let backends = try await database.pool.withConnection { connection in
            try connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'touchstone'"
            ).first?.decode(0, as: Int.self)
        }
        #expect((backends ?? 0) <= 2 + database.pool.size)
        pool.close()
    }

    @Test func connectingToNothingIsAClearError() async throws {
        let pool = ConnectionPool(
            conninfo: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", size: 1, logger: TestDatabase.logger)
        let failure = await #expect(throws: PQError.self) { try await pool.withConnection { _ in 1 } }
        #expect(failure?.kind == .connectionFailed)
    }
}

@Suite("Connection parameters")
struct ConnectionParameterTests {
    let database: TestDatabase

    init() async throws {
        database = try await TestDatabase.make(migrated: false)
    }

    /// Reads one setting of a new connection to `conninfo`.
    func setting(_ name: String, conninfo: String, settings: [String: String] = [:]) throws -> String? {
        let connection = try Connection(conninfo: conninfo, applicationName: "touchstone-test", settings: settings)
        return try connection.query("SELECT current_setting(\(name))").first?.decode(0, as: String.self)
    }

    /// The URL's `application_name` wins, then `PGAPPNAME`: the code's name is only the fallback.
    @Test func theURLsApplicationNameWins() throws {
        #expect(try setting("application_name", conninfo: database.url + "?application_name=from-url") == "from-url")
        let environment = ProcessInfo.processInfo.environment["PGAPPNAME"]
        #expect(try setting("application_name", conninfo: database.url) == environment ?? "touchstone-test")
    }

    @Test func sessionSettingsApplyToEveryPooledConnection() async throws {
        let pool = ConnectionPool(
            conninfo: database.url, size: 2, settings: ["statement_timeout": "1234ms"], logger: TestDatabase.logger)
        defer { pool.close() }
        let timeouts = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await pool.withConnection { connection in
                        let value = try connection.query("SELECT current_setting('statement_timeout'), pg_sleep(0.05)")
                            .first?.decode(0, as: String.self)
                        return value
                    }
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(timeouts == ["1234ms", "1234ms"])
        #expect(try setting("statement_timeout", conninfo: database.url) == "0")
    }

    @Test func aRefusedSettingFailsTheConnection() throws {
        let failure = #expect(throws: PQError.self) {
            _ = try Connection(conninfo: database.url, settings: ["statement_timeout": "soon"])
        }
        #expect(failure?.sqlState == "22023")
    }
}
