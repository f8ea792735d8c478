import AgentryContracts
import Foundation
import Testing

/// One keyword check: an instance the schema accepts, one it rejects, and where the rejection points.
struct SchemaKeywordCase: Sendable, CustomTestStringConvertible {
    var name: String
    var schema: JSONValue
    var passing: JSONValue
    var failing: JSONValue
    /// The JSON Pointer of the first violation of `failing`, relative to the instance.
    var path: String

    var testDescription: String { name }

    init(_ name: String, _ schema: JSONValue, pass passing: JSONValue, fail failing: JSONValue, at path: String = "") {
        self.name = name
        self.schema = schema
        self.passing = passing
        self.failing = failing
        self.path = path
    }

    static let all: [SchemaKeywordCase] = [
        .init("type string", ["type": "string"], pass: "a", fail: 1),
        .init("type list", ["type": ["string", "null"]], pass: nil, fail: 1),
        .init("type integer", ["type": "integer"], pass: 3.0, fail: 3.5),
        .init("type number", ["type": "number"], pass: 3.5, fail: "3.5"),
        .init("type boolean", ["type": "boolean"], pass: false, fail: 0),
        .init("type null", ["type": "null"], pass: nil, fail: false),
        .init("type object", ["type": "object"], pass: [:], fail: []),
        .init("type array", ["type": "array"], pass: [], fail: [:]),
        .init("enum", ["enum": ["code", "data", 1]], pass: "data", fail: "cook"),
        .init("const", ["const": ["a": [1, 2]]], pass: ["a": [1, 2]], fail: ["a": [2, 1]]),
        .init(
            "properties", ["properties": ["a": ["type": "string"]]], pass: ["a": "x", "b": 1], fail: ["a": 1], at: "/a"
        ),
        .init("required", ["required": ["a", "b"]], pass: ["a": nil, "b": 0], fail: ["a": 1]),
        .init(
            "additionalProperties false", ["properties": ["a": true], "additionalProperties": false],
            pass: ["a": 1], fail: ["a": 1, "b": 2], at: "/b"
        ),
        .init(
            "additionalProperties schema", ["properties": ["a": true], "additionalProperties": ["type": "number"]],
            pass: ["a": "s", "x": 1], fail: ["x": "s"], at: "/x"
        ),
        .init(
            "patternProperties", ["patternProperties": ["^n_": ["type": "number"]], "additionalProperties": false],
            pass: ["n_a": 1], fail: ["n_a": "x"], at: "/n_a"
        ),
        .init("minProperties", ["minProperties": 1], pass: ["a": 1], fail: [:]),
        .init("maxProperties", ["maxProperties": 1], pass: ["a": 1], fail: ["a": 1, "b": 2]),
        .init("items", ["items": ["type": "string"]], pass: ["a", "b"], fail: ["a", 2], at: "/1"),
        .init(
            "prefixItems", ["prefixItems": [["type": "string"], ["type": "number"]]],
            pass: ["a", 1, true], fail: ["a", "b"], at: "/1"
        ),
        .init(
            "prefixItems with items", ["prefixItems": [["type": "string"]], "items": ["type": "number"]],
            pass: ["a", 1, 2], fail: ["a", 1, "b"], at: "/2"
        ),
        .init("prefixItems closed", ["prefixItems": [true], "items": false], pass: ["a"], fail: ["a", 1]),
        .init(
            "items as array (draft-07)", ["items": [["type": "string"]], "additionalItems": ["type": "null"]],
            pass: ["a", nil], fail: ["a", 1], at: "/1"
        ),
        .init("minItems", ["minItems": 1], pass: [1], fail: []),
        .init("maxItems", ["maxItems": 1], pass: [1], fail: [1, 2]),
        .init("uniqueItems", ["uniqueItems": true], pass: [1, "1", [1]], fail: [1, ["a": 1], ["a": 1]]),
        .init("minLength", ["minLength": 2], pass: "e\u{301}", fail: "é"),
        .init("maxLength", ["maxLength": 2], pass: "日本", fail: "e\u{301}x"),
        .init("pattern", ["pattern": "^[a-z]+-[0-9]$"], pass: "step-1", fail: "Step-1"),
        .init("pattern is a search", ["pattern": "[0-9]"], pass: "abc1def", fail: "abcdef"),
        .init("minimum", ["minimum": 1], pass: 1, fail: 0.5),
        .init("maximum", ["maximum": 1], pass: 1, fail: 1.5),
        .init("exclusiveMinimum", ["exclusiveMinimum": 1], pass: 1.5, fail: 1),
        .init("exclusiveMaximum", ["exclusiveMaximum": 1], pass: 0.5, fail: 1),
        .init("exclusiveMinimum boolean", ["minimum": 1, "exclusiveMinimum": true], pass: 2, fail: 1),
        .init("exclusiveMaximum boolean", ["maximum": 1, "exclusiveMaximum": true], pass: 0, fail: 1),
        .init("multipleOf", ["multipleOf": 0.1], pass: 0.3, fail: 0.35),
        .init("multipleOf integer", ["multipleOf": 3], pass: -9, fail: 10),
        .init("allOf", ["allOf": [["type": "number"], ["minimum": 0]]], pass: 1, fail: -1),
        .init("anyOf", ["anyOf": [["type": "string"], ["type": "number"]]], pass: 1, fail: true),
        .init("oneOf", ["oneOf": [["type": "string"], ["minLength": 3]]], pass: "ab", fail: "abc"),
        .init("not", ["not": ["type": "string"]], pass: 1, fail: "s"),
        .init(
            "if then else", ["if": ["type": "string"], "then": ["minLength": 2], "else": ["minimum": 0]],
            pass: "ab", fail: -1
        ),
        .init("nullable", ["type": "string", "nullable": true], pass: nil, fail: 1),
        .init("false schema", ["properties": ["a": false]], pass: ["b": 1], fail: ["a": 1], at: "/a"),
        .init("$ref", ["$defs": ["id": ["type": "string"]], "$ref": "#/$defs/id"], pass: "x", fail: 1),
        .init(
            "$ref to definitions", ["definitions": ["id": ["type": "string"]], "items": ["$ref": "#/definitions/id"]],
            pass: ["x"], fail: ["x", 1], at: "/1"
        ),
    ]
}

