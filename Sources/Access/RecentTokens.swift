import Foundation
public import Logging
import PQ
import Synchronization

/// Verified bearer tokens kept in memory briefly, in front of a ``TokenStore``, so that a request
/// does not spend a round trip (and a pool connection a slow report may be holding) on its token.
///
/// Revocation still takes effect within a second in every process: every change to the tokens
/// table is announced on ``channel`` when it commits (a trigger of migration 0011), and a thread
/// of this process LISTENs on it and forgets every kept token at each announcement. While that
/// connection is down (and until it is up again) nothing is kept or used, so a missed
/// announcement can never keep a revoked token alive. Each kept token also expires after
/// `lifetime`. A token looked up while an announcement arrived is not kept.
public final class RecentTokens: TokenVerifying {
    /// The channel token changes are announced on.
    public static let channel = "touchstone_tokens"
    /// How long a verified token is kept at most.
    public static let defaultLifetime: Duration = .seconds(10)

    private struct Kept {
        var identities: [String: (identity: TokenIdentity, until: ContinuousClock.Instant)] = [:]
        /// Moved on at every announcement and whenever the listener connects or loses its connection.
        var generation: UInt64 = 0
        var listening = false
    }

    private let store: TokenStore
    private let lifetime: Duration
    private let kept = Mutex(Kept())
    private let stopped = Atomic(false)

    /// Keeps tokens verified by `store`; listens for changes on a connection to `conninfo`.
    public init(store: TokenStore, conninfo: String, lifetime: Duration = defaultLifetime, logger: Logger) {
        self.store = store
        self.lifetime = lifetime
        let thread = Thread { [weak self] in self?.listen(conninfo: conninfo, logger: logger) }
        thread.name = "touchstone.tokens"
        thread.start()
    }

    /// Stops listening (within a quarter of a second); nothing is kept afterwards.
    public func stop() {
        stopped.store(true, ordering: .releasing)
    }

    /// How many tokens are kept and whether the listener is connected (for tests and metrics).
    public var status: (kept: Int, listening: Bool) {
        kept.withLock { ($0.identities.count, $0.listening) }
    }

    public func identity(forBearer token: String) async throws -> TokenIdentity? {
        let now = ContinuousClock.now
        // Kept by the token's hash, as the database keeps it, never by the secret itself.
        let key = TokenStore.hash(token)
        let (found, generation): (TokenIdentity?, UInt64?) = kept.withLock { kept in
            guard kept.listening else { return (nil, nil) }
            if let entry = kept.identities[key], entry.until > now { return (entry.identity, nil) }
            return (nil, kept.generation)
        }
        if let found { return found }
        let identity = try await store.identity(forBearer: token)
        if let identity, let generation {
            kept.withLock { kept in
                guard kept.listening, kept.generation == generation else { return }
                if kept.identities.count >= 10_000 { kept.identities.removeAll() }
                kept.identities[key] = (identity, now + lifetime)
            }
        }
        return identity
    }

    /// Forgets every kept token; `listening` says whether they may be kept again.
    private func forgetAll(listening: Bool) {
        kept.withLock { kept in
            kept.identities.removeAll()
            kept.generation += 1
            kept.listening = listening
        }
    }

    private func listen(conninfo: String, logger: Logger) {
        var connection: Connection?
        while !stopped.load(ordering: .acquiring) {
            do {
                if connection == nil {
                    let opened = try Connection(conninfo: conninfo, applicationName: "touchstone-tokens")
                    try opened.listen(Self.channel)
                    connection = opened
                    forgetAll(listening: true)
                }
                if try connection?.waitForNotifications(timeout: 0.25).isEmpty == false {
                    forgetAll(listening: true)
                }
            } catch {
                logger.warning(
                    "token listener lost its connection; tokens are checked in the database",
                    metadata: ["error": "\(error)"])
                connection = nil
                forgetAll(listening: false)
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        forgetAll(listening: false)
    }
}
