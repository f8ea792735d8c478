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
                    // Earlier tests' client threads may still be exiting; this client's is the only one left.
                    try await eventually("one client thread") { ThreadCensus.count(named: CurlMultiDriver.threadName) == 1 }
                    let threadsBefore = ThreadCensus.count()
                    let clientThreadsBefore = ThreadCensus.count(named: CurlMultiDriver.threadName)

                    try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                        for _ in 0..<count {
                            group.addTask { try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/gate")) }
                        }
                        // Every request is in flight at once: held by the server until all arrived.
                        try await eventually("all requests at the server") { server.requestsAtGate == count }
                        #expect(client.driver.activeTransferCount == count)
                        let threadsDuring = ThreadCensus.count()
                        let clientThreadsDuring = ThreadCensus.count(named: CurlMultiDriver.threadName)
                        print("threads: before \(threadsBefore), during \(threadsDuring) with \(count) transfers in flight; "
                            + "\(CurlMultiDriver.threadName) threads: before \(clientThreadsBefore), during \(clientThreadsDuring)")
                        #expect(clientThreadsDuring == 1)
                        #expect(threadsDuring - threadsBefore < count / 4)
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
