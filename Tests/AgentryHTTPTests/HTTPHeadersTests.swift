import AgentryHTTP
import Testing

@Suite struct HTTPHeadersTests {
    @Test func lookupsIgnoreCaseAndKeepOrder() {
        var headers: HTTPHeaders = ["Accept": "a", "X-One": "1"]
        headers.add(name: "accept", value: "b")
        #expect(headers["ACCEPT"] == "a")
        #expect(headers.values(for: "Accept") == ["a", "b"])
        #expect(headers.contains(name: "x-one"))
        #expect(Array(headers).map(\.name) == ["Accept", "X-One", "accept"])
    }

    @Test func replaceOrAddKeepsThePositionOfTheFirstField() {
        var headers: HTTPHeaders = ["A": "1", "B": "2"]
        headers.add(name: "a", value: "3")
        headers.replaceOrAdd(name: "A", value: "9")
        #expect(Array(headers).map { "\($0.name)=\($0.value)" } == ["A=9", "B=2"])
        headers["C"] = "4"
        headers["b"] = nil
        #expect(Array(headers).map { "\($0.name)=\($0.value)" } == ["A=9", "C=4"])
    }
}
