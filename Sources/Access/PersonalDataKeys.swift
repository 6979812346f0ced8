import Crypto
public import Foundation
public import PQ
import Synchronization

/// The clients' data keys in PostgreSQL (`personal_data_keys`), each wrapped by the master key.
///
/// A client gets its key the first time one of its personal values is sealed; every process that
/// records or shows personal data goes through here. The table is the truth: a value is opened
/// only with a key whose row was read for that request, so a key deleted by an erasure in any
/// process stops opening values at once. Keys already unwrapped are kept in memory by id (at most
/// ``cacheLimit``) only to spare the unwrapping.
///
/// Sealing is the one use that may take a key from memory without reading its row
/// (``keptSealingKeys(for:)``): the append that stores what it sealed checks, in its own
/// statement, that the key's row is still there and locks it until it commits
/// (`StreamAppend.sealingKeyIDs`), so nothing is sealed with a key an erasure deleted before, and
/// an erasure waits for the appends sealed with its keys to commit.
public final class PersonalDataKeys: Sendable {
    /// The master keys that wrap and unwrap the data keys.
    public let masterKeys: MasterKeyring
    /// Unwrapped keys by id, as bytes (a `SymmetricKey` cannot cross into the lock).
    private let unwrapped = Mutex<[UUID: DataKey.Bytes]>([:])
    /// The values this process opened, given back to openers that hold their keys.
    private let opened = OpenedValues()
    /// The data key each client's new values were last sealed with here, by client (at most
    /// ``cacheLimit``): the key's id and bytes.
    private let sealing = Mutex<[UUID: (id: UUID, bytes: DataKey.Bytes)]>([:])

    /// How many unwrapped keys are kept in memory before the cache starts again (32 bytes each,
    /// about 12 MiB when full): more than the clients a large board, list or rebuild opens, so
    /// reading them all again does not unwrap each key again.
    static let cacheLimit = 250_000

    /// Data keys wrapped and unwrapped by `masterKeys`.
    public init(masterKeys: MasterKeyring) {
        self.masterKeys = masterKeys
    }

    /// The data key of `client`, made and stored (wrapped) when it has none.
    public func sealingKey(for client: UUID, on connection: Connection) throws -> DataKey {
        guard let key = try sealingKeys(for: [client], on: connection)[client] else {
            throw PQError(kind: .decoding, message: "no data key could be stored for client \(client)")
        }
        return key
    }

    /// The data keys of `clients`, those missing made and stored in one statement. Two processes
    /// making a key for one client at once keep the first one stored. The keys are kept for
    /// ``keptSealingKeys(for:)``.
    public func sealingKeys(for clients: Set<UUID>, on connection: Connection) throws -> [UUID: DataKey] {
        guard !clients.isEmpty else { return [:] }
        var keys = try self.keys(ofClients: clients, on: connection)
        let missing = clients.filter { keys[$0] == nil }
        defer { keepForSealing(keys) }
        guard !missing.isEmpty else { return keys }
        var ids: [UUID?] = []
        var owners: [UUID?] = []
        var wrapped: [String] = []
        for client in missing {
            let id = UUID()
            ids.append(id)
            owners.append(client)
            wrapped.append(masterKeys.current.wrap(SymmetricKey(size: .bits256), id: id))
        }
        try connection.execute(
            """
            INSERT INTO personal_data_keys (key_id, client_id, wrapped_key, master_key)
            SELECT k.key_id, k.client_id, k.wrapped_key, \(masterKeys.current.fingerprint)
            FROM unnest(\(PQBinaryArray.uuid(ids))::uuid[], \(PQBinaryArray.uuid(owners))::uuid[], \(PQBinaryArray.text(wrapped))::text[])
                AS k(key_id, client_id, wrapped_key)
            ON CONFLICT (client_id) DO NOTHING
            """)
        keys.merge(try self.keys(ofClients: Set(missing), on: connection)) { first, _ in first }
        return keys
    }

    /// The keys ``sealingKeys(for:on:)`` last gave for `clients`, without a query; nil unless
    /// every one of them is kept. Only for sealing values whose append checks the keys' rows
    /// (`StreamAppend.sealingKeyIDs`): an erasure in another process is not seen here.
    public func keptSealingKeys(for clients: Set<UUID>) -> [UUID: DataKey]? {
        sealing.withLock { kept in
            var keys: [UUID: DataKey] = [:]
            for client in clients {
                guard let key = kept[client] else { return nil }
                keys[client] = DataKey(id: key.id, key: key.bytes.key)
            }
            return keys
        }
    }

    /// Drops the sealing keys kept for `clients`: an append refused them (an erasure deleted one),
    /// so the next ``sealingKeys(for:on:)`` reads the table again.
    public func forgetSealingKeys(of clients: some Sequence<UUID>) {
        sealing.withLock { kept in for client in clients { kept[client] = nil } }
    }

    private func keepForSealing(_ keys: [UUID: DataKey]) {
        let entries = keys.compactMapValues { key in DataKey.Bytes(key.key).map { (key.id, $0) } }
        sealing.withLock { kept in
            if kept.count + entries.count > Self.cacheLimit { kept.removeAll(keepingCapacity: true) }
            kept.merge(entries) { _, new in new }
        }
    }

