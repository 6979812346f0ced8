/// A sales pipeline: a name and the ordered keys of its stages. A deal starts in the first stage;
/// `won` and `lost` are not stages but the two terminal outcomes of a deal.
///
/// Pipelines are configurable per business (`DefinePipeline`); `sales` exists without any event,
/// with the stages of seed 003 and 004.
public struct Pipeline: Sendable, Hashable {
    /// The pipeline's name, `[a-z0-9][a-z0-9-]{0,62}`.
    public let name: String
    /// The stage keys in order, each `[a-z0-9][a-z0-9-]{0,62}`, unique, 1 to 50 of them.
    public let stages: [String]

    /// A pipeline as recorded. Use `problems(name:stages:)` to check a definition first.
    public init(name: String, stages: [String]) {
        self.name = name
        self.stages = stages
    }

    /// The name of the pipeline that exists without any event.
    public static let defaultName = "sales"

    /// `sales`: lead, qualified, contact, needs, offer, objections, bargaining, closing.
    public static let sales = Pipeline(
        name: defaultName,
        stages: ["lead", "qualified", "contact", "needs", "offer", "objections", "bargaining", "closing"]
    )

    /// The terminal outcomes, which no pipeline may use as a stage key.
    public static let outcomes: Set<String> = ["won", "lost"]

    /// The most stages a pipeline may have.
    public static let maximumStages = 50

    /// True for `[a-z0-9][a-z0-9-]{0,62}`: the shape of pipeline names and stage keys.
    public static func isValidKey(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = bytes.first, bytes.count <= 63, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Everything wrong with a pipeline definition, as field errors of a `DefinePipeline` body
    /// (`pipeline`, `stages`, `stages[3]`): an invalid name, no stages or more than 50, a stage key
    /// of the wrong shape, `won` or `lost` used as a stage, a stage listed twice. Empty when valid.
    public static func problems(name: String, stages: [String]) -> [FieldError] {
        let keyShape = "must be 1 to 63 lower-case letters, digits or '-', not starting with '-'"
        var problems: [FieldError] = []
        if !isValidKey(name) {
            problems.append(FieldError(field: "pipeline", message: keyShape))
        }
        if stages.isEmpty || stages.count > maximumStages {
            problems.append(FieldError(field: "stages", message: "must list 1 to \(maximumStages) stages"))
        }
        var seen: Set<String> = []
        for (index, stage) in stages.enumerated() {
            let field = "stages[\(index)]"
            if !isValidKey(stage) {
                problems.append(FieldError(field: field, message: keyShape))
            } else if outcomes.contains(stage) {
                problems.append(
                    FieldError(field: field, message: "'\(stage)' is a terminal outcome of a deal, not a stage"))
            } else if !seen.insert(stage).inserted {
                problems.append(FieldError(field: field, message: "'\(stage)' is listed twice"))
            }
        }
        return problems
    }
}
