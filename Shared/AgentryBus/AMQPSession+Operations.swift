internal import CAMQP
import Foundation

extension AMQPSession {
    // MARK: Publishing

    /// Publishes on the confirm channel; `continuation` resumes when the broker confirms, returns or
    /// refuses the message, or the connection drops.
    func publish(_ message: AMQPMessage, exchange: String, routingKey: String, mandatory: Bool,
                 continuation: CheckedContinuation<Void, any Error>) {
        guard let handle else {
            continuation.resume(throwing: AMQPError(.notConnected, "no broker connection"))
            return
        }
        var message = message
        // A message without an id gets a cheap unique one (a UUID per message costs a /dev/urandom read),
        // so a returned message can be matched to its publisher.
        let messageId = message.properties.messageId ?? "\(generatedIdPrefix)\(nextPublishSequence)"
        message.properties.messageId = messageId
        let arena = AMQPArena()
        var properties = arena.properties(message.properties)
        let status = amqp_basic_publish(
            handle.state, Self.publishChannel, arena.bytes(exchange), arena.bytes(routingKey), mandatory ? 1 : 0, 0,
            &properties, arena.bytes(message.body))
        guard status == AMQP_STATUS_OK.rawValue else {
            let error = AMQPError(.protocolError, "publish: \(String(cString: amqp_error_string2(status)))")
            continuation.resume(throwing: error)
            dropConnection(error)
            return
        }
        let sequence = nextPublishSequence
        nextPublishSequence += 1
        pending[sequence] = PendingConfirm(continuation: continuation, messageId: messageId, returned: nil)
        messageSequence[messageId] = sequence
    }

    // MARK: Declarations

    /// Declares `topology` on the admin channel.
    func apply(_ topology: AMQPTopology) throws {
        guard let handle else { throw AMQPError(.notConnected, "no broker connection") }
        let channel = Self.adminChannel
        for exchange in topology.exchanges {
            let arena = AMQPArena()
            _ = amqp_exchange_declare(
                handle.state, channel, arena.bytes(exchange.name), arena.bytes(exchange.kind.rawValue), 0,
                exchange.durable ? 1 : 0, 0, 0, arena.table(exchange.arguments))
            try check(amqp_get_rpc_reply(handle.state), channel: channel, context: "declare exchange '\(exchange.name)'")
        }
        for queue in topology.queues {
            let arena = AMQPArena()
            _ = amqp_queue_declare(
                handle.state, channel, arena.bytes(queue.name), 0, queue.durable ? 1 : 0, queue.exclusive ? 1 : 0,
                queue.autoDelete ? 1 : 0, arena.table(queue.arguments))
            try check(amqp_get_rpc_reply(handle.state), channel: channel, context: "declare queue '\(queue.name)'")
        }
        for binding in topology.bindings {
            let arena = AMQPArena()
            _ = amqp_queue_bind(
                handle.state, channel, arena.bytes(binding.queue), arena.bytes(binding.exchange),
                arena.bytes(binding.routingKey), arena.table(binding.arguments))
            try check(amqp_get_rpc_reply(handle.state), channel: channel,
                      context: "bind '\(binding.queue)' to '\(binding.exchange)' on '\(binding.routingKey)'")
        }
    }

    /// Message and consumer counts of a queue (a passive declare: fails if the queue does not exist).
    func queueStatus(_ name: String) throws -> AMQPQueueStatus {
        guard let handle else { throw AMQPError(.notConnected, "no broker connection") }
        let arena = AMQPArena()
        let ok = amqp_queue_declare(handle.state, Self.adminChannel, arena.bytes(name), 1, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(handle.state), channel: Self.adminChannel, context: "inspect queue '\(name)'")
        guard let ok else { throw AMQPError(.protocolError, "queue.declare-ok missing") }
        return AMQPQueueStatus(messages: Int(ok.pointee.message_count), consumers: Int(ok.pointee.consumer_count))
    }

    /// Removes every ready message from a queue; returns how many.
    func purge(_ name: String) throws -> Int {
        guard let handle else { throw AMQPError(.notConnected, "no broker connection") }
        let arena = AMQPArena()
        let ok = amqp_queue_purge(handle.state, Self.adminChannel, arena.bytes(name))
        try check(amqp_get_rpc_reply(handle.state), channel: Self.adminChannel, context: "purge '\(name)'")
        return Int(ok?.pointee.message_count ?? 0)
    }

