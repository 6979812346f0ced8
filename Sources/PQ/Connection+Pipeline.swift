import CLibPQ

extension Connection {
    /// Sends every statement at once in libpq pipeline mode and reads all the
    /// results after one sync: one network round trip for the batch. Statements
    /// after a failed one are not run (`PGRES_PIPELINE_ABORTED`); the first error
    /// is thrown. Inside an explicit transaction a failure leaves it aborted.
    /// Meant for batches of up to a few hundred statements.
    @discardableResult
    public func pipeline(_ statements: [SQL]) throws -> [QueryResult] {
        guard !statements.isEmpty else { return [] }
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        defer { PQexitPipelineMode(handle) }
        for statement in statements {
            let sent = withParameters(statement.binds) { values, lengths, formats in
                PQsendQueryParams(
                    handle, statement.text, Int32(statement.binds.count), nil, values, lengths, formats, 0)
            }
            guard sent == 1 else { throw connectionError() }
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionError() }
        var results = [QueryResult]()
        var failure: (any Error)?
        for _ in statements {
            guard let result = PQgetResult(handle) else { throw connectionError() }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
            } else {
                do { results.append(try consume(result)) } catch { if failure == nil { failure = error } }
            }
            // Each statement's results end with a NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        drainPipeline()
        if let failure { throw failure }
        return results
    }

    /// Reads up to and including the pipeline's sync result; NULLs separate the
    /// results of successive statements.
    private func drainPipeline() {
        while isAlive {
            guard let result = PQgetResult(handle) else { continue }
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { return }
        }
    }
}
