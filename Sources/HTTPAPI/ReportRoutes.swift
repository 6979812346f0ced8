import Access
import Foundation
import Hummingbird
import JSON
import Logging
import PQ
import Projections
import Sales

extension Router where Context == APIRequestContext {
    /// The report routes: board, aging and the per-invoice receivables list (JSON and CSV), retention, funnel, objections, the read
    /// models' status and their rebuild, all through `readModels` (which opens names and texts).
    func addReportRoutes(_ readModels: ReadModels) {
        get("/v1/pipelines/{pipeline}/board") { request, context -> Response in
            _ = try context.require(.readReports)
            let pipeline = try context.parameters.require("pipeline")
            let window = try ReportWindow(request: request)
            let board = try await reportQuery(readModels) { connection, personalData in
                try PipelineBoard.query(pipeline: pipeline, window: window, personalData: personalData, on: connection)
            }
            return Response(json: board.serializedJSON())
        }
        get("/v1/receivables/aging") { request, context -> Response in
            _ = try context.require(.readAging)
            let window = try ReportWindow(request: request)
            let query = request.uri.queryParameters
            let edges = try reportParameter { try ReceivablesAging.edges(query.get("buckets")) }
            if request.headers[.accept]?.contains("text/csv") == true {
                let byteOrderMark = try request.booleanQuery("bom", default: false)
                let aging = try await reportQuery(readModels) { connection, personalData in
                    try ReceivablesAging.query(window: window, edges: edges, personalData: personalData, on: connection)
                }
                return csvResponse(aging.csv, filename: "aging-\(aging.asOf).csv", byteOrderMark: byteOrderMark)
            }
            let limit = try request.integerQuery("limit", default: 500, range: 1...10_000)
            let cursor = query.get("cursor")
            let aging = try await reportQuery(readModels) { connection, personalData in
                try ReceivablesAging.query(
                    window: window, edges: edges, limit: Int(limit), cursor: cursor, personalData: personalData,
                    on: connection)
            }
            return aging.json.response()
        }
        get("/v1/receivables/invoices") { request, context -> Response in
            _ = try context.require(.readAging)
            let window = try ReportWindow(request: request)
            let query = request.uri.queryParameters
            let edges = try reportParameter { try ReceivablesAging.edges(query.get("buckets")) }
            let promise = try reportParameter { try ReceivablesByInvoice.PromiseFilter.named(query.get("promise")) }
            let overdueOnly = try request.booleanQuery("overdueOnly", default: false)
            let clientId = try query.get("clientId").map { text throws(Problem) in
                guard let id = UUID(uuidString: text) else { throw Problem.invalidField("clientId", "must be a UUID") }
                return id
            }
            let csv = request.headers[.accept]?.contains("text/csv") == true
            let byteOrderMark = try request.booleanQuery("bom", default: false)
            let limit = csv ? nil : Int(try request.integerQuery("limit", default: 500, range: 1...10_000))
            let cursor = csv ? nil : query.get("cursor")
            let list = try await reportQuery(readModels) { connection, personalData in
                try ReceivablesByInvoice.query(
                    window: window, edges: edges, clientId: clientId, overdueOnly: overdueOnly, promise: promise,
                    limit: limit, cursor: cursor, personalData: personalData, on: connection)
            }
            if csv {
                return csvResponse(
                    list.csv, filename: "receivables-invoices-\(list.asOf).csv", byteOrderMark: byteOrderMark)
            }
            return list.json.response()
        }
        get("/v1/retention") { request, context -> Response in
            _ = try context.require(.readReports)
            let window = try ReportWindow(request: request)
            let query = request.uri.queryParameters
            let thresholds = try reportParameter {
                try RetentionList.Thresholds(
                    rhythmFactor: query.get("rhythmFactor"), singlePurchaseDays: query.get("singlePurchaseDays"),
                    untouchedDays: query.get("untouchedDays"))
            }
            let reasons = try reportParameter { try RetentionList.Reason.named(query.getAll("reason")) }
            let limit = try request.integerQuery("limit", default: 500, range: 1...10_000)
            let cursor = query.get("cursor")
            let list = try await reportQuery(readModels) { connection, personalData in
                try RetentionList.query(
                    window: window, thresholds: thresholds, reasons: reasons, limit: Int(limit), cursor: cursor,
                    personalData: personalData,
                    on: connection)
            }
            return list.json.response()
        }
        get("/v1/funnel") { request, context -> Response in
            _ = try context.require(.readReports)
            let window = try ReportWindow(request: request)
            let (pipeline, from, to) = try cohort(request)
            let funnel = try await reportQuery(readModels) { connection, personalData in
                try Funnel.query(
                    pipeline: pipeline, from: from, to: to, window: window, personalData: personalData, on: connection)
            }
            return funnel.json.response()
        }
        get("/v1/reports/objections") { request, context -> Response in
            _ = try context.require(.readReports)
            let (pipeline, from, to) = try cohort(request)
            let report = try await reportQuery(readModels) { connection, personalData in
                try ObjectionReport.query(pipeline: pipeline, from: from, to: to, on: connection)
            }
            return report.json.response()
        }
        get("/v1/projections") { _, context -> Response in
            _ = try context.require(.readProjections)
            let statuses = try await readModels.statuses()
            return JSONValue.object(["projections": .array(statuses.map(\.json))]).response()
        }
        post("/v1/projections/{name}/rebuild") { _, context -> Response in
            _ = try context.require(.administer)
            let name = try context.parameters.require("name")
            let accepted: ProjectionStatus
            do {
                accepted = try await readModels.startRebuild(named: name)
            } catch let error as ProjectionError {
                throw problem(error)
            }
            return accepted.json.response(status: .accepted)
        }
    }
}

