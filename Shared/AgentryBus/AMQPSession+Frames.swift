internal import CAMQP
import Foundation

extension AMQPSession {
    /// Reads every frame that is already available without blocking and dispatches it.
    func pumpFrames() {
        var handled = 0
        var first = true
        while let handle, handled < 4096,
            first || amqp_frames_enqueued(handle.state) != 0 || amqp_data_in_buffer(handle.state) != 0
        {
            first = false
            var frame = amqp_frame_t()
            var immediately = timeval(tv_sec: 0, tv_usec: 0)
            let status = amqp_simple_wait_frame_noblock(handle.state, &frame, &immediately)
            if status == AMQP_STATUS_TIMEOUT.rawValue { break }
            guard status == AMQP_STATUS_OK.rawValue else {
                dropConnection(AMQPError(.protocolError, String(cString: amqp_error_string2(status))))
                return
            }
            handled += 1
            dispatch(frame)
        }
        if let handle { amqp_maybe_release_buffers(handle.state) }
    }

    private func dispatch(_ frame: amqp_frame_t) {
        var frame = frame
        let method = camqp_frame_method_id(&frame)
        guard method != 0, let decoded = camqp_frame_method_decoded(&frame) else { return }
        switch method {
        case AMQP_BASIC_DELIVER_METHOD:
            deliver(decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee, channel: frame.channel)
        case AMQP_BASIC_ACK_METHOD:
            let ack = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            confirm(upTo: ack.delivery_tag, multiple: ack.multiple != 0, error: nil)
        case AMQP_BASIC_NACK_METHOD:
            let nack = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            confirm(upTo: nack.delivery_tag, multiple: nack.multiple != 0,
                    error: AMQPError(.nacked, "the broker refused the message"))
        case AMQP_BASIC_RETURN_METHOD:
            returned(decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee, channel: frame.channel)
        case AMQP_BASIC_CANCEL_METHOD:
            let cancel = decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            brokerCancelled(consumerTag: cancel.consumer_tag.string)
        case AMQP_CHANNEL_CLOSE_METHOD:
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = AMQPError(.channelClosed, close.reply_text.string, replyCode: Int(close.reply_code))
            logger.warning("the broker closed a channel", metadata: [
                "amqp.channel": "\(frame.channel)", "error": "\(error)",
            ])
            for consumer in consumers.values where consumer.channel == frame.channel {
                consumers[consumer.tag] = nil
                consumer.continuation.finish(throwing: error)
            }
            if frame.channel == Self.publishChannel {
                failAllPending(error)
            }
            channelClosedByBroker(frame.channel)
        case AMQP_CONNECTION_CLOSE_METHOD:
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            if let handle {
                var closeOk = amqp_connection_close_ok_t(dummy: 0)
                _ = amqp_send_method(handle.state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOk)
            }
            dropConnection(AMQPError(.connectionLost, "broker closed the connection: \(close.reply_text.string)",
                                     replyCode: Int(close.reply_code)))
        case AMQP_CONNECTION_BLOCKED_METHOD:
            logger.warning("the broker blocked publishing (resource alarm)")
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
            logger.info("the broker unblocked publishing")
        default:
            break
        }
    }

    private func readMessage(channel: UInt16) -> (AMQPProperties, Data)? {
        guard let handle else { return nil }
        var message = amqp_message_t()
        let reply = amqp_read_message(handle.state, channel, &message, 0)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            dropConnection(AMQPError(.protocolError, "reading a message: \(describe(reply))"))
            return nil
        }
        defer { amqp_destroy_message(&message) }
        return (AMQPProperties(message.properties), message.body.data)
    }

    private func deliver(_ deliver: amqp_basic_deliver_t, channel: UInt16) {
        let tag = deliver.consumer_tag.string
        let deliveryTag = deliver.delivery_tag
        let exchange = deliver.exchange.string
        let routingKey = deliver.routing_key.string
        let redelivered = deliver.redelivered != 0
        guard let (properties, body) = readMessage(channel: channel) else { return }
        guard let consumer = consumers[tag], !consumer.cancelled, let instance = channelInstances[channel] else {
            // A delivery racing a cancellation: hand it straight back.
            if let handle { _ = amqp_basic_nack(handle.state, channel, deliveryTag, 0, 1) }
            return
        }
        consumer.unsettled += 1
        consumer.outstanding.append(deliveryTag)
        let delivery = AMQPDelivery(
            body: body, properties: properties, exchange: exchange, routingKey: routingKey,
            redelivered: redelivered, deliveryTag: deliveryTag, channel: channel, session: instance,
            acknowledger: acknowledger)
        consumer.continuation.yield(delivery)
    }

    private func returned(_ returned: amqp_basic_return_t, channel: UInt16) {
        let error = AMQPError(
            .unroutable, "\(returned.reply_text.string): exchange '\(returned.exchange.string)' routing key '"
                + "\(returned.routing_key.string)'", replyCode: Int(returned.reply_code))
        guard let (properties, _) = readMessage(channel: channel) else { return }
        if let messageId = properties.messageId, let sequence = messageSequence[messageId] {
            pending[sequence]?.returned = error
        }
    }

    private func confirm(upTo tag: UInt64, multiple: Bool, error: AMQPError?) {
        let range = multiple ? lowestUnconfirmed...max(lowestUnconfirmed, tag) : tag...tag
        for sequence in range {
            guard let confirm = pending.removeValue(forKey: sequence) else { continue }
            messageSequence[confirm.messageId] = nil
            if let failure = error ?? confirm.returned {
                confirm.continuation.resume(throwing: failure)
            } else {
                confirm.continuation.resume()
            }
        }
        while lowestUnconfirmed < nextPublishSequence && pending[lowestUnconfirmed] == nil {
            lowestUnconfirmed += 1
        }
    }

    private func brokerCancelled(consumerTag: String) {
        flushAcknowledgements()
        guard let consumer = consumers.removeValue(forKey: consumerTag) else { return }
        consumer.continuation.finish(
            throwing: AMQPError(.channelClosed, "the broker cancelled the consumer of '\(consumer.queue)'"))
        closeChannel(consumer.channel)
    }
}

extension AMQPProperties {
    /// Copies librabbitmq's decoded properties.
    init(_ raw: amqp_basic_properties_t) {
        let flags = raw._flags
        func has(_ flag: Int32) -> Bool { flags & amqp_flags_t(UInt32(bitPattern: flag)) != 0 }
        self.init(
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? raw.content_type.string : nil,
            messageId: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? raw.message_id.string : nil,
            type: has(AMQP_BASIC_TYPE_FLAG) ? raw.type.string : nil,
            correlationId: has(AMQP_BASIC_CORRELATION_ID_FLAG) ? raw.correlation_id.string : nil,
            replyTo: has(AMQP_BASIC_REPLY_TO_FLAG) ? raw.reply_to.string : nil,
            timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? Date(timeIntervalSince1970: TimeInterval(raw.timestamp)) : nil,
            expiration: has(AMQP_BASIC_EXPIRATION_FLAG) ? raw.expiration.string : nil,
            persistent: has(AMQP_BASIC_DELIVERY_MODE_FLAG) && raw.delivery_mode == 2,
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? raw.headers.headerValues : [:])
    }
}
