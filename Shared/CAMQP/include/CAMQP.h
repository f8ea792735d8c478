#ifndef AGENTRY_CAMQP_H
#define AGENTRY_CAMQP_H

// librabbitmq (rabbitmq-c) 0.11 as packaged by Debian 12: headers live directly in /usr/include.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

/// amqp_login is variadic; Swift cannot call it. This shim logs in with SASL PLAIN.
amqp_rpc_reply_t camqp_login_plain(amqp_connection_state_t state, const char *vhost, int channel_max,
                                   int frame_max, int heartbeat_seconds, const char *user,
                                   const char *password);

/// The method id carried by a method frame, or 0 for other frame types.
amqp_method_number_t camqp_frame_method_id(const amqp_frame_t *frame);

/// The decoded method of a method frame (NULL for other frame types).
void *camqp_frame_method_decoded(const amqp_frame_t *frame);

/// A non-blocking, close-on-exec eventfd used to wake a connection's lane from poll(2).
int camqp_wake_descriptor(void);

#endif
