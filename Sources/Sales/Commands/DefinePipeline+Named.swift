public import JSON

extension DefinePipeline {
    /// Validates a definition as the HTTP API and `touchstone import` spell it: the pipeline's
    /// name in `name` (the command calls it `pipeline`, which such a body may not carry) and its
    /// `stages`; a problem with the name is reported under `name`.
    public static func parse(named body: JSONValue, recordedAt: Instant) throws(ValidationFailure) -> DefinePipeline {
        guard var members = body.objectValue else { return try parse(body, recordedAt: recordedAt) }
        if members["pipeline"] != nil {
            throw ValidationFailure(errors: [FieldError(field: "pipeline", message: "is not a known field")])
        }
        if let name = members.removeValue(forKey: "name") { members["pipeline"] = name }
        do {
            return try parse(.object(members), recordedAt: recordedAt)
        } catch {
            throw ValidationFailure(
                errors: error.errors.map { error in
                    guard error.field == "pipeline" else { return error }
                    return FieldError(field: "name", message: error.message)
                })
        }
    }
}
