import CLibPQ
import Glibc

/// A message sent with `NOTIFY channel, 'payload'`.
public struct Notification: Sendable, Equatable {
    /// The channel it was sent on.
    public var channel: String
    /// The payload text (may be empty).
    public var payload: String
    /// The sending backend's process id.
    public var senderPID: Int32
}

extension Connection {
    /// Subscribes this connection to `channel`.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(identifier: channel)")
    }

    /// Sends `payload` on `channel` (delivered when the current transaction commits).
    public func notify(_ channel: String, payload: String = "") throws {
        try execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Waits up to `timeout` seconds for notifications and returns those that
    /// arrived (possibly none). Throws if the connection broke.
    public func waitForNotifications(timeout: Double) throws -> [Notification] {
        var pending = try drainNotifications()
        guard pending.isEmpty else { return pending }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw connectionError() }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, timeout * 1000)))
        if ready > 0 { pending = try drainNotifications() }
        return pending
    }

    private func drainNotifications() throws -> [Notification] {
        guard PQconsumeInput(handle) == 1 else { throw connectionError() }
        var received = [Notification]()
        while let raw = PQnotifies(handle) {
            defer { PQfreemem(raw) }
            received.append(
                Notification(
                    channel: String(cString: raw.pointee.relname),
                    payload: String(cString: raw.pointee.extra),
                    senderPID: raw.pointee.be_pid))
        }
        return received
    }
}
