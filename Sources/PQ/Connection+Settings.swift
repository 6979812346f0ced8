extension Connection {
    /// Runs `body` with the session setting `name` at `value`, then gives the session its own
    /// value back (a failure inside a transaction is undone by its rollback instead).
    ///
    /// For statements whose plan a setting changes: a cohort report, for instance, that
    /// PostgreSQL would compile with JIT for longer than it then runs.
    public func with<T>(setting name: String, _ value: String, _ body: (Connection) throws -> T) throws -> T {
        let previous: String = try query("SELECT current_setting(\(name))").first?.decode(0) ?? ""
        try execute("SELECT set_config(\(name), \(value), false)")
        defer { _ = try? execute("SELECT set_config(\(name), \(previous), false)") }
        return try body(self)
    }
}
