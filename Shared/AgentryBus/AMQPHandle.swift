internal import CAMQP

/// The librabbitmq connection state of one broker connection.
///
/// `@unchecked Sendable` is sound because the handle is created, used and destroyed only on its
/// connection's lane thread (``AMQPSession`` is lane-confined); it crosses threads only as the
/// lane's own state and is never shared with another thread.
final class AMQPHandle: @unchecked Sendable {
    let state: amqp_connection_state_t

    init?() {
        guard let state = amqp_new_connection() else { return nil }
        self.state = state
    }

    deinit { amqp_destroy_connection(state) }
}
