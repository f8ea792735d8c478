internal import CAMQP
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The lane-confined side of an ``AMQPConnection``: owns the librabbitmq state, the channels, the
/// publisher confirms in flight and the consumers, and runs the lane's loop. Every method runs on
/// the lane thread only.
final class AMQPSession {
    struct PendingConfirm {
        let continuation: CheckedContinuation<Void, any Error>
        let messageId: String
        var returned: AMQPError?
    }

    final class Consumer {
        let tag: String
        let queue: String
        let prefetch: UInt16
        let continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
        var channel: UInt16 = 0
        var channelInstance: UInt64 = 0
        var cancelled = false
        var unsettled = 0
        /// Delivery tags handed out on the current channel, oldest first, from `head` on.
        var outstanding: [UInt64] = []
        var head = 0
        /// Acks settled by the application and not yet sent: the lane sends them together after
        /// each batch of work, as one `multiple` ack for the oldest contiguous run.
        var pendingAcks: Set<UInt64> = []
        /// Tags already settled on their own (nacked, rejected, or acked out of order).
        var settledAlone: Set<UInt64> = []

        /// Forgets the tags of a previous channel.
        func resetAcknowledgements() {
            outstanding.removeAll()
            head = 0
            pendingAcks.removeAll()
            settledAlone.removeAll()
        }

        init(tag: String, queue: String, prefetch: UInt16,
             continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation) {
            self.tag = tag
            self.queue = queue
            self.prefetch = prefetch
            self.continuation = continuation
        }
    }

    static let adminChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2

    let endpoint: AMQPEndpoint
    let policy: ReconnectPolicy
    let lane: AMQPLane
    let acknowledger: any AMQPAcknowledger
    let logger: Logger

    var handle: AMQPHandle?
    /// Declarations replayed after every reconnect.
    var topology = AMQPTopology()
    var pending: [UInt64: PendingConfirm] = [:]
    var messageSequence: [String: UInt64] = [:]
    var nextPublishSequence: UInt64 = 1
    var lowestUnconfirmed: UInt64 = 1
    var consumers: [String: Consumer] = [:]
    /// Consumers holding acks that ``flushAcknowledgements()`` has yet to send.
    var consumersWithPendingAcks: [Consumer] = []
    /// Open channel number → unique instance id, so a settlement never reaches a reused channel.
    var channelInstances: [UInt16: UInt64] = [:]
    var nextChannelInstance: UInt64 = 1
    var freeChannels: [UInt16] = []
    var nextChannel: UInt16 = 3
    var failedAttempts = 0
    var stopping = false
    var waitingForFirstConnection: [CheckedContinuation<Void, any Error>] = []
    var lastConnectError: AMQPError?
    /// Prefix of message ids generated for messages published without one (unique per session).
    let generatedIdPrefix = "agentry-\(UUID().uuidString.lowercased())-"

    init(endpoint: AMQPEndpoint, policy: ReconnectPolicy, lane: AMQPLane, acknowledger: any AMQPAcknowledger,
         logger: Logger) {
        self.endpoint = endpoint
        self.policy = policy
        self.lane = lane
        self.acknowledger = acknowledger
        self.logger = logger
    }

    // MARK: The loop

    /// Runs until the connection is closed by its owner.
    func run() {
        while !stopping {
            if handle == nil {
                runWork()
                if stopping { break }
                if connect() { continue }
                let delay = policy.delay(forAttempt: failedAttempts)
                failedAttempts += 1
                sleep(descriptor: nil, timeout: delay)
                continue
            }
            let didWork = runWork()
            if didWork { flushAcknowledgements() }
            if stopping { break }
            guard let handle else { continue }
            if amqp_frames_enqueued(handle.state) != 0 || amqp_data_in_buffer(handle.state) != 0 {
                pumpFrames()
                continue
            }
            // One poll(2) says whether the broker sent anything and waits for work when idle; after work
            // it only checks. A timeout also pumps, which lets librabbitmq send and check heartbeats.
            let socketReadable = sleep(
                descriptor: amqp_get_sockfd(handle.state), timeout: didWork ? .zero : pollInterval)
            if socketReadable || !didWork { pumpFrames() }
        }
        shutdown()
    }

    private var pollInterval: Duration {
        let heartbeat = endpoint.heartbeatSeconds
        return heartbeat > 0 ? .milliseconds(min(1000, heartbeat * 250)) : .seconds(1)
    }

