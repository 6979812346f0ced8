public import Access
public import EventStore
public import Hummingbird
public import Logging
public import PQ
public import Projections
public import Prometheus
public import Recording

/// What the HTTP application is built from.
public struct APIDependencies: Sendable {
    /// The database pool (also handed to the report routes).
    public var pool: ConnectionPool
    /// The event store on `pool`.
    public var store: EventStore
    /// The clients' data keys: personal fields are sealed with them when recorded and opened with
    /// them when shown; an erasure deletes them.
    public var personalData: PersonalDataKeys
    /// Who checks bearer tokens.
    public var tokens: any TokenVerifying
    /// Where `Idempotency-Key` records are kept.
    public var idempotency: any IdempotencyRecording
    /// The read models the report routes serve and rebuild.
    public var readModels: ReadModels
    /// The Prometheus registry `GET /metrics` serves.
    public var metrics: PrometheusCollectorRegistry
    /// Whether `GET /readyz` still says ready.
    public var readiness: Readiness
    /// The logger of the routes and the recorder.
    public var logger: Logger
    /// The deciders' states the command routes keep between commands.
    public var states: DeciderStateCache
    /// Whether the database takes writes; on a replica every writing route answers 503.
    public var mode: ServingMode

    /// Dependencies on `pool` with the database-backed token and idempotency stores.
    public init(
        pool: ConnectionPool, personalData: PersonalDataKeys, logger: Logger, tokens: (any TokenVerifying)? = nil,
        idempotency: (any IdempotencyRecording)? = nil, metrics: PrometheusCollectorRegistry = .init(),
        readiness: Readiness = Readiness(), states: DeciderStateCache = DeciderStateCache(),
        mode: ServingMode = .primary
    ) {
        self.pool = pool
        self.store = EventStore(pool: pool, logger: logger)
        self.personalData = personalData
        self.tokens = tokens ?? TokenStore(pool: pool)
        self.idempotency = idempotency ?? IdempotencyStore(pool: pool)
        self.readModels = ReadModels(pool: pool, personalData: personalData, logger: logger)
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        self.states = states
        self.mode = mode
    }
}

/// The router of the whole API: request ids, metrics, problem+json, the refusal of writes on a
/// replica and bearer authentication around every route; commands, pipelines, history, the feed, the report routes and the operational routes.
public func buildRouter(_ dependencies: APIDependencies) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    let metrics = ServiceMetrics(registry: dependencies.metrics)
    router.add(middleware: RequestIdentity())
    router.add(middleware: RequestMetrics(metrics: metrics))
    let routes = RouteMethods()
    router.add(middleware: ProblemMiddleware(routes: routes, metrics: metrics))
    router.add(middleware: ReplicaRefusal(mode: dependencies.mode))
    router.add(middleware: BearerAuthentication(tokens: dependencies.tokens))
    let recorder = CommandRecorder(
        store: dependencies.store, personalData: dependencies.personalData, states: dependencies.states,
        logger: dependencies.logger)
    CommandRoutes(
        recorder: recorder, idempotency: IdempotencyGuard(records: dependencies.idempotency, metrics: metrics)
    )
    .register(on: router)
    PipelineRoutes(recorder: recorder).register(on: router)
    HistoryRoutes(store: dependencies.store, personalData: dependencies.personalData, logger: dependencies.logger)
        .register(on: router)
    FeedRoutes(store: dependencies.store, personalData: dependencies.personalData).register(on: router)
    ErasureRoutes(erasure: ClientErasure(store: dependencies.store, personalData: dependencies.personalData))
        .register(on: router)
    OperationsRoutes(
        pool: dependencies.pool, metrics: metrics, readiness: dependencies.readiness, mode: dependencies.mode
    )
    .register(on: router)
    router.addReportRoutes(dependencies.readModels)
    DirectoryRoutes(readModels: dependencies.readModels, store: dependencies.store, logger: dependencies.logger)
        .register(on: router)
    routes.record(router)
    return router
}

/// The Touchstone HTTP application listening on `host`:`port`, closing connections as
/// `timeouts` say, and running the rebuilds it starts (``RebuildJobs``) as a service of its own.
public func buildApplication(
    _ dependencies: APIDependencies, host: String = "127.0.0.1", port: Int = 8080, timeouts: HTTPTimeouts = .init()
) -> some ApplicationProtocol {
    let requestRead = timeouts.requestRead.map(HTTPTimeouts.timeAmount)
    return Application(
        router: buildRouter(dependencies),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: requestRead.map { [RequestReadTimeout(limit: $0)] } ?? [],
                idleTimeout: timeouts.idle.map(HTTPTimeouts.timeAmount))),
        configuration: .init(address: .hostname(host, port: port), serverName: "touchstone"),
        services: [dependencies.readModels.rebuilds], logger: dependencies.logger)
}
