@testable import AgentryHTTP
import AgentryTestSupport
import Foundation
import Testing

extension LiveHTTPTests {
    @Suite struct HTTPConcurrencyTests {
        @Test func twoHundredConcurrentRequestsShareOneThread() async throws {
            let count = 200
            try await TestHTTPServer.withServer { server, port in
                try await withClient { client in
                    // Warm up: the client's thread exists from the first request on.
                    _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/status/200"))
                    // Other suites run in this process at the same time with clients of their own, so
                    // this client's threads are counted by the driver rather than by name.
                    #expect(client.driver.threadsStarted == 1)
                    let threadsBefore = ThreadCensus.count()

                    try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                        for _ in 0..<count {
                            group.addTask { try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/gate")) }
                        }
                        // Every request is in flight at once: held by the server until all arrived.
                        try await eventually("all requests at the server") { server.requestsAtGate == count }
                        #expect(client.driver.activeTransferCount == count)
                        let threadsDuring = ThreadCensus.count()
                        print("threads in the process: before \(threadsBefore), during \(threadsDuring) with \(count) "
                            + "transfers in flight; this client's driver threads: \(client.driver.threadsStarted)")
                        #expect(client.driver.threadsStarted == 1)
                        // Not a thread per request (other suites running meanwhile start threads of their own:
                        // database and broker connections, script supervisors, browsers).
                        #expect(threadsDuring - threadsBefore < count)
                        server.releaseGate.fire()

                        var succeeded = 0
                        for try await response in group where response.status == 200 && response.bodyText == "released" {
                            succeeded += 1
                        }
                        #expect(succeeded == count)
                    }
                    try await eventually("all transfers detached") { client.driver.activeTransferCount == 0 }
                }
            }
        }
    }
}
