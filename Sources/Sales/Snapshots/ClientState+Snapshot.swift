import Foundation
public import JSON

extension ClientState: DeciderState {
    public static let decider = "client"
    public static let foldVersion = 2

    /// `{"clientId", "registeredOn", "orderIds"}`.
    public var snapshot: JSONValue {
        .object([
            "clientId": clientId?.json ?? .null,
            "registeredOn": registeredOn?.json ?? .null,
            "orderIds": SnapshotFields.list(orderIds),
        ])
    }

    public init(snapshot: JSONValue) throws(SnapshotDecodingError) {
        let fields = try SnapshotFields(snapshot, "client state")
        self.init()
        clientId = try fields.optionalUUID("clientId")
        registeredOn = try fields.optionalDate("registeredOn")
        orderIds = try fields.uuidSet("orderIds")
    }

    public var footprint: Int {
        128 + 64 * orderIds.count
    }
}
