@testable import AgentryHTTP
import Testing

@Suite struct HTTPResponseHeadParserTests {
    private func parse(_ lines: [String]) -> [HTTPResponseHead] {
        var parser = HTTPResponseHeadParser()
        return lines.compactMap { parser.consume(line: Array($0.utf8)) }
    }

    @Test func parsesStatusLineAndHeadersInOrder() throws {
        let heads = parse([
            "HTTP/1.1 404 Not Found\r\n", "Content-Type: text/plain\r\n", "Set-Cookie: a=1\r\n",
            "X-Empty:\r\n", "Set-Cookie:   b=2  \r\n", "\r\n",
        ])
        let head = try #require(heads.first)
        #expect(heads.count == 1)
        #expect(head.version == "HTTP/1.1")
        #expect(head.status == 404)
        #expect(head.reasonPhrase == "Not Found")
        #expect(head.headers["content-type"] == "text/plain")
        #expect(head.headers.values(for: "set-cookie") == ["a=1", "b=2"])
        #expect(head.headers["X-Empty"] == "")
        #expect(Array(head.headers).map(\.name) == ["Content-Type", "Set-Cookie", "X-Empty", "Set-Cookie"])
    }

    @Test func parsesHTTP2StatusWithoutReason() {
        let heads = parse(["HTTP/2 200 \r\n", "content-length: 5\r\n", "\r\n"])
        #expect(heads == [HTTPResponseHead(version: "HTTP/2", status: 200, reasonPhrase: "", headers: ["content-length": "5"])])
    }

    @Test func eachStatusLineStartsANewHead() {
        let heads = parse([
            "HTTP/1.1 100 Continue\r\n", "\r\n",
            "HTTP/1.1 302 Found\r\n", "Location: /next\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "X-Final: yes\r\n", "\r\n",
        ])
        #expect(heads.map(\.status) == [100, 302, 200])
        #expect(heads[1].headers["Location"] == "/next")
        #expect(heads[2].headers["Location"] == nil)
        #expect(heads[2].headers["X-Final"] == "yes")
    }

    @Test func foldsContinuationLinesAndSkipsMalformedOnes() {
        let heads = parse(["HTTP/1.0 200 OK\n", "X-Long: part one\n", "\t part two\n", "garbage line\n", ": no name\n", "\n"])
        #expect(heads.first?.headers["X-Long"] == "part one part two")
        #expect(heads.first?.headers.count == 1)
    }

    @Test func ignoresLinesOutsideAHead() {
        #expect(parse(["X-Trailer: 1\r\n", "\r\n"]).isEmpty)
        #expect(parse(["HTTP/1.1 abc\r\n", "A: b\r\n", "\r\n"]).isEmpty)
    }
}