    @discardableResult
    private func runWork() -> Bool {
        let work = lane.takeWork()
        for item in work { item(self) }
        return !work.isEmpty
    }

    /// Waits in poll(2) for the broker socket, the wake eventfd or the timeout; returns whether the
    /// socket is readable. A zero timeout only checks and never marks the lane asleep.
    @discardableResult
    private func sleep(descriptor: Int32?, timeout: Duration) -> Bool {
        let waits = timeout > .zero
        if waits && !lane.prepareToSleep() { return false }
        var descriptors = [pollfd(fd: lane.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if let descriptor { descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = Int32(max(0, min(Double(Int32.max), timeout.seconds * 1000)))
        _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        if waits { lane.awake(drain: descriptors[0].revents & Int16(POLLIN) != 0) }
        return descriptors.count > 1 && descriptors[1].revents != 0
    }

    // MARK: Connecting

    private func connect() -> Bool {
        do {
            guard let handle = AMQPHandle() else { throw AMQPError(.connectFailed, "amqp_new_connection failed") }
            guard let socket = amqp_tcp_socket_new(handle.state) else {
                throw AMQPError(.connectFailed, "amqp_tcp_socket_new failed")
            }
            var timeout = timeval(tv_sec: endpoint.connectTimeoutSeconds, tv_usec: 0)
            let status = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &timeout)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(.connectFailed, "\(endpoint): \(String(cString: amqp_error_string2(status)))")
            }
            let login = camqp_login_plain(
                handle.state, endpoint.virtualHost, 0, 131_072, Int32(endpoint.heartbeatSeconds), endpoint.user,
                endpoint.password)
            if login.reply_type != AMQP_RESPONSE_NORMAL {
                throw AMQPError(.loginFailed, "\(endpoint): \(describe(login))")
            }
            self.handle = handle
            try openChannel(Self.adminChannel)
            try openChannel(Self.publishChannel)
            _ = amqp_confirm_select(handle.state, Self.publishChannel)
            try check(amqp_get_rpc_reply(handle.state), channel: Self.publishChannel, context: "confirm.select")
            nextPublishSequence = 1
            lowestUnconfirmed = 1
            try apply(topology)
            for consumer in consumers.values where !consumer.cancelled {
                do {
                    try startConsuming(consumer)
                } catch let error as AMQPError where error.code == .channelClosed {
                    consumers[consumer.tag] = nil
                    consumer.continuation.finish(throwing: error)
                }
            }
            failedAttempts = 0
            lastConnectError = nil
            lane.isConnected = true
            logger.info("connected to the broker", metadata: ["amqp.endpoint": "\(endpoint)"])
            let waiters = waitingForFirstConnection
            waitingForFirstConnection.removeAll()
            for waiter in waiters { waiter.resume() }
            return true
        } catch {
            let amqpError = error as? AMQPError ?? AMQPError(.connectFailed, "\(error)")
            if lastConnectError != amqpError {
                logger.warning("broker connection failed; retrying", metadata: ["error": "\(amqpError)"])
            }
            lastConnectError = amqpError
            dropConnection(amqpError, notify: false)
            let waiters = waitingForFirstConnection
            waitingForFirstConnection.removeAll()
            for waiter in waiters { waiter.resume(throwing: amqpError) }
            return false
        }
    }

    /// Fails everything in flight on the lost connection and forgets it; the loop reconnects.
    func dropConnection(_ error: AMQPError, notify: Bool = true) {
        let wasConnected = lane.isConnected
        lane.isConnected = false
        handle = nil
        channelInstances.removeAll()
        freeChannels.removeAll()
        nextChannel = 3
        let lost = AMQPError(.connectionLost, "publish outcome unknown: \(error.detail)")
        failAllPending(lost)
        consumersWithPendingAcks.removeAll()
        for consumer in consumers.values {
            consumer.unsettled = 0
            consumer.resetAcknowledgements()
            consumer.channel = 0
            if consumer.cancelled { consumers[consumer.tag] = nil }
        }
        if notify && wasConnected {
            logger.warning("broker connection lost; reconnecting", metadata: ["error": "\(error)"])
        }
    }

    func failAllPending(_ error: AMQPError) {
        let confirms = pending.values
        pending.removeAll()
        messageSequence.removeAll()
        for confirm in confirms { confirm.continuation.resume(throwing: error) }
    }

    // MARK: Channels

    func openChannel(_ channel: UInt16) throws {
        guard let handle else { throw AMQPError(.notConnected, "no broker connection") }
        _ = amqp_channel_open(handle.state, channel)
        try check(amqp_get_rpc_reply(handle.state), channel: channel, context: "channel.open")
        channelInstances[channel] = nextChannelInstance
        nextChannelInstance += 1
    }

    func allocateChannel() throws -> UInt16 {
        let channel = freeChannels.popLast() ?? nextChannel
        if channel == nextChannel {
            guard nextChannel < 2047 else { throw AMQPError(.protocolError, "no free channel on the connection") }
            nextChannel += 1
        }
        try openChannel(channel)
        return channel
    }

    func closeChannel(_ channel: UInt16) {
        guard let handle, channelInstances[channel] != nil else { return }
        channelInstances[channel] = nil
        _ = amqp_channel_close(handle.state, channel, AMQP_REPLY_SUCCESS)
        let reply = amqp_get_rpc_reply(handle.state)
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION {
            dropConnection(AMQPError(.protocolError, describe(reply)))
            return
        }
        freeChannels.append(channel)
    }

    /// Checks an RPC reply; a channel exception closes that channel (acknowledged and reopened for the
    /// admin and publish channels), a connection exception or library error drops the connection.
    func check(_ reply: amqp_rpc_reply_t, channel: UInt16, context: String) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = AMQPError(.channelClosed, "\(context): \(close.reply_text.string)",
                                  replyCode: Int(close.reply_code))
            channelClosedByBroker(channel)
            throw error
        case AMQP_RESPONSE_SERVER_EXCEPTION where reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD:
            let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let error = AMQPError(.connectionLost, "\(context): broker closed the connection: "
                                  + close.reply_text.string, replyCode: Int(close.reply_code))
            if let handle {
                var closeOk = amqp_connection_close_ok_t(dummy: 0)
                _ = amqp_send_method(handle.state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOk)
            }
            dropConnection(error)
            throw error
        default:
            let error = AMQPError(.protocolError, "\(context): \(describe(reply))")
            dropConnection(error)
            throw error
        }
    }

    /// Acknowledges a broker-initiated channel close and restores the channel's role.
    func channelClosedByBroker(_ channel: UInt16) {
        guard let handle else { return }
        var closeOk = amqp_channel_close_ok_t(dummy: 0)
        _ = amqp_send_method(handle.state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOk)
        channelInstances[channel] = nil
        do {
            switch channel {
            case Self.adminChannel:
                try openChannel(channel)
            case Self.publishChannel:
                failAllPending(AMQPError(.channelClosed, "the publish channel was closed by the broker"))
                try openChannel(channel)
                _ = amqp_confirm_select(handle.state, channel)
                try check(amqp_get_rpc_reply(handle.state), channel: channel, context: "confirm.select")
                nextPublishSequence = 1
                lowestUnconfirmed = 1
            default:
                freeChannels.append(channel)
            }
        } catch {
            logger.error("could not reopen channel", metadata: ["amqp.channel": "\(channel)", "error": "\(error)"])
        }
    }

    func describe(_ reply: amqp_rpc_reply_t) -> String {
        switch reply.reply_type {
        case AMQP_RESPONSE_NONE:
            return "no reply"
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return String(cString: amqp_error_string2(reply.library_error))
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                return "\(close.reply_code) \(close.reply_text.string)"
            }
            if reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD {
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                return "\(close.reply_code) \(close.reply_text.string)"
            }
            return "server exception (method \(reply.reply.id))"
        default:
            return "unknown reply"
        }
    }

    // MARK: Shutdown

    func requestStop() { stopping = true }

    private func shutdown() {
        let stranded = lane.stopAccepting()
        for item in stranded { item(self) }
        failAllPending(AMQPError(.closed, "the connection was closed"))
        for consumer in consumers.values { consumer.continuation.finish() }
        consumers.removeAll()
        let waiters = waitingForFirstConnection
        waitingForFirstConnection.removeAll()
        for waiter in waiters { waiter.resume(throwing: AMQPError(.closed, "the connection was closed")) }
        if let handle {
            _ = amqp_connection_close(handle.state, AMQP_REPLY_SUCCESS)
        }
        handle = nil
        lane.isConnected = false
        lane.markExited()
    }
}