    func deleteQueue(_ name: String) throws {
        guard let handle else { throw AMQPError(.notConnected, "no broker connection") }
        let arena = AMQPArena()
        _ = amqp_queue_delete(handle.state, Self.adminChannel, arena.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(handle.state), channel: Self.adminChannel, context: "delete queue '\(name)'")
    }

    func deleteExchange(_ name: String) throws {
        guard let handle else { throw AMQPError(.notConnected, "no broker connection") }
        let arena = AMQPArena()
        _ = amqp_exchange_delete(handle.state, Self.adminChannel, arena.bytes(name), 0)
        try check(amqp_get_rpc_reply(handle.state), channel: Self.adminChannel, context: "delete exchange '\(name)'")
    }

    // MARK: Consuming

    /// Registers a consumer and starts it on its own channel.
    func addConsumer(_ consumer: Consumer) throws {
        guard handle != nil else { throw AMQPError(.notConnected, "no broker connection") }
        try startConsuming(consumer)
        consumers[consumer.tag] = consumer
    }

    /// Opens a channel for the consumer, sets its prefetch and issues basic.consume.
    func startConsuming(_ consumer: Consumer) throws {
        guard let handle else { throw AMQPError(.notConnected, "no broker connection") }
        let channel = try allocateChannel()
        consumer.channel = channel
        consumer.channelInstance = channelInstances[channel] ?? 0
        consumer.unsettled = 0
        consumer.resetAcknowledgements()
        _ = amqp_basic_qos(handle.state, channel, 0, consumer.prefetch, 0)
        try check(amqp_get_rpc_reply(handle.state), channel: channel, context: "basic.qos")
        let arena = AMQPArena()
        _ = amqp_basic_consume(
            handle.state, channel, arena.bytes(consumer.queue), arena.bytes(consumer.tag), 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(handle.state), channel: channel, context: "consume '\(consumer.queue)'")
    }

    /// Stops deliveries to a consumer; its channel closes once every delivery it got is settled
    /// (closing earlier would requeue messages still being worked on).
    func cancelConsumer(tag: String) {
        guard let consumer = consumers[tag], !consumer.cancelled else { return }
        consumer.cancelled = true
        guard let handle, consumer.channel != 0 else {
            consumers[tag] = nil
            return
        }
        let arena = AMQPArena()
        _ = amqp_basic_cancel(handle.state, consumer.channel, arena.bytes(tag))
        do {
            try check(amqp_get_rpc_reply(handle.state), channel: consumer.channel, context: "basic.cancel")
        } catch {
            consumers[tag] = nil
            return
        }
        if consumer.unsettled == 0 {
            flushAcknowledgements()
            consumers[tag] = nil
            closeChannel(consumer.channel)
        }
    }

    /// Acks, requeues or dead-letters a delivery, unless its channel is gone (then the broker has
    /// already requeued it). Acks are collected and sent by ``flushAcknowledgements()`` once the
    /// lane has run its current batch of work; requeues and rejections go out at once.
    func settle(_ delivery: AMQPDelivery, _ settlement: AMQPSettlement) {
        guard let handle, channelInstances[delivery.channel] == delivery.session else {
            logger.debug("dropping a settlement for a closed channel; the broker requeued the message")
            return
        }
        let consumer = consumers.values.first { $0.channel == delivery.channel && $0.channelInstance == delivery.session }
        if let consumer, settlement == .ack {
            if consumer.pendingAcks.isEmpty { consumersWithPendingAcks.append(consumer) }
            consumer.pendingAcks.insert(delivery.deliveryTag)
        } else {
            let status: Int32
            switch settlement {
            case .ack: status = amqp_basic_ack(handle.state, delivery.channel, delivery.deliveryTag, 0)
            case .requeue: status = amqp_basic_nack(handle.state, delivery.channel, delivery.deliveryTag, 0, 1)
            case .deadLetter: status = amqp_basic_reject(handle.state, delivery.channel, delivery.deliveryTag, 0)
            }
            guard status == AMQP_STATUS_OK.rawValue else {
                dropConnection(AMQPError(.protocolError, "settle: \(String(cString: amqp_error_string2(status)))"))
                return
            }
            consumer?.settledAlone.insert(delivery.deliveryTag)
        }
        if let consumer {
            consumer.unsettled -= 1
            if consumer.cancelled && consumer.unsettled <= 0 {
                flushAcknowledgements()
                consumers[consumer.tag] = nil
                closeChannel(consumer.channel)
            }
        }
    }

