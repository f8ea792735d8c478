#include "CAMQP.h"

#include <sys/eventfd.h>

amqp_rpc_reply_t camqp_login_plain(amqp_connection_state_t state, const char *vhost, int channel_max,
                                   int frame_max, int heartbeat_seconds, const char *user,
                                   const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat_seconds, AMQP_SASL_METHOD_PLAIN, user,
                      password);
}

amqp_method_number_t camqp_frame_method_id(const amqp_frame_t *frame) {
    if (frame->frame_type != AMQP_FRAME_METHOD) {
        return 0;
    }
    return frame->payload.method.id;
}

void *camqp_frame_method_decoded(const amqp_frame_t *frame) {
    if (frame->frame_type != AMQP_FRAME_METHOD) {
        return NULL;
    }
    return frame->payload.method.decoded;
}

int camqp_wake_descriptor(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}
