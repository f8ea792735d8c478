@testable import AgentryHTTP
import Foundation
import Testing

@Suite struct StreamingBodyStateTests {
    private func chunk(_ count: Int) -> Data { Data(repeating: 1, count: count) }

    @Test func pausesWhenFullAndResumesAtHalf() {
        var state = StreamingBodyState(highWaterMark: 100)
        #expect(state.receiveBody(chunk(60)).0 == .accepted)
        #expect(state.receiveBody(chunk(60)).0 == .accepted)
        #expect(state.receiveBody(chunk(60)).0 == .pause)
        #expect(state.isPaused)
        #expect(state.bufferedBytes == 120)
        guard case .chunk(_, let resumeFirst) = state.nextChunk(nil) else { Issue.record("no chunk"); return }
        #expect(!resumeFirst)  // 60 left: more than half of 100
        #expect(state.isPaused)
        guard case .chunk(_, let resumeSecond) = state.nextChunk(nil) else { Issue.record("no chunk"); return }
        #expect(resumeSecond)
        #expect(!state.isPaused)
        guard case .wait = state.nextChunk(nil) else { Issue.record("expected to wait"); return }
    }

    @Test func deliversBufferedChunksBeforeTheFailure() {
        var state = StreamingBodyState(highWaterMark: 100)
        _ = state.receiveBody(chunk(10))
        _ = state.complete(HTTPClientError(.timedOut))
        guard case .chunk(let data, _) = state.nextChunk(nil), data.count == 10 else { Issue.record("no chunk"); return }
        guard case .failed(let error) = state.nextChunk(nil) else { Issue.record("expected the failure"); return }
        #expect(error.code == .timedOut)
        guard case .failed = state.nextChunk(nil) else { Issue.record("the failure must stay"); return }
    }

    @Test func endsAfterSuccessAndIgnoresLateEvents() {
        var state = StreamingBodyState(highWaterMark: 100)
        _ = state.complete(nil)
        _ = state.complete(HTTPClientError(.cancelled))
        #expect(state.receiveBody(chunk(5)).0 == .accepted)
        guard case .end = state.nextChunk(nil) else { Issue.record("expected the end"); return }
    }
}

extension BodyDisposition: Equatable {
    public static func == (lhs: BodyDisposition, rhs: BodyDisposition) -> Bool {
        switch (lhs, rhs) {
        case (.accepted, .accepted), (.pause, .pause): true
        case (.abort(let a, _), .abort(let b, _)): a == b
        default: false
        }
    }
}
