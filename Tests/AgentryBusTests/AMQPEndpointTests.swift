import AgentryBus
import Testing

@Suite struct AMQPEndpointTests {
    @Test func parsesAFullURL() throws {
        let endpoint = try AMQPEndpoint(url: "amqp://agentry:s%40cret@broker.local:5673/%2F?heartbeat=15&connection_timeout=3")
        #expect(endpoint.host == "broker.local")
        #expect(endpoint.port == 5673)
        #expect(endpoint.user == "agentry")
        #expect(endpoint.password == "s@cret")
        #expect(endpoint.virtualHost == "/")
        #expect(endpoint.heartbeatSeconds == 15)
        #expect(endpoint.connectTimeoutSeconds == 3)
    }

    @Test(arguments: [
        ("amqp://h", "/"), ("amqp://h/", "/"), ("amqp://h/%2F", "/"), ("amqp://h/prod", "prod"),
        ("amqp://h/team%2Fa", "team/a"),
    ])
    func virtualHostFromThePath(url: String, vhost: String) throws {
        #expect(try AMQPEndpoint(url: url).virtualHost == vhost)
    }

    @Test func defaultsWhenOmitted() throws {
        let endpoint = try AMQPEndpoint(url: "amqp://localhost")
        #expect(endpoint.port == 5672)
        #expect(endpoint.user == "guest")
        #expect(endpoint.heartbeatSeconds == 30)
    }

    @Test(arguments: ["http://h", "amqp://", "not a url", "amqp://h?heartbeat=x", "amqp://h?connection_timeout=0"])
    func rejectsBadURLs(url: String) {
        #expect { try AMQPEndpoint(url: url) } throws: { ($0 as? AMQPError)?.code == .invalidURL }
    }

    @Test func descriptionHidesThePassword() throws {
        let endpoint = try AMQPEndpoint(url: "amqp://agentry:topsecret@h:1/%2F")
        #expect(!endpoint.description.contains("topsecret"))
        #expect(endpoint.description.contains("agentry@h:1"))
    }
}