    /// Sends the collected acks: one `multiple` ack up to the end of the oldest contiguous run of
    /// settled tags, and single acks for tags settled out of order behind a delivery still in work.
    func flushAcknowledgements() {
        guard !consumersWithPendingAcks.isEmpty else { return }
        let waiting = consumersWithPendingAcks
        consumersWithPendingAcks.removeAll(keepingCapacity: true)
        guard let handle else { return }
        for consumer in waiting where !consumer.pendingAcks.isEmpty {
            guard channelInstances[consumer.channel] == consumer.channelInstance else {
                consumer.resetAcknowledgements()
                continue
            }
            var last: UInt64?
            var covered = 0
            while consumer.head < consumer.outstanding.count {
                let tag = consumer.outstanding[consumer.head]
                if consumer.pendingAcks.remove(tag) != nil {
                    last = tag
                    covered += 1
                } else if consumer.settledAlone.remove(tag) == nil {
                    break
                }
                consumer.head += 1
            }
            var status = Int32(AMQP_STATUS_OK.rawValue)
            if let last {
                status = amqp_basic_ack(handle.state, consumer.channel, last, covered > 1 ? 1 : 0)
            }
            for tag in consumer.pendingAcks where status == AMQP_STATUS_OK.rawValue {
                status = amqp_basic_ack(handle.state, consumer.channel, tag, 0)
                consumer.settledAlone.insert(tag)
            }
            consumer.pendingAcks.removeAll(keepingCapacity: true)
            if consumer.head > 1024 && consumer.head * 2 > consumer.outstanding.count {
                consumer.outstanding.removeFirst(consumer.head)
                consumer.head = 0
            }
            guard status == AMQP_STATUS_OK.rawValue else {
                dropConnection(AMQPError(.protocolError, "basic.ack: \(String(cString: amqp_error_string2(status)))"))
                return
            }
        }
    }
}

/// How many messages are ready in a queue and how many consumers it has.
public struct AMQPQueueStatus: Sendable, Equatable {
    public let messages: Int
    public let consumers: Int
}

extension AMQPArena {
    /// librabbitmq's properties for `properties`, with memory owned by the arena.
    func properties(_ properties: AMQPProperties) -> amqp_basic_properties_t {
        var raw = amqp_basic_properties_t()
        var flags: Int32 = AMQP_BASIC_DELIVERY_MODE_FLAG
        raw.delivery_mode = properties.persistent ? 2 : 1
        if let value = properties.contentType {
            flags |= AMQP_BASIC_CONTENT_TYPE_FLAG
            raw.content_type = bytes(value)
        }
        if let value = properties.messageId {
            flags |= AMQP_BASIC_MESSAGE_ID_FLAG
            raw.message_id = bytes(value)
        }
        if let value = properties.type {
            flags |= AMQP_BASIC_TYPE_FLAG
            raw.type = bytes(value)
        }
        if let value = properties.correlationId {
            flags |= AMQP_BASIC_CORRELATION_ID_FLAG
            raw.correlation_id = bytes(value)
        }
        if let value = properties.replyTo {
            flags |= AMQP_BASIC_REPLY_TO_FLAG
            raw.reply_to = bytes(value)
        }
        if let value = properties.timestamp {
            flags |= AMQP_BASIC_TIMESTAMP_FLAG
            raw.timestamp = UInt64(max(0, value.timeIntervalSince1970))
        }
        if let value = properties.expiration {
            flags |= AMQP_BASIC_EXPIRATION_FLAG
            raw.expiration = bytes(value)
        }
        if !properties.headers.isEmpty {
            flags |= AMQP_BASIC_HEADERS_FLAG
            raw.headers = table(properties.headers)
        }
        raw._flags = amqp_flags_t(UInt32(bitPattern: flags))
        return raw
    }
}