@Suite struct JSONSchemaValidatorTests {
    // MARK: Keywords

    @Test(arguments: SchemaKeywordCase.all)
    func keywordAcceptsAndRejectsAtTheRoot(_ keyword: SchemaKeywordCase) {
        let validator = JSONSchemaValidator(schema: keyword.schema)
        #expect(validator.violations(of: keyword.passing) == [])
        let found = validator.violations(of: keyword.failing)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.path == keyword.path)
        #expect(found.first?.message.hasPrefix("schema error") == false)
    }

    @Test(arguments: SchemaKeywordCase.all)
    func keywordReportsTheNestedPointer(_ keyword: SchemaKeywordCase) {
        // The keyword nested under an escaped property name and an array index: ~ becomes ~0, / becomes ~1.
        let validator = JSONSchemaValidator(schema: [
            "$defs": keyword.schema["$defs"] ?? [:],
            "definitions": keyword.schema["definitions"] ?? [:],
            "properties": ["a~/b": ["items": keyword.schema]],
        ])
        #expect(validator.violations(of: ["a~/b": [keyword.passing, keyword.passing]]) == [])
        let found = validator.violations(of: ["a~/b": [keyword.passing, keyword.failing]])
        #expect(found.map(\.path) == ["/a~0~1b/1" + keyword.path])
    }

    @Test func messagesSayWhatIsWrong() {
        let validator = JSONSchemaValidator(schema: [
            "type": "object",
            "required": ["id", "tool"],
            "additionalProperties": false,
            "properties": [
                "id": ["type": "string", "pattern": "^[a-z-]+$"],
                "tool": true,
                "specialist": ["enum": ["code", "data"]],
                "count": ["type": "integer", "minimum": 1],
            ],
        ])
        let found = validator.violations(of: ["id": "Bad Id", "specialist": "chef", "count": 0.5, "extra": 1])
        #expect(found.map(\.description) == [
            #"(root): missing required property "tool""#,
            "/count: expected integer, got number",
            "/count: must be at least 1",
            #"/id: must match the pattern "^[a-z-]+$""#,
            #"/specialist: must be one of "code", "data""#,
            #"/extra: property "extra" is not allowed (allowed: "count", "id", "specialist", "tool")"#,
        ])
    }

    @Test func formatAndUnknownKeywordsAreIgnored() {
        let validator = JSONSchemaValidator(schema: [
            "type": "string", "format": "email", "x-vendor": ["anything": true], "title": "address",
        ])
        #expect(validator.violations(of: "not an email") == [])
        #expect(validator.violations(of: 1).count == 1)
    }

    @Test func lengthsCountUnicodeScalars() {
        let validator = JSONSchemaValidator(schema: ["minLength": 3, "maxLength": 3])
        #expect(validator.conforms("a👍b"))  // one scalar for the emoji
        #expect(validator.conforms("ae\u{301}"))  // decomposed é is two scalars
        #expect(!validator.conforms("aé"))  // composed é is one scalar
        #expect(validator.violations(of: "ab").first?.message == "must be at least 3 characters long, is 2")
    }

    @Test func integersAndNumbersCompareByValue() {
        #expect(JSONSchemaValidator(schema: ["enum": [1, 2]]).conforms(.number(2.0)))
        #expect(JSONSchemaValidator(schema: ["type": "integer"]).conforms(-0.0))
        #expect(!JSONSchemaValidator(schema: ["type": "integer"]).conforms(1e-300))
        #expect(JSONSchemaValidator(schema: ["multipleOf": 0.01]).conforms(19.99))
        #expect(!JSONSchemaValidator(schema: ["multipleOf": 1]).conforms(.number(1e15 + 0.5)))
    }

    @Test func nullableAcceptsNullOnlyWhenTrue() {
        #expect(JSONSchemaValidator(schema: ["type": "string", "nullable": true]).conforms(nil))
        #expect(!JSONSchemaValidator(schema: ["type": "string", "nullable": false]).conforms(nil))
        #expect(!JSONSchemaValidator(schema: ["type": "string"]).conforms(nil))
    }

    @Test func booleanSchemas() {
        for instance: JSONValue in [nil, true, 0, "", [], [:]] {
            #expect(JSONSchemaValidator(schema: true).violations(of: instance) == [])
            #expect(JSONSchemaValidator(schema: false).violations(of: instance) == [
                JSONSchemaViolation(path: "", message: "no value is allowed here"),
            ])
        }
    }

    // MARK: A realistic plan schema

    /// The planner's structured-output schema, written the way a caller would send it.
    static let planSchema: JSONValue = [
        "type": "object",
        "required": ["steps"],
        "additionalProperties": false,
        "properties": [
            "steps": ["type": "array", "minItems": 1, "items": ["$ref": "#/$defs/step"]],
        ],
        "$defs": [
            "step": [
                "type": "object",
                "required": ["id", "specialist", "tool"],
                "properties": [
                    "id": ["type": "string", "pattern": "^[a-z0-9-]+$"],
                    "specialist": ["type": "string", "enum": ["code", "data", "comm", "browser"]],
                    "tool": ["type": "string", "minLength": 1],
                    "input": ["type": "object"],
                    "dependsOn": ["type": "array", "items": ["type": "string"], "uniqueItems": true],
                    "risk": ["enum": ["low", "medium", "high"]],
                    "limits": [
                        "type": "object",
                        "properties": [
                            "timeoutSeconds": ["type": "integer", "minimum": 1, "maximum": 3600],
                            "maxAttempts": ["type": "integer", "minimum": 1],
                        ],
                    ],
                    "description": ["type": "string", "nullable": true],
                ],
            ],
        ],
    ]

    @Test func goodPlanConforms() throws {
        let plan: JSONValue = [
            "steps": [
                [
                    "id": "fetch-incidents", "specialist": "data", "tool": "sql.query",
                    "input": ["sql": "select * from incidents"], "risk": "low",
                    "limits": ["timeoutSeconds": 60, "maxAttempts": 2],
                ],
                [
                    "id": "post-summary", "specialist": "comm", "tool": "slack.post",
                    "input": ["channel": "#ops", "text": "{{steps.fetch-incidents.output.text}}"],
                    "dependsOn": ["fetch-incidents"], "description": nil,
                ],
            ],
        ]
        let validator = JSONSchemaValidator(schema: Self.planSchema)
        #expect(validator.violations(of: plan) == [])
        try validator.validate(plan)
    }

    @Test func badPlanListsEveryProblemInOrder() {
        let plan: JSONValue = [
            "steps": [
                ["id": "fetch", "specialist": "data", "input": [:]],
                ["id": "cook", "specialist": "chef", "tool": "oven.bake"],
                ["id": 3, "specialist": "code", "tool": "shell.run", "limits": ["timeoutSeconds": 1.5]],
                ["id": "Bad Id", "specialist": "code", "tool": "", "dependsOn": ["a", "a"]],
            ],
            "summary": "four steps",
        ]
        let expected = [
            JSONSchemaViolation(path: "/steps/0", message: #"missing required property "tool""#),
            JSONSchemaViolation(
                path: "/steps/1/specialist", message: #"must be one of "code", "data", "comm", "browser""#
            ),
            JSONSchemaViolation(path: "/steps/2/id", message: "expected string, got number"),
            JSONSchemaViolation(path: "/steps/2/limits/timeoutSeconds", message: "expected integer, got number"),
            JSONSchemaViolation(
                path: "/steps/3/dependsOn", message: "items must be unique, but items 0 and 1 are equal"
            ),
            JSONSchemaViolation(path: "/steps/3/id", message: #"must match the pattern "^[a-z0-9-]+$""#),
            JSONSchemaViolation(path: "/steps/3/tool", message: "must be at least 1 character long, is 0"),
            JSONSchemaViolation(path: "/summary", message: #"property "summary" is not allowed (allowed: "steps")"#),
        ]
        let validator = JSONSchemaValidator(schema: Self.planSchema)
        #expect(validator.violations(of: plan) == expected)
        #expect(validator.violations(of: plan, limit: 3) == Array(expected.prefix(3)))
        #expect(throws: JSONSchemaViolations(expected)) { try validator.validate(plan) }
        #expect(validator.violations(of: ["steps": []]) == [
            JSONSchemaViolation(path: "/steps", message: "must have at least 1 item, has 0"),
        ])
    }

    @Test func violationsErrorDescribesOneViolationPerLine() {
        let error = JSONSchemaViolations([
            JSONSchemaViolation(path: "", message: "expected object, got array"),
            JSONSchemaViolation(path: "/a/0", message: "must be at most 3"),
        ])
        #expect(error.description == "(root): expected object, got array\n/a/0: must be at most 3")
    }

    @Test func limitCapsTheViolationsAndIsAtLeastOne() {
        let validator = JSONSchemaValidator(schema: ["items": ["type": "string"]])
        let instance = JSONValue.array((0..<50).map { .number(Double($0)) })
        #expect(validator.violations(of: instance).count == 20)
        #expect(validator.violations(of: instance, limit: 5).map(\.path) == ["/0", "/1", "/2", "/3", "/4"])
        #expect(validator.violations(of: instance, limit: 0).map(\.path) == ["/0"])
        #expect(validator.violations(of: instance, limit: 100).count == 50)
    }

    // MARK: $ref

    @Test func recursiveReferencesValidateATree() {
        let validator = JSONSchemaValidator(schema: [
            "$defs": [
                "node": [
                    "type": "object",
                    "required": ["value"],
                    "properties": [
                        "value": ["type": "integer"],
                        "children": ["type": "array", "items": ["$ref": "#/$defs/node"]],
                    ],
                ],
            ],
            "$ref": "#/$defs/node",
        ])
        let good: JSONValue = ["value": 1, "children": [["value": 2], ["value": 3, "children": [["value": 4]]]]]
        #expect(validator.violations(of: good) == [])
        let bad: JSONValue = ["value": 1, "children": [["value": 2], ["value": 3, "children": [["value": "4"]]]]]
        #expect(validator.violations(of: bad) == [
            JSONSchemaViolation(path: "/children/1/children/0/value", message: "expected integer, got string"),
        ])
    }

    @Test func referencesToTheRootAndEscapedNames() {
        let validator = JSONSchemaValidator(schema: [
            "type": ["array", "string"],
            "items": ["$ref": "#"],
            "$defs": ["a/b~c": ["maxLength": 1], "with space": ["minLength": 1]],
            "allOf": [["$ref": "#/$defs/a~1b~0c"], ["$ref": "#/$defs/with%20space"]],
        ])
        #expect(validator.violations(of: ["a", ["b", ["c"]]]) == [])
        #expect(validator.violations(of: ["a", ["bb"]]).map(\.path) == ["/1/0"])
        #expect(validator.violations(of: ["a", [""]]).map(\.path) == ["/1/0"])
        #expect(validator.violations(of: ["a", [1]]).map(\.path) == ["/1/0"])
    }

    @Test(arguments: ["#/$defs/missing", "#/definitions/x", "other.json#/a", "#x", "#/$defs/list/7", "#/$defs/list/-1"])
    func unresolvableReferencesAreSchemaErrors(reference: String) {
        let validator = JSONSchemaValidator(schema: [
            "$defs": ["list": [true]], "properties": ["a": ["$ref": .string(reference)]],
        ])
        let found = validator.violations(of: ["a": 1])
        #expect(found.map(\.path) == ["/a"])
        #expect(found.first?.message.hasPrefix("schema error: cannot resolve $ref") == true)
    }

    @Test func referenceCyclesStopAtTheDepthLimit() {
        let cycles: [JSONValue] = [
            ["$ref": "#"],
            ["$defs": ["a": ["$ref": "#/$defs/b"], "b": ["$ref": "#/$defs/a"]], "$ref": "#/$defs/a"],
            ["$defs": ["a": ["allOf": [["$ref": "#/$defs/a"]]]], "not": ["$ref": "#/$defs/a"]],
            ["anyOf": [["$ref": "#"], true]],
        ]
        for schema in cycles {
            let found = JSONSchemaValidator(schema: schema).violations(of: 1)
            #expect(found.count == 1)
            #expect(found.first?.message.contains("nests deeper than 64 levels") == true, "\(found)")
        }
    }

    @Test func deepInstancesStopAtTheDepthLimit() {
        var instance: JSONValue = 1
        for _ in 0..<2_000 {
            instance = [instance]
        }
        let validator = JSONSchemaValidator(schema: ["items": ["$ref": "#"]])
        let found = validator.violations(of: instance)
        #expect(found.count == 1)
        #expect(found.first?.path.hasPrefix("/0/0/0/0") == true)
        var shallower: JSONValue = 1
        for _ in 0..<200 {
            shallower = [shallower]
        }
        #expect(!validator.conforms(shallower))
        #expect(JSONSchemaValidator(schema: ["items": ["$ref": "#"]], maximumDepth: 500).conforms(shallower))
    }

    @Test func exponentialSchemasStopAtTheBudget() {
        // Each definition applies the next one twice: 2^30 applications without a budget, 60 levels deep.
        var definitions: [String: JSONValue] = ["d30": ["type": "number"]]
        for level in 0..<30 {
            let next: JSONValue = ["$ref": .string("#/$defs/d\(level + 1)")]
            definitions["d\(level)"] = ["allOf": [next, next]]
        }
        let schema: JSONValue = ["$defs": .object(definitions), "$ref": "#/$defs/d0"]
        let small = JSONSchemaValidator(schema: schema, evaluationBudget: 10_000).violations(of: 1)
        #expect(small.count == 1)
        #expect(small.first?.message.contains("too many steps") == true, "\(small)")
        let negated = JSONSchemaValidator(
            schema: ["$defs": .object(definitions), "not": schema], evaluationBudget: 10_000
        )
        #expect(!negated.conforms(1))
        #expect(negated.violations(of: 1).first?.message.contains("too many steps") == true)
        let start = ContinuousClock.now
        let full = JSONSchemaValidator(schema: schema).violations(of: 1)
        #expect(full.first?.message.contains("too many steps") == true, "\(full)")
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    // MARK: Composition

    @Test func oneOfNeedsExactlyOneMatch() {
        let validator = JSONSchemaValidator(schema: [
            "oneOf": [["type": "integer"], ["type": "number", "minimum": 10]],
        ])
        #expect(validator.conforms(5))
        #expect(validator.conforms(10.5))
        #expect(validator.violations(of: 12) == [
            JSONSchemaViolation(path: "", message: "must match exactly one schema in oneOf, matches 2: [0], [1]"),
        ])
        #expect(validator.violations(of: 2.5) == [
            JSONSchemaViolation(
                path: "",
                message: "must match exactly one schema in oneOf, matches none: "
                    + "[0] expected integer, got number; [1] must be at least 10"
            ),
        ])
    }

    @Test func anyOfSummarisesEachAlternative() {
        let validator = JSONSchemaValidator(schema: [
            "properties": [
                "target": ["anyOf": [["type": "string"], ["type": "object", "required": ["url"]]]],
            ],
        ])
        #expect(validator.conforms(["target": "x"]))
        #expect(validator.conforms(["target": ["url": "x"]]))
        #expect(validator.violations(of: ["target": ["uri": "x"]]) == [
            JSONSchemaViolation(
                path: "/target",
                message: #"must match at least one schema in anyOf: [0] expected string, got object; "#
                    + #"[1] missing required property "url""#
            ),
        ])
    }

    @Test func allOfReportsNestedPaths() {
        let validator = JSONSchemaValidator(schema: [
            "allOf": [
                ["properties": ["a": ["type": "string"]]],
                ["properties": ["b": ["type": "string"]]],
            ],
        ])
        #expect(validator.violations(of: ["a": 1, "b": 2]).map(\.path) == ["/a", "/b"])
    }

    // MARK: Schema errors

    @Test func malformedSchemasAreViolationsNotCrashes() {
        let cases: [(schema: JSONValue, instance: JSONValue, path: String)] = [
            (["pattern": "(unclosed"], "text", ""),
            (["pattern": 5], "text", ""),
            (["patternProperties": ["[a-": true]], ["a": 1], ""),
            (["multipleOf": 0], 4, ""),
            (["multipleOf": "2"], 4, ""),
            (["minItems": -1], [], ""),
            (["maxLength": 1.5], "a", ""),
            (["type": 7], 1, ""),
            (["type": []], 1, ""),
            (["enum": "a"], "a", ""),
            (["required": [1]], [:], ""),
            (["properties": ["a": 3]], ["a": 1], "/a"),
            (["anyOf": []], 1, ""),
            (["allOf": ["a": true]], 1, ""),
            (["items": [[1]]], [1], "/0"),
            (["prefixItems": true], [1], ""),
            (["$ref": 5], 1, ""),
            (["exclusiveMinimum": "0"], 1, ""),
            ([1, 2], 1, ""),
        ]
        for (schema, instance, path) in cases {
            let found = JSONSchemaValidator(schema: schema).violations(of: instance)
            #expect(found.count == 1, "\(schema): \(found)")
            #expect(found.first?.path == path, "\(schema)")
            #expect(found.first?.message.hasPrefix("schema error: ") == true, "\(schema): \(found)")
        }
    }

    // MARK: parseJSON

    /// Model replies and the JSON value `parseJSON` must find in each.
    static let wrappedReplies: [(text: String, value: JSONValue)] = [
        (#"{"steps": []}"#, ["steps": []]),
        ("  \n[1, 2]\n", [1, 2]),
        ("42", 42),
        ("\"text\"", "text"),
        ("```json\n{\"steps\": [1]}\n```", ["steps": [1]]),
        ("```\n{\"a\": true}\n```\n", ["a": true]),
        ("Here is the plan:\n\n```JSON\n{\"a\": \"```\"}\n```\nLet me know.", ["a": "```"]),
        ("Sure!\n  ```json\n[{\"a\": 1}]\n  ```", [["a": 1]]),
        ("```json\n{\"a\": 1}", ["a": 1]),
        ("```\nnot json\n```\n```json\n{\"b\": 2}\n```", ["b": 2]),
        (#"Here is the plan: {"steps": [{"id": "a"}]} Hope this helps!"#, ["steps": [["id": "a"]]]),
        (#"Result: {"text": "a } b { c \" }"} done"#, ["text": #"a } b { c " }"#]),
        (#"Fill in {placeholders} like {this}, then: {"ok": true}."#, ["ok": true]),
        (#"An open { brace, then {"ok": 1}"#, ["ok": 1]),
        (#"```json {"inline": 1}```"#, ["inline": 1]),
        (#"{"outer": {"inner": 1}} and {"second": 2}"#, ["outer": ["inner": 1]]),
    ]

    @Test(arguments: wrappedReplies)
    func parseJSONFindsTheValue(text: String, expected: JSONValue) {
        #expect(JSONSchemaValidator.parseJSON(text) == expected)
    }

    @Test(arguments: [
        "", "   ", "no json here", "{not json}", "```json\n{\"a\": }\n```", "{\"a\": 1", "[1, 2", "Answer: [1, 2]",
        "{'a': 1}",
    ])
    func parseJSONRejectsTextWithoutJSON(text: String) {
        #expect(JSONSchemaValidator.parseJSON(text) == nil)
    }

    @Test func parseJSONStaysFastOnHostileText() {
        let start = ContinuousClock.now
        #expect(JSONSchemaValidator.parseJSON(String(repeating: "{", count: 200_000)) == nil)
        #expect(JSONSchemaValidator.parseJSON(String(repeating: "{a}", count: 100_000)) == nil)
        #expect(JSONSchemaValidator.parseJSON(String(repeating: "```\n", count: 50_000)) == nil)
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    // MARK: Fuzzing

    @Test(arguments: [UInt64(1), 2, 3])
    func randomInstancesAndSchemasTerminateDeterministically(seed: UInt64) {
        var fuzzer = SchemaFuzzer(seed: seed)
        let fixed: [JSONValue] = [Self.planSchema, ["type": "object"], ["items": ["type": ["string", "number"]]]]
        var conforming = 0, violating = 0, schemaErrors = 0, stopped = 0
        for round in 0..<1_200 {
            let instance = round % 3 == 0 ? fuzzer.plan() : fuzzer.value(depth: 4)
            let schema = round % 2 == 0 ? fixed[round % fixed.count] : fuzzer.schema(depth: 4)
            let validator = JSONSchemaValidator(schema: schema, evaluationBudget: 5_000)
            let first = validator.violations(of: instance)
            if first.isEmpty { conforming += 1 } else { violating += 1 }
            if first.contains(where: { $0.message.hasPrefix("schema error: ") }) { schemaErrors += 1 }
            if first.contains(where: { $0.message.contains("nests deeper") || $0.message.contains("too many steps") }) {
                stopped += 1
            }
            #expect(JSONSchemaValidator(schema: schema, evaluationBudget: 5_000).violations(of: instance) == first)
            #expect(first.count <= 20)
            let few = validator.violations(of: instance, limit: 2)
            #expect(few == Array(first.prefix(2)), "limit 2 gives a prefix of the full list")
            if round % 2 == 0 {
                // The fixed schemas cannot run out of depth or budget, so `not` inverts them exactly.
                // Definitions stay at the root so that the schema's `$ref`s still resolve.
                let definitions = schema["$defs"] ?? [:]
                let negated = JSONSchemaValidator(schema: ["$defs": definitions, "not": schema])
                #expect(negated.conforms(instance) == !first.isEmpty)
                let alternative = JSONSchemaValidator(schema: ["$defs": definitions, "anyOf": [false, schema]])
                #expect(alternative.conforms(instance) == first.isEmpty)
            }
        }
        // The generators reach every outcome, so the checks above ran on all of them.
        let outcomes = [conforming, violating, schemaErrors, stopped]
        #expect(conforming > 100 && violating > 100 && schemaErrors > 10 && stopped > 10, "\(outcomes)")
    }

    @Test func parseJSONRecoversRandomValuesFromWrappedText() throws {
        var fuzzer = SchemaFuzzer(seed: 7)
        let encoder = JSONEncoder()
        for round in 0..<1_500 {
            let value = round % 2 == 0 ? fuzzer.plan() : fuzzer.value(depth: 4)
            let text = try #require(String(data: try encoder.encode(value), encoding: .utf8))
            #expect(JSONSchemaValidator.parseJSON(text) == value)
            #expect(JSONSchemaValidator.parseJSON("```json\n\(text)\n```") == value)
            #expect(JSONSchemaValidator.parseJSON("Here you go:\n\n```\n\(text)\n```\nAnything else?") == value)
            if case .object = value {
                #expect(JSONSchemaValidator.parseJSON("Sure! Here is the result: \(text) Let me know.") == value)
            }
        }
    }

    @Test func randomTextNeverCrashesTheParser() {
        var fuzzer = SchemaFuzzer(seed: 99)
        for _ in 0..<2_000 {
            let text = fuzzer.replyText()
            #expect(JSONSchemaValidator.parseJSON(text) == JSONSchemaValidator.parseJSON(text))
        }
    }
}

/// Random instances, schemas and model replies from a seeded generator, for the fuzz tests.
private struct SchemaFuzzer {
    var random: SeededGenerator

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    mutating func pick<T>(_ values: [T]) -> T {
        values[int(0...(values.count - 1))]
    }

    mutating func word() -> String {
        pick(["id", "tool", "specialist", "a", "b", "", "n_1", "steps", "é", "a/b", "~", "日本"])
    }

    mutating func number() -> Double {
        pick([0, -0.0, 1, -1, 2.5, 3, 10, 0.1, 0.3, 1e15, -1e300, 1e-300, 3600, 7])
    }

    /// Any JSON value, nested at most `depth` levels.
    mutating func value(depth: Int) -> JSONValue {
        switch int(0...(depth > 0 ? 7 : 4)) {
        case 0: .null
        case 1: .bool(int(0...1) == 1)
        case 2: .number(number())
        case 3, 4: .string(pick(["", "a", "code", "chef", "step-1", "Bad Id", "e\u{301}", "👍👍", "{x}"]))
        case 5: .array((0..<int(0...4)).map { _ in value(depth: depth - 1) })
        default:
            .object(Dictionary(
                (0..<int(0...4)).map { _ in (word(), value(depth: depth - 1)) }, uniquingKeysWith: { first, _ in first }
            ))
        }
    }

    /// Something shaped like a plan, with random defects.
    mutating func plan() -> JSONValue {
        let steps: [JSONValue] = (0..<int(0...4)).map { _ in
            var step: [String: JSONValue] = [:]
            if int(0...5) > 0 { step["id"] = int(0...4) > 0 ? .string(pick(["a", "b-2", "Bad"])) : value(depth: 1) }
            if int(0...5) > 0 { step["specialist"] = .string(pick(["code", "data", "comm", "browser", "chef"])) }
            if int(0...5) > 0 { step["tool"] = int(0...4) > 0 ? .string(pick(["sql.query", ""])) : value(depth: 1) }
            if int(0...1) == 0 { step["input"] = value(depth: 2) }
            if int(0...2) == 0 { step["dependsOn"] = .array((0..<int(0...3)).map { _ in .string(pick(["a", "b-2"])) }) }
            if int(0...2) == 0 {
                step["limits"] = ["timeoutSeconds": .number(number()), "maxAttempts": value(depth: 0)]
            }
            return .object(step)
        }
        var plan: [String: JSONValue] = ["steps": .array(steps)]
        if int(0...4) == 0 { plan[word()] = value(depth: 1) }
        return .object(plan)
    }

    /// A random schema built from the supported keywords, some of them malformed, with `$ref`s that
    /// may point at missing definitions or form cycles.
    mutating func schema(depth: Int) -> JSONValue {
        var schema = subschema(depth: depth)
        if case .object(var keywords) = schema, int(0...2) == 0 {
            keywords["$defs"] = ["a": subschema(depth: depth - 1), "b": ["$ref": "#/$defs/a"]]
            schema = .object(keywords)
        }
        return schema
    }

    private mutating func subschema(depth: Int) -> JSONValue {
        if depth <= 0 || int(0...9) == 0 {
            let leaves: [JSONValue] = [
                true, false, ["type": "string"], ["type": ["integer", "null"]], ["$ref": "#"], [:],
            ]
            return pick(leaves)
        }
        var keywords: [String: JSONValue] = [:]
        for _ in 0..<int(1...4) {
            switch int(0...27) {
            case 0:
                let names = ["string", "number", "integer", "object", "array", "null", "boolean", "nope"]
                keywords["type"] = .string(pick(names))
            case 1: keywords["enum"] = .array((0..<int(0...3)).map { _ in value(depth: 1) })
            case 2: keywords["const"] = value(depth: 1)
            case 3:
                let properties = (0..<int(1...3)).map { _ in (word(), subschema(depth: depth - 1)) }
                keywords["properties"] = .object(Dictionary(properties, uniquingKeysWith: { first, _ in first }))
            case 4: keywords["required"] = .array((0..<int(0...2)).map { _ in .string(word()) })
            case 5:
                let closed = int(0...1) == 0
                keywords["additionalProperties"] = int(0...1) == 0 ? .bool(closed) : subschema(depth: depth - 1)
            case 6:
                keywords["patternProperties"] = .object([pick(["^a", "[", "\\d", ".*"]): subschema(depth: depth - 1)])
            case 7: keywords["items"] = subschema(depth: depth - 1)
            case 8: keywords["prefixItems"] = .array((0..<int(0...2)).map { _ in subschema(depth: depth - 1) })
            case 9: keywords["minItems"] = .number(Double(int(-1...3)))
            case 10: keywords["maxItems"] = .number(Double(int(0...3)))
            case 11: keywords["uniqueItems"] = .bool(int(0...1) == 0)
            case 12: keywords["minLength"] = .number(number())
            case 13: keywords["maxLength"] = .number(Double(int(0...3)))
            case 14: keywords["pattern"] = .string(pick(["^[a-z]+$", "(", "\\p{L}", "a|b", "[0-9]{2,}", "(?i)CODE"]))
            case 15: keywords["minimum"] = .number(number())
            case 16: keywords["maximum"] = .number(number())
            case 17:
                let bound: JSONValue = int(0...1) == 0 ? .number(number()) : .bool(true)
                keywords[pick(["exclusiveMinimum", "exclusiveMaximum"])] = bound
            case 18: keywords["multipleOf"] = .number(pick([0, -1, 0.1, 2, 1e-300, 3]))
            case 19: keywords["allOf"] = .array((0..<int(0...2)).map { _ in subschema(depth: depth - 1) })
            case 20: keywords["anyOf"] = .array((0..<int(0...2)).map { _ in subschema(depth: depth - 1) })
            case 21: keywords["oneOf"] = .array((0..<int(0...3)).map { _ in subschema(depth: depth - 1) })
            case 22: keywords["not"] = subschema(depth: depth - 1)
            case 23: keywords["nullable"] = .bool(int(0...1) == 0)
            case 24:
                keywords["$ref"] = .string(pick(["#", "#/$defs/a", "#/$defs/b", "#/definitions/none", "#/properties"]))
            case 25: keywords["if"] = subschema(depth: depth - 1); keywords["then"] = subschema(depth: depth - 1)
            case 26: keywords[pick(["minProperties", "maxProperties"])] = .number(Double(int(0...2)))
            default: keywords["format"] = "date-time"
            }
        }
        return .object(keywords)
    }

    /// A model reply: JSON, fenced or not, among prose and stray delimiters.
    mutating func replyText() -> String {
        let pieces = ["Here is the plan:", "{", "}", "```", "```json\n", "\n", "\"", "\\", "{\"a\": 1}", "[1,", "]",
                      "{\"steps\": [{\"id\": \"a\"}]}", "é", " ", "null", "{{steps.a.output}}"]
        return (0..<int(0...12)).map { _ in pick(pieces) }.joined()
    }
}
