import AgentryContracts
import Foundation
import Testing

@Suite struct RoundTripTests {
    let codec = EnvelopeCodec()

    @Test(arguments: EnvelopeType.allCases)
    func generatedEnvelopesSurviveARoundTrip(type: EnvelopeType) throws {
        var generator = EnvelopeGenerator(seed: UInt64(EnvelopeType.allCases.firstIndex(of: type)!) + 1)
        for _ in 0..<200 {
            let envelope = generator.envelope(of: type)
            let data = try codec.encode(envelope)
            let decoded = try codec.decode(data)
            #expect(decoded == envelope)
            #expect(try codec.encode(decoded) == data, "encoding is stable")
            if decoded != envelope { return }
        }
    }

    @Test func generatedPlansWithoutCyclesValidate() {
        var generator = EnvelopeGenerator(seed: 42)
        for _ in 0..<300 {
            let plan = generator.plan()
            #expect(plan.validate() == [])
            #expect(plan.topologicalOrder()?.count == plan.steps.count)
        }
    }

    @Test func jsonValuesSurviveARoundTrip() throws {
        var generator = EnvelopeGenerator(seed: 99)
        for _ in 0..<500 {
            let value = generator.json(depth: 5)
            let decoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
            #expect(decoded == value)
        }
    }
}
