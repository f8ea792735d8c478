import Testing
@testable import AgentryStore

@Suite struct PostgresArrayLiteralTests {
    @Test(arguments: [
        ("{}", [String?]()),
        ("{a,b,c}", ["a", "b", "c"]),
        (#"{a,b,"c d",NULL}"#, ["a", "b", "c d", nil]),
        (#"{"NULL",NuLl}"#, ["NULL", nil]),
        (#"{"a,b","{x}","say \"hi\"","back\\slash"}"#, ["a,b", "{x}", #"say "hi""#, #"back\slash"#]),
        (#"{""}"#, [""]),
        ("{ a , b }", ["a", "b"]),
        (#"{a\,b,c\ d}"#, ["a,b", "c d"]),
        (#"{\NULL}"#, ["NULL"]),
        ("[0:1]={x,y}", ["x", "y"]),
        ("{héllo,\"✓ ok\"}", ["héllo", "✓ ok"]),
    ] as [(String, [String?])])
    func parses(literal: String, expected: [String?]) throws {
        #expect(try PostgresArrayLiteral.parse(literal) == expected)
    }

    @Test(arguments: [
        "", "a,b", "{a,b", "{a,,b}", #"{"a}"#, "{{1,2},{3,4}}", "{a} x", #"{a"b}"#, #"{a\"#,
    ])
    func rejectsMalformed(literal: String) {
        #expect(throws: PostgresCodingFailure.self) { try PostgresArrayLiteral.parse(literal) }
    }

    @Test func formatQuotesOnlyWhatNeedsIt() {
        #expect(PostgresArrayLiteral.format([]) == "{}")
        #expect(PostgresArrayLiteral.format(["a", "b"]) == "{a,b}")
        #expect(PostgresArrayLiteral.format(["", "null", "a b", "a,b", "{", "\"", "\\", nil])
                == #"{"","null","a b","a,b","{","\"","\\",NULL}"#)
        #expect(PostgresArrayLiteral.format(["tab\there", "new\nline"]) == "{\"tab\there\",\"new\nline\"}")
    }

    @Test func formatThenParseRoundTrips() throws {
        let values: [String?] = ["", "NULL", nil, " lead", "trail ", "{}", #"\"\"#, "ü,ß", "plain"]
        #expect(try PostgresArrayLiteral.parse(PostgresArrayLiteral.format(values)) == values)
    }
}
