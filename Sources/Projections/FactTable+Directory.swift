import Sales

/// The tables of the clients directory (``ClientDirectory``).
extension FactTable {
    /// One row per registered client: its name as the log holds it (sealed), what the directory
    /// filters on, and `search_name`, the name opened and lowercased in Swift by the runner
    /// (``ClientNameSearch``), null until then and for ever once the client's personal data is
    /// erased (`opened` tells the two apart). `search_hex` is the same name's UTF-8 bytes in hex:
    /// its trigram index serves `q` whatever the cluster's locale (under `C`, the locale `make
    /// run` and the tests use, pg_trgm finds no trigram in Cyrillic or any non-ASCII text, so an
    /// index on `search_name` itself would not narrow a search for `хле` at all); a match there is
    /// checked again on `search_name`, since a hex substring may start in the middle of a byte.
    /// The ordered index serves the pages, in code point order of the lowercased name (`COLLATE
    /// "C"` compares UTF-8 bytes, which is code point order), then `client_id`.
    public static let clientNames = FactTable(
        name: "client_names", from: FactRows(types: [ClientRegistered.eventType]),
        columns: [
            FactColumn("client_id", "uuid NOT NULL", .field("clientId")), FactColumn("name", "text", .field("name")),
            FactColumn("kind", "text NOT NULL", .field("kind")),
            FactColumn("temperature", "text", .field("temperature")), FactColumn("source", "text", .field("source")),
            FactColumn("registered_on", "date NOT NULL", .field("registeredOn")),
            FactColumn("search_name", "text", .expression("NULL::text")),
            FactColumn("search_hex", "text", .expression("NULL::text")),
            FactColumn("opened", "boolean NOT NULL", .expression("false")), .position, .recordedAt,
        ],
        indexes: [
            "client_id", "(search_name COLLATE \"C\", client_id)",
            "USING gin (search_hex public.gin_trgm_ops)", "(position) WHERE NOT opened",
        ],
        opensNames: true)

    /// The deals, kept by the directory, which counts each client's open deals.
    public static let clientDeals = deals.indexed(by: ["client_id, opened_on"])
}
