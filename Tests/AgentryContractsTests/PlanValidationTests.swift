import AgentryContracts
import Foundation
import Testing

@Suite struct PlanValidationTests {
    private func step(_ id: String, _ dependsOn: [String] = [], limits: StepLimits = .standard) -> PlanStep {
        PlanStep(id: id, specialist: .data, tool: "sql.query", dependsOn: dependsOn, limits: limits)
    }

    @Test func goldenPlanIsValid() {
        #expect(GoldenEnvelopes.plan.validate() == [])
        #expect(GoldenEnvelopes.plan.isValid)
        #expect(GoldenEnvelopes.plan.topologicalOrder() == ["fetch-incidents", "summarise", "post-summary"])
    }

    @Test func emptyPlanIsInvalid() {
        #expect(Plan(steps: []).validate() == [.empty])
    }

    @Test func duplicateIdsAreReportedOnce() {
        let plan = Plan(steps: [step("a"), step("b"), step("a"), step("a")])
        #expect(plan.validate() == [.duplicateStepId("a")])
    }

    @Test(arguments: ["", "has space", "dot.ted", "{{x}}", "ünï"])
    func malformedIdsAreInvalid(id: String) {
        #expect(Plan(steps: [step(id)]).validate() == [.invalidStepId(id)])
    }

    @Test func unknownDependenciesAreNamed() {
        let plan = Plan(steps: [step("a", ["ghost"]), step("b", ["a", "phantom"])])
        #expect(plan.validate() == [
            .unknownDependency(stepId: "a", dependency: "ghost"),
            .unknownDependency(stepId: "b", dependency: "phantom"),
        ])
        #expect(plan.topologicalOrder() == nil)
    }

    @Test func selfDependencyIsACycle() {
        #expect(Plan(steps: [step("a", ["a"])]).validate() == [.cycle(["a", "a"])])
    }

    @Test func longerCycleIsReportedWithItsPath() {
        let plan = Plan(steps: [step("start"), step("a", ["start", "c"]), step("b", ["a"]), step("c", ["b"])])
        #expect(plan.validate() == [.cycle(["a", "c", "b", "a"])])
        #expect(plan.topologicalOrder() == nil)
    }

    @Test func separateCyclesAreAllReported() {
        let plan = Plan(steps: [step("a", ["b"]), step("b", ["a"]), step("x", ["y"]), step("y", ["x"]), step("z")])
        #expect(plan.validate() == [.cycle(["a", "b", "a"]), .cycle(["x", "y", "x"])])
    }

    @Test func diamondIsNotACycle() {
        let plan = Plan(steps: [step("d", ["b", "c"]), step("b", ["a"]), step("c", ["a"]), step("a")])
        #expect(plan.validate() == [])
        #expect(plan.topologicalOrder() == ["a", "b", "c", "d"])
    }

    @Test(arguments: [
        (StepLimits(timeoutSeconds: 0), "timeoutSeconds must be at least 1"),
        (StepLimits(maxAttempts: 0), "maxAttempts must be at least 1"),
        (StepLimits(maxOutputBytes: -1), "maxOutputBytes must not be negative"),
    ])
    func impossibleLimitsAreInvalid(limits: StepLimits, reason: String) {
        #expect(Plan(steps: [step("a", limits: limits)]).validate() == [.invalidLimits(stepId: "a", reason: reason)])
    }

    @Test func everyProblemIsReportedTogether() {
        let plan = Plan(steps: [step("a", ["a"]), step("a"), step("b c", ["nope"])])
        let errors = plan.validate()
        #expect(errors.contains(.duplicateStepId("a")))
        #expect(errors.contains(.invalidStepId("b c")))
        #expect(errors.contains(.unknownDependency(stepId: "b c", dependency: "nope")))
        #expect(errors.contains(.cycle(["a", "a"])))
        #expect(errors.count == 4)
    }

    @Test func errorsDescribeThemselves() {
        #expect(PlanValidationError.cycle(["a", "b", "a"]).description.contains("a -> b -> a"))
        #expect(PlanValidationError.unknownDependency(stepId: "s", dependency: "t").description.contains("\"t\""))
    }
}

@Suite struct PlanDecodingDefaultsTests {
    @Test func optionalStepFieldsTakeTheirDefaults() throws {
        let json = #"{"steps":[{"id":"a","specialist":"data","tool":"sql.query"},{"id":"b","specialist":"comm","tool":"slack.post","input":null,"limits":{"timeoutSeconds":9}}]}"#
        let plan = try JSONDecoder().decode(Plan.self, from: Data(json.utf8))
        #expect(plan.steps[0] == PlanStep(id: "a", specialist: .data, tool: "sql.query"))
        #expect(plan.steps[1].input == .null)
        #expect(plan.steps[1].limits == StepLimits(timeoutSeconds: 9))
        #expect(plan.steps[1].dependsOn.isEmpty && plan.steps[1].risk == .low)
        // A required field is still required.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Plan.self, from: Data(#"{"steps":[{"id":"a","tool":"x"}]}"#.utf8))
        }
    }
}