    /// An opener for the sealed values among `texts`: their keys, read in one query. With
    /// `lockingKeys` the keys' rows stay locked (`FOR KEY SHARE`) until the caller's transaction
    /// ends, so an erasure (which deletes them) waits for it, and then sees what it wrote.
    public func opener(
        for texts: some Sequence<String?>, lockingKeys: Bool = false, on connection: Connection
    ) throws
        -> PersonalDataOpener
    {
        let ids = PersonalDataOpener.keyIDs(in: texts)
        guard !ids.isEmpty else { return .none }
        return try opener(present: Array(presentKeyIDs(ids, lockingKeys: lockingKeys, on: connection)), on: connection)
    }

    /// Every value of `texts` opened (see ``PersonalDataOpener/open(_:)``), in order, for the
    /// thousands of values of a board or a list: one query tells which of their keys are still
    /// there, and a value this process opened before is given back when its key is, without the
    /// key itself (only values not opened yet need theirs). With `lockingKeys` as in
    /// ``opener(for:lockingKeys:on:)``.
    public func open(
        _ texts: [String?], lockingKeys: Bool = false, on connection: Connection
    ) throws
        -> [PersonalDataOpener.Opened]
    {
        let kept = opened.values(of: texts)
        var ids = Set<UUID>()
        var needed = Set<UUID>()
        for (text, value) in zip(texts, kept) {
            if let value {
                ids.insert(value.keyID)
            } else if let text, let id = SealedText.keyID(of: text) {
                ids.insert(id)
                needed.insert(id)
            }
        }
        let present = ids.isEmpty ? [] : try presentKeyIDs(ids, lockingKeys: lockingKeys, on: connection)
        let opener = try opener(present: Array(present.intersection(needed)), on: connection)
        return try zip(texts, kept).map { text, value in
            guard let value else { return try opener.open(text) }
            return present.contains(value.keyID)
                ? PersonalDataOpener.Opened(text: value.text, erased: false)
                : PersonalDataOpener.Opened(text: nil, erased: true)
        }
    }

    /// Which of the keys `ids` are in the table, read now (their rows locked `FOR KEY SHARE` with
    /// `lockingKeys`).
    private func presentKeyIDs(_ ids: Set<UUID>, lockingKeys: Bool, on connection: Connection) throws -> Set<UUID> {
        let array = PQBinaryArray.uuid(ids.map { $0 })
        guard lockingKeys else {
            // The keys that are gone, usually none: thousands of ids need not come back. One index
            // probe per id (the LIMIT keeps the planner from hashing the whole table instead).
            var gone = Set<UUID>()
            try connection.forEachRow(
                """
                SELECT id FROM unnest(\(array)::uuid[]) AS id
                  LEFT JOIN LATERAL (SELECT true AS kept FROM personal_data_keys k WHERE k.key_id = id LIMIT 1) k ON true
                 WHERE k.kept IS NULL
                """
            ) { gone.insert(try $0.decode(0)) }
            return gone.isEmpty ? ids : ids.subtracting(gone)
        }
        var present = Set<UUID>(minimumCapacity: ids.count)
        try connection.forEachRow(
            "SELECT key_id FROM personal_data_keys WHERE key_id = ANY(\(array)::uuid[]) FOR KEY SHARE"
        ) { present.insert(try $0.decode(0)) }
        return present
    }

    /// An opener for every value of `client` (its keys, read in one query).
    public func opener(forClient client: UUID, on connection: Connection) throws -> PersonalDataOpener {
        try opener(present: keyIDs(ofClient: client, on: connection), on: connection)
    }

    /// The ids of `client`'s data keys.
    public func keyIDs(ofClient client: UUID, on connection: Connection) throws -> [UUID] {
        try connection.query("SELECT key_id FROM personal_data_keys WHERE client_id = \(client)").rows.map {
            try $0.decode(0)
        }
    }

    /// Deletes `client`'s data keys (the erasure): every value they sealed becomes unreadable.
    /// Answers the ids deleted.
    public func erase(client: UUID, on connection: Connection) throws -> [UUID] {
        let ids: [UUID] = try connection.query(
            "DELETE FROM personal_data_keys WHERE client_id = \(client) RETURNING key_id"
        ).rows.map { try $0.decode(0) }
        unwrapped.withLock { cache in for id in ids { cache[id] = nil } }
        forgetSealingKeys(of: [client])
        opened.forget(keyIDs: ids)
        return ids
    }

    /// Checks that every data key of the database is wrapped by a master key this process holds.
    /// - Throws: ``MasterKeyError/unknownMasterKey(variable:keys:)`` otherwise; a server or CLI
    ///   given the wrong key refuses to start instead of reading every value as erased.
    public func verify(on connection: Connection) throws {
        // Before migration 0008 there are no data keys to check.
        let migrated: Bool =
            try connection.query("SELECT to_regclass('public.personal_data_keys') IS NOT NULL").first?.decode(0)
            ?? false
        guard migrated else { return }
        let strangers: Int64 =
            try connection.query(
                """
                SELECT count(*) FROM personal_data_keys
                WHERE master_key <> ALL(\(PQBinaryArray.text(masterKeys.fingerprints))::text[])
                """
            ).first?.decode(0) ?? 0
        guard strangers == 0 else {
            throw MasterKeyError.unknownMasterKey(variable: MasterKeyring.variable, keys: Int(strangers))
        }
    }