/// A CSV report as a download named `filename`, with a UTF-8 byte order mark first if asked for.
private func csvResponse(_ table: CSVTable, filename: String, byteOrderMark: Bool) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "text/csv; charset=utf-8"
    headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
    return Response(
        status: .ok, headers: headers,
        body: ResponseBody(byteBuffer: ByteBuffer(string: table.text(byteOrderMark: byteOrderMark))))
}

/// The cohort of the funnel and of the objections report: `pipeline` (default `sales`) and the
/// opening dates `from` and `to` (422 naming the field when one is missing or not a date).
private func cohort(_ request: Request) throws -> (pipeline: String, from: LocalDate, to: LocalDate) {
    let query = request.uri.queryParameters
    var dates: [LocalDate] = []
    for field in ["from", "to"] {
        guard let text = query.get(field), let date = LocalDate(text) else {
            throw Problem.invalidField(field, "is required, a date in the form YYYY-MM-DD")
        }
        dates.append(date)
    }
    return (query.get("pipeline") ?? Pipeline.defaultName, dates[0], dates[1])
}

/// Runs a parameter check, turning a refused parameter into a 422 problem.
func reportParameter<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ProjectionError {
        throw problem(error)
    }
}

/// Runs a report through the read models, mapping refusals to problems.
func reportQuery<T: Sendable>(
    _ readModels: ReadModels, _ report: @escaping @Sendable (Connection, PersonalDataKeys) throws -> T
) async throws -> T {
    do {
        return try await readModels.read(report)
    } catch let error as ProjectionError {
        throw problem(error)
    }
}

private func problem(_ error: ProjectionError) -> Problem {
    switch error {
    case .invalidParameter(let field, let message): Problem.invalidField(field, message)
    case .unknownPipeline, .unknownProjection: Problem.http(.notFound, detail: error.description)
    case .rebuildRunning:
        Problem(status: 409, code: "rebuild-running", title: "Rebuild running", detail: error.description)
    case .amountOverflow:
        Problem(status: 422, code: "amount-overflow", title: "Amount overflow", detail: error.description)
    case .readModelOutdated:
        Problem(status: 503, code: "read-model-outdated", title: "Read model outdated", detail: error.description)
    }
}
