import AgentryContracts
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func decodesEveryKindOfValue() throws {
        let text = #"{"n":null,"t":true,"f":false,"i":42,"d":-1.25e3,"s":"é \"q\" \n","a":[1,"x",[]],"o":{"k":{}}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value == [
            "n": nil, "t": true, "f": false, "i": 42, "d": -1250.0, "s": "é \"q\" \n",
            "a": [1, "x", []], "o": ["k": [:]],
        ])
    }

    @Test func booleansAndNumbersStayDistinct() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[true, 1, 0, false]".utf8))
        #expect(value == [.bool(true), .number(1), .number(0), .bool(false)])
    }

    @Test func subscriptsAndAccessors() {
        let value: JSONValue = ["rows": [["id": 7, "name": "a"]], "count": 1.5, "ok": true]
        #expect(value["rows"]?[0]?["id"]?.intValue == 7)
        #expect(value["rows"]?[1] == nil)
        #expect(value["rows"]?[-1] == nil)
        #expect(value["missing"] == nil)
        #expect(value["count"]?.intValue == nil)
        #expect(value["count"]?.doubleValue == 1.5)
        #expect(value["ok"]?.boolValue == true)
        #expect(value["rows"]?[0]?["name"]?.stringValue == "a")
        #expect(value[0] == nil)
        #expect(JSONValue.null.isNull)
        #expect(value.objectValue?.count == 3)
    }

    @Test func convertsToAndFromCodableTypes() throws {
        struct Query: Codable, Equatable {
            var sql: String
            var limit: Int
            var tags: [String]
        }
        let query = Query(sql: "select 1", limit: 10, tags: ["a"])
        let value = try JSONValue(encoding: query)
        #expect(value == ["sql": "select 1", "limit": 10, "tags": ["a"]])
        #expect(try value.decode(as: Query.self) == query)
        #expect(throws: DecodingError.self) { try JSONValue("nope").decode(as: Query.self) }
    }

    @Test func duplicateLiteralKeysKeepTheLastValue() {
        let value: JSONValue = ["a": 1, "a": 2]
        #expect(value == ["a": 2])
    }
}
