import Foundation
import HexText
public import JSON

extension DealState: DeciderState {
    public static let decider = "deal"
    public static let foldVersion = 1

    /// `{"opening" (the DealOpened payload, its title blank), "stage", "stageEnteredOn",
    /// "lastMovedOn", "outcome" ({"won"} or {"lost", "refusedBy"}), "objections" ({id: {"category",
    /// "raisedOn", "handledOn", "resolved"}}), "offerIds", "concessionIds"}`.
    public var snapshot: JSONValue {
        var objectionsJSON: [String: JSONValue] = [:]
        for (id, objection) in objections {
            objectionsJSON[id.canonical] = .object([
                "category": objection.category.json, "raisedOn": objection.raisedOn.json,
                "handledOn": objection.handledOn?.json ?? .null,
                "resolved": objection.resolved.map(JSONValue.bool) ?? .null,
            ])
        }
        let outcomeJSON: JSONValue =
            switch outcome {
            case .won(let on): .object(["won": on.json])
            case .lost(let on, let refusedBy): .object(["lost": on.json, "refusedBy": refusedBy.json])
            case nil: .null
            }
        return .object([
            "opening": opening.map(SnapshotFields.payload) ?? .null,
            "stage": .string(orNull: stage),
            "stageEnteredOn": stageEnteredOn?.json ?? .null,
            "lastMovedOn": lastMovedOn?.json ?? .null,
            "outcome": outcomeJSON,
            "objections": .object(objectionsJSON),
            "offerIds": SnapshotFields.list(offerIds),
            "concessionIds": SnapshotFields.list(concessionIds),
        ])
    }

    public init(snapshot: JSONValue) throws(SnapshotDecodingError) {
        let fields = try SnapshotFields(snapshot, "deal state")
        self.init()
        if fields.optional("opening") != nil { opening = try fields.payload("opening", as: DealOpened.self) }
        if fields.optional("stage") != nil { stage = try fields.string("stage") }
        stageEnteredOn = try fields.optionalDate("stageEnteredOn")
        lastMovedOn = try fields.optionalDate("lastMovedOn")
        if let outcomeJSON = fields.optional("outcome") {
            let ending = try SnapshotFields(outcomeJSON, "outcome")
            if let wonOn = try ending.optionalDate("won") {
                outcome = .won(on: wonOn)
            } else {
                guard let refusedBy = RefusedBy(rawValue: try ending.string("refusedBy")) else {
                    throw SnapshotDecodingError("refusedBy is not client or us")
                }
                outcome = .lost(on: try ending.date("lost"), refusedBy: refusedBy)
            }
        }
        for (key, value) in try SnapshotFields(fields.members["objections"] ?? .null, "objections").members {
            let objection = try SnapshotFields(value, "objection \(key)")
            guard let category = ObjectionCategory(rawValue: try objection.string("category")) else {
                throw SnapshotDecodingError("objection \(key) has an unknown category")
            }
            var status = ObjectionStatus(category: category, raisedOn: try objection.date("raisedOn"))
            status.handledOn = try objection.optionalDate("handledOn")
            if objection.optional("resolved") != nil { status.resolved = try objection.bool("resolved") }
            objections[try SnapshotFields.uuid(.string(key), "objections")] = status
        }
        offerIds = try fields.uuidSet("offerIds")
        concessionIds = try fields.uuidSet("concessionIds")
    }

    public var footprint: Int {
        512 + (opening?.title.utf8.count ?? 0) + 96 * objections.count + 64 * (offerIds.count + concessionIds.count)
    }
}