    /// How many data keys each master key wraps, by fingerprint.
    public func countsByMasterKey(on connection: Connection) throws -> [(fingerprint: String, keys: Int64)] {
        try connection.query("SELECT master_key, count(*) FROM personal_data_keys GROUP BY 1 ORDER BY 1").rows.map {
            (try $0.decode(0), try $0.decode(1))
        }
    }

    /// Rewraps every data key not wrapped by the current master key (those of the previous one), a
    /// thousand per transaction; answers how many. Values sealed by the data keys are untouched, and
    /// processes holding both master keys keep serving throughout.
    public func rotate(on connection: Connection) throws -> Int {
        var rewrapped = 0
        while true {
            let done = try connection.transaction { connection -> Int in
                let rows = try connection.query(
                    """
                    SELECT key_id, wrapped_key, master_key FROM personal_data_keys
                    WHERE master_key <> \(masterKeys.current.fingerprint)
                    ORDER BY key_id LIMIT 1000 FOR UPDATE
                    """
                ).rows
                var ids: [UUID?] = []
                var wrapped: [String] = []
                for row in rows {
                    let id: UUID = try row.decode(0)
                    let key = try unwrap(row)
                    ids.append(id)
                    wrapped.append(masterKeys.current.wrap(key, id: id))
                }
                guard !ids.isEmpty else { return 0 }
                try connection.execute(
                    """
                    UPDATE personal_data_keys AS p SET wrapped_key = k.wrapped_key, master_key = \(masterKeys.current.fingerprint)
                    FROM unnest(\(PQBinaryArray.uuid(ids))::uuid[], \(PQBinaryArray.text(wrapped))::text[]) AS k(key_id, wrapped_key)
                    WHERE p.key_id = k.key_id
                    """)
                return ids.count
            }
            guard done > 0 else { return rewrapped }
            rewrapped += done
        }
    }

    /// The data keys that `clients` have (none is made), by client.
    public func keys(ofClients clients: Set<UUID>, on connection: Connection) throws -> [UUID: DataKey] {
        var keys: [UUID: DataKey] = [:]
        for row in try connection.query(
            """
            SELECT key_id, wrapped_key, master_key, client_id FROM personal_data_keys
            WHERE client_id = ANY(\(PQBinaryArray.uuid(clients.map { $0 }))::uuid[])
            """
        ).rows {
            keys[try row.decode(3)] = DataKey(id: try row.decode(0), key: try unwrap(row))
        }
        return keys
    }

    /// An opener with the keys whose ids are `present`, just read from the table for this answer:
    /// those this process unwrapped before from memory, the others read again (wrapped) and
    /// unwrapped. A key deleted between the two reads opens nothing, as if read after the erasure.
    private func opener(present: [UUID], on connection: Connection) throws -> PersonalDataOpener {
        guard !present.isEmpty else { return PersonalDataOpener(keys: [:], opened: opened) }
        var keys: [UUID: DataKey.Bytes] = [:]
        keys.reserveCapacity(present.count)
        var missing: [UUID?] = []
        unwrapped.withLock { cache in
            for id in present {
                if let bytes = cache[id] { keys[id] = bytes } else { missing.append(id) }
            }
        }
        if !missing.isEmpty {
            for row in try connection.query(
                """
                SELECT key_id, wrapped_key, master_key FROM personal_data_keys
                WHERE key_id = ANY(\(PQBinaryArray.uuid(missing))::uuid[])
                """
            ).rows {
                keys[try row.decode(0)] = try unwrappedBytes(row)
            }
        }
        return PersonalDataOpener(keys: keys, opened: opened)
    }

    /// The data key of a row (`key_id`, `wrapped_key`, `master_key`), unwrapped or from the cache.
    private func unwrap(_ row: Row) throws -> SymmetricKey {
        try unwrappedBytes(row).key
    }

    /// The bytes of the data key of a row (`key_id`, `wrapped_key`, `master_key`), unwrapped and
    /// kept, or from the cache.
    private func unwrappedBytes(_ row: Row) throws -> DataKey.Bytes {
        let id: UUID = try row.decode(0)
        if let bytes = unwrapped.withLock({ $0[id] }) { return bytes }
        let fingerprint: String = try row.decode(2)
        guard let master = masterKeys.key(fingerprint: fingerprint) else {
            throw MasterKeyError.unknownMasterKey(variable: MasterKeyring.variable, keys: 1)
        }
        guard let bytes = DataKey.Bytes(try master.unwrap(try row.decode(1), id: id)) else {
            throw PQError(kind: .decoding, message: "data key \(id) is not 256 bits long")
        }
        unwrapped.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[id] = bytes
        }
        return bytes
    }
}
