/// Parses a `text/event-stream` incrementally, following the WHATWG HTML "event stream
/// interpretation": lines end with CRLF, LF or CR; `data:`, `event:`, `id:` and `retry:` fields;
/// `:` comments; a blank line dispatches the event; a leading byte-order mark is skipped.
///
/// Chunks may split anywhere, even between a CR and its LF or inside a UTF-8 sequence:
/// ```swift
/// var parser = ServerSentEventParser()
/// for try await chunk in body { for event in parser.feed(chunk) { handle(event) } }
/// let rest = parser.finish()
/// ```
public struct ServerSentEventParser: Sendable {
    /// Whether ``finish()`` dispatches an event left without its closing blank line. The standard
    /// discards it; `false` by default.
    public var dispatchesIncompleteEventAtEnd: Bool

    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var data = ""
    private var hasData = false
    private var eventType = ""
    private var lastEventID: String?
    private var retry: Int?

    public init(dispatchesIncompleteEventAtEnd: Bool = false) {
        self.dispatchesIncompleteEventAtEnd = dispatchesIncompleteEventAtEnd
    }

    /// Consumes a chunk and returns the events it completed, in order.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\r"):
                afterCR = true
                if let event = endLine() { events.append(event) }
            case UInt8(ascii: "\n"):
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: returns the pending event only if ``dispatchesIncompleteEventAtEnd``.
    public mutating func finish() -> [ServerSentEvent] {
        defer { self = ServerSentEventParser(dispatchesIncompleteEventAtEnd: dispatchesIncompleteEventAtEnd) }
        guard dispatchesIncompleteEventAtEnd else { return [] }
        if !line.isEmpty { _ = endLine() }
        return dispatch().map { [$0] } ?? []
    }

    private mutating func endLine() -> ServerSentEvent? {
        var bytes = line[...]
        line.removeAll(keepingCapacity: true)
        if atStart {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        if bytes.isEmpty { return dispatch() }
        if bytes.first == UInt8(ascii: ":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            field = Substring(decoding: bytes[..<colon], as: UTF8.self)
            value = Substring(decoding: bytes[(colon + 1)...], as: UTF8.self)
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(decoding: bytes, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event":
            eventType = String(value)
        case "data":
            data += value
            data += "\n"
            hasData = true
        case "id":
            if !value.contains("\0") { lastEventID = String(value) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }), let milliseconds = Int(value) {
                retry = milliseconds
            }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data = ""
            hasData = false
            eventType = ""
        }
        guard hasData else { return nil }
        if data.hasSuffix("\n") { data.removeLast() }
        let event = ServerSentEvent(
            event: eventType.isEmpty ? "message" : eventType,
            data: data,
            id: lastEventID.flatMap { $0.isEmpty ? nil : $0 },
            retry: retry
        )
        retry = nil
        return event
    }
}
