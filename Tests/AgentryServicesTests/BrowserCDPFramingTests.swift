@testable import AgentryBrowserWorker
import AgentryContracts
import Foundation
import Testing

@Suite struct BrowserCDPFramingTests {
    private static let messages = [
        #"{"id":1,"result":{"targetId":"T1"}}"#,
        #"{"method":"Page.lifecycleEvent","params":{"name":"load","loaderId":"L1"},"sessionId":"S1"}"#,
        #"{"id":2,"result":{"result":{"type":"string","value":"héllo € 😀"}},"sessionId":"S1"}"#,
    ]

    private static var stream: [UInt8] { messages.flatMap { Array($0.utf8) + [0] } }

    private static func decodeAll(_ chunks: [ArraySlice<UInt8>]) throws -> [String] {
        var decoder = CDPFrameDecoder()
        var decoded: [String] = []
        for chunk in chunks {
            decoded += try decoder.append(chunk).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(decoder.bufferedByteCount == 0)
        return decoded
    }

    @Test func everySingleSplitPointYieldsTheSameMessages() throws {
        let bytes = Self.stream
        for split in 0...bytes.count {
            let decoded = try Self.decodeAll([bytes[0..<split], bytes[split...]])
            #expect(decoded == Self.messages, "split at \(split)")
        }
    }

    @Test func byteByByteAndOddChunkSizesYieldTheSameMessages() throws {
        let bytes = Self.stream
        #expect(try Self.decodeAll(bytes.indices.map { bytes[$0...$0] }) == Self.messages)
        for size in [2, 3, 5, 7, 11, 13, 64] {
            let chunks = stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
            #expect(try Self.decodeAll(chunks) == Self.messages, "chunks of \(size)")
        }
        var generator = BrowserSplitGenerator(seed: 0x5EED)
        for _ in 0..<200 {
            var chunks: [ArraySlice<UInt8>] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 1 + generator.next(below: 40))
                chunks.append(bytes[start..<end])
                start = end
            }
            #expect(try Self.decodeAll(chunks) == Self.messages)
        }
    }

    @Test func keepsAnUnfinishedTailAndSkipsEmptyFrames() throws {
        var decoder = CDPFrameDecoder()
        #expect(try decoder.append(Array("\0\0{\"id\":1}\0{\"id\"".utf8)).map { String(decoding: $0, as: UTF8.self) } == [#"{"id":1}"#])
        #expect(decoder.bufferedByteCount == 5)
        #expect(try decoder.append(Array(":2}".utf8)).isEmpty)
        #expect(try decoder.append([0, 0]).map { String(decoding: $0, as: UTF8.self) } == [#"{"id":2}"#])
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func aMessageOverTheLimitBreaksTheStream() throws {
        var decoder = CDPFrameDecoder(maximumMessageBytes: 16)
        #expect(try decoder.append(Array("{\"id\":1}\0".utf8)).count == 1)
        #expect(throws: BrowserError.self) { try decoder.append(Array(repeating: UInt8(ascii: "x"), count: 17)) }

        var whole = CDPFrameDecoder(maximumMessageBytes: 16)
        let error = #expect(throws: BrowserError.self) { try whole.append(Array(repeating: UInt8(ascii: "x"), count: 20) + [0]) }
        #expect(error?.code == .protocolError)
    }

    @Test func parsesRepliesErrorsAndEvents() throws {
        #expect(try CDPMessage(parsing: Array(#"{"id":7,"result":{"frameId":"F"},"sessionId":"S"}"#.utf8))
            == .reply(id: 7, sessionId: "S", outcome: .success(["frameId": "F"])))
        #expect(try CDPMessage(parsing: Array(#"{"id":8}"#.utf8)) == .reply(id: 8, sessionId: nil, outcome: .success([:])))
        #expect(try CDPMessage(parsing: Array(#"{"id":9,"error":{"code":-32601,"message":"'Nope.x' wasn't found"}}"#.utf8))
            == .reply(id: 9, sessionId: nil, outcome: .failure(CDPRemoteError(code: -32601, message: "'Nope.x' wasn't found"))))
        #expect(try CDPMessage(parsing: Array(#"{"method":"Target.targetCreated","params":{"targetInfo":{}}}"#.utf8))
            == .event(CDPEvent(method: "Target.targetCreated", params: ["targetInfo": [:]], sessionId: nil)))
        #expect(try CDPMessage(parsing: Array(#"{"method":"Page.loadEventFired","sessionId":"S2"}"#.utf8))
            == .event(CDPEvent(method: "Page.loadEventFired", params: [:], sessionId: "S2")))
    }

    @Test(arguments: ["not json", "[1,2]", #"{"result":{}}"#, #"{"id":"seven","result":{}}"#, #"{"id":1.5}"#, ""])
    func rejectsMessagesThatAreNotDevToolsMessages(_ text: String) {
        let error = #expect(throws: BrowserError.self) { try CDPMessage(parsing: Array(text.utf8)) }
        #expect(error?.code == .protocolError)
    }

    @Test func commandsAreOneJSONObjectEndedByOneNUL() throws {
        let frame = try CDPCommand(
            id: 12, method: "Page.navigate", params: ["url": "https://example.com/a\u{0}b"], sessionId: "S9"
        ).frame()
        #expect(frame.last == 0)
        #expect(frame.dropLast().contains(0) == false, "a NUL inside a string must be escaped")
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(frame.dropLast()))
        #expect(object == ["id": 12, "method": "Page.navigate", "params": ["url": "https://example.com/a\u{0}b"], "sessionId": "S9"])
        // The id is written as an integer: Chromium rejects `12.0`.
        let text = String(decoding: frame, as: UTF8.self)
        #expect(text.contains(#""id":12"#) && !text.contains("12.0"))

        let browserLevel = try CDPCommand(id: 1, method: "Browser.getVersion", params: [:], sessionId: nil).frame()
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(browserLevel.dropLast()))
        #expect(decoded["sessionId"] == nil)
        #expect(decoded["params"] == [:])
    }

    @Test func aCommandFrameRoundTripsThroughTheDecoder() throws {
        var decoder = CDPFrameDecoder()
        let frames = try (1...3).map { id -> [UInt8] in
            try CDPCommand(id: id, method: "Runtime.evaluate", params: ["expression": .string("1+\(id)")]).frame()
        }
        let decoded = try decoder.append(frames.flatMap { $0 })
        #expect(decoded.count == 3)
        let ids = try decoded.map { bytes -> Int? in
            try JSONDecoder().decode(JSONValue.self, from: Data(bytes))["id"]?.intValue
        }
        #expect(ids == [1, 2, 3])
    }
}
