import AgentryContracts
import Foundation
import Testing

@Suite struct GoldenFixtureTests {
    let codec = EnvelopeCodec()

    @Test(arguments: GoldenEnvelopes.all.map(\.name))
    func fixtureDecodesToTheExpectedEnvelope(name: String) throws {
        let expected = try #require(GoldenEnvelopes.all.first { $0.name == name }?.envelope)
        let decoded = try codec.decode(Fixture.data(name))
        #expect(decoded == expected)
    }

    @Test(arguments: GoldenEnvelopes.all.map(\.name))
    func encodingTheExpectedEnvelopeGivesTheFixture(name: String) throws {
        let envelope = try #require(GoldenEnvelopes.all.first { $0.name == name }?.envelope)
        let encoded = try Fixture.parse(codec.encode(envelope))
        let fixture = try Fixture.parse(Fixture.data(name))
        #expect(encoded == fixture)
    }

    @Test func everyEnvelopeTypeHasAFixtureNamedAfterIt() throws {
        let names = Set(try Fixture.allNames())
        for type in EnvelopeType.allCases {
            #expect(names.contains(type.rawValue), "missing Fixtures/\(type.rawValue).json")
        }
        #expect(names == Set(GoldenEnvelopes.all.map(\.name)), "every fixture has an expected envelope")
    }

    @Test(arguments: EnvelopeType.allCases)
    func fixtureNamedAfterTypeHasThatType(type: EnvelopeType) throws {
        let decoded = try codec.decode(Fixture.data(type.rawValue))
        #expect(decoded.type == type)
        #expect(decoded.version == type.currentVersion)
        #expect(decoded.payload.type == type)
    }
}
