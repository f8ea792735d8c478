import AgentryHTTP
import Testing

@Suite struct ServerSentEventParserTests {
    /// A stream exercising every rule: comments, CRLF / CR / LF, multi-line data, event types,
    /// id persistence and reset, retry, a field without a colon, no space after the colon, only
    /// one leading space removed, non-ASCII text, and an empty-data event.
    static let tricky = "\u{FEFF}: comment\r\n"
        + "event: delta\r\ndata: Hello\r\ndata:  indented\r\nid: 7\r\n\r\n"
        + "data:no-space\rretry: 1500\r\r"
        + "data: grüße 👋\nevent\n\n"
        + "id\ndata\n\n"
        + ": only a comment\n\n"
        + "event: ignored-without-data\n\n"
        + "retry: soon\ndata: last\n\n"

    static let expected = [
        ServerSentEvent(event: "delta", data: "Hello\n indented", id: "7"),
        ServerSentEvent(data: "no-space", id: "7", retry: 1500),
        ServerSentEvent(data: "grüße 👋", id: "7"),
        ServerSentEvent(data: "", id: nil),
        ServerSentEvent(data: "last", id: nil),
    ]

    @Test func parsesAWholeStream() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array(Self.tricky.utf8)) + parser.finish()
        #expect(events == Self.expected)
    }

    @Test func parsesTheStreamSplitAtEveryByteBoundary() {
        let bytes = Array(Self.tricky.utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<split]) + parser.feed(bytes[split...]) + parser.finish()
            #expect(events == Self.expected, "split at byte \(split)")
        }
    }

    @Test func parsesTheStreamFedOneByteAtATime() {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in Self.tricky.utf8 { events += parser.feed([byte]) }
        #expect(events + parser.finish() == Self.expected)
    }

    @Test func crAndLFInSeparateChunksAreOneLineBreak() {
        var parser = ServerSentEventParser()
        var events = parser.feed(Array("data: a\r".utf8))
        events += parser.feed(Array("\ndata: b\r".utf8))
        events += parser.feed(Array("\n\r\n".utf8))
        #expect(events == [ServerSentEvent(data: "a\nb")])
    }

    @Test func anEventWithoutItsBlankLineIsDiscardedAtTheEnd() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("data: one\n\ndata: two\n".utf8))
        #expect(events == [ServerSentEvent(data: "one")])
        #expect(parser.finish().isEmpty)
    }

    @Test func anEventWithoutItsBlankLineCanBeKept() {
        var parser = ServerSentEventParser(dispatchesIncompleteEventAtEnd: true)
        let events = parser.feed(Array("data: one\n\ndata: two".utf8))
        #expect(events == [ServerSentEvent(data: "one")])
        #expect(parser.finish() == [ServerSentEvent(data: "two")])
    }

    @Test func idsPersistAcrossEventsAndIgnoreNUL() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("id: a\ndata: 1\n\ndata: 2\n\nid: b\u{0}c\ndata: 3\n\n".utf8))
        #expect(events.map(\.id) == ["a", "a", "a"])
    }

    @Test func aByteOrderMarkIsOnlySkippedAtTheStart() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("\u{FEFF}data: x\n\n\u{FEFF}data: y\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "x")])
    }
}
