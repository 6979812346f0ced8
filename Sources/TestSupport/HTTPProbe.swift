import Foundation
import Glibc

/// A plain HTTP/1.1 client over a TCP socket to `127.0.0.1:port`, for tests of a real
/// `touchstone serve` process: it tells a refused connection from a closed one, and can hold a
/// connection open or send a request in pieces. Blocking socket calls run on a thread of their
/// own, never on Swift's cooperative pool.
public struct HTTPProbe: Sendable {
    /// The port the server listens on.
    public let port: Int

    /// An answer: its status, headers (names lowercased) and body.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    /// Why a probe got no answer.
    public enum Failure: Error, Equatable {
        /// Nothing listens on the port (the connection was refused).
        case refused
        /// The server closed the connection before a whole answer came.
        case closed
        /// No answer within the time given.
        case timeout
        /// Another socket error (its errno).
        case socket(Int32)
    }

    /// A probe of `127.0.0.1:port`.
    public init(port: Int) {
        self.port = port
    }

    /// Sends one request (with `Connection: close`) and reads the whole answer.
    public func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Answer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let payload = Array((body ?? "").utf8)
        if body != nil { head += "Content-Length: \(payload.count)\r\n" }
        let request = Array((head + "\r\n").utf8) + payload
        let port = self.port
        return try await Self.onThread {
            let socket = try Self.connect(port: port, timeout: timeout)
            defer { close(socket) }
            try Self.write(request, to: socket)
            return try Self.parse(Self.readToEnd(socket))
        }
    }

    /// Opens a connection, writes `bytes` (possibly an incomplete request) and waits until the
    /// server closes it; answers the seconds that took, or nil when it was still open after `within`.
    public func secondsUntilClosed(after bytes: String, within: Duration) async throws -> Double? {
        let port = self.port
        return try await Self.onThread {
            let socket = try Self.connect(port: port, timeout: within)
            defer { close(socket) }
            let start = ContinuousClock.now
            try Self.write(Array(bytes.utf8), to: socket)
            do {
                _ = try Self.readToEnd(socket)
            } catch Failure.timeout {
                return nil
            }
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func connect(port: Int, timeout: Duration) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure.socket(errno) }
        var limit = timeval(
            tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(socket)
            throw code == ECONNREFUSED ? Failure.refused : Failure.socket(code)
        }
        return socket
    }

    private static func write(_ bytes: [UInt8], to socket: Int32) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { throw count == 0 ? Failure.closed : Failure.socket(errno) }
            sent += count
        }
    }

    private static func readToEnd(_ socket: Int32) throws -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { return received }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timeout }
                if errno == ECONNRESET { return received }
                throw Failure.socket(errno)
            }
            received += buffer[0..<count]
        }
    }

    private static func parse(_ bytes: [UInt8]) throws -> Answer {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw Failure.closed
        }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.closed }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunked(body) }
        return Answer(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    private static func dechunked(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(
                    String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16),
                size > 0
            else { break }
            let start = lineEnd + 2
            output += bytes[start..<min(bytes.count, start + size)]
            index = start + size + 2
        }
        return output
    }
}
