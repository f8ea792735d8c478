/*
 * The reference AMQP loop over librabbitmq (rabbitmq-c): what `agentry bench bus` is measured against.
 *
 * Usage: amqp_bench <host> <port> <user> <pass> <messages> <window> <body_bytes>
 *
 * Workload (the Swift side does exactly the same):
 *   - declare the classic durable queue `bench.loop` and purge it;
 *   - a consumer thread on its own connection: basic.qos prefetch=<window>, basic.consume with manual
 *     acks, one basic.ack per delivery, until <messages> deliveries;
 *   - a publisher on a second connection in confirm mode publishes <messages> persistent messages of
 *     <body_bytes> bytes to the default exchange (routing key `bench.loop`, mandatory), keeping at most
 *     <window> unconfirmed, until every one is confirmed.
 * Timed from the first publish to the consumer's last ack. Prints exactly one line:
 *   bus c messages=<N> seconds=<s> msgs_per_sec=<rate>
 * Any nack, returned message, channel or connection close is an error (exit 1).
 *
 * Build: gcc -O2 -o .agentry/bench/amqp_bench bench/amqp_bench.c -lrabbitmq -lpthread
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_NAME "bench.loop"
#define CHANNEL 1

struct settings {
    const char *host;
    int port;
    const char *user;
    const char *pass;
    uint64_t messages;
    uint16_t window;
    size_t body_bytes;
};

struct consumer_state {
    const struct settings *settings;
    pthread_mutex_t lock;
    pthread_cond_t ready_changed;
    int ready;
    struct timespec finished;
};

_Noreturn static void die(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("amqp_bench: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static double seconds_between(struct timespec start, struct timespec end) {
    return (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
}

static void check_status(int status, const char *context) {
    if (status < 0) {
        die("%s: %s", context, amqp_error_string2(status));
    }
}

static void check_reply(amqp_rpc_reply_t reply, const char *context) {
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return;
    case AMQP_RESPONSE_NONE:
        die("%s: missing RPC reply", context);
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        die("%s: %s", context, amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_t *close = reply.reply.decoded;
            die("%s: connection closed by broker: %u %.*s", context, (unsigned)close->reply_code,
                (int)close->reply_text.len, (const char *)close->reply_text.bytes);
        }
        if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            amqp_channel_close_t *close = reply.reply.decoded;
            die("%s: channel closed by broker: %u %.*s", context, (unsigned)close->reply_code,
                (int)close->reply_text.len, (const char *)close->reply_text.bytes);
        }
        die("%s: unexpected server method 0x%08x", context, reply.reply.id);
    }
    die("%s: unknown reply type %d", context, reply.reply_type);
}

/* Fails on a method frame that ends the session: a close from the broker. */
static void check_close_frame(const amqp_frame_t *frame, const char *context) {
    if (frame->frame_type != AMQP_FRAME_METHOD) {
        return;
    }
    if (frame->payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_channel_close_t *close = frame->payload.method.decoded;
        die("%s: channel closed by broker: %u %.*s", context, (unsigned)close->reply_code,
            (int)close->reply_text.len, (const char *)close->reply_text.bytes);
    }
    if (frame->payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
        amqp_connection_close_t *close = frame->payload.method.decoded;
        die("%s: connection closed by broker: %u %.*s", context, (unsigned)close->reply_code,
            (int)close->reply_text.len, (const char *)close->reply_text.bytes);
    }
}

static amqp_connection_state_t open_connection(const struct settings *settings, const char *name) {
    amqp_connection_state_t conn = amqp_new_connection();
    if (conn == NULL) {
        die("%s: out of memory", name);
    }
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (socket == NULL) {
        die("%s: cannot create TCP socket", name);
    }
    check_status(amqp_socket_open(socket, settings->host, settings->port), name);
    check_reply(amqp_login(conn, "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN, settings->user,
                           settings->pass),
                name);
    amqp_channel_open(conn, CHANNEL);
    check_reply(amqp_get_rpc_reply(conn), name);
    return conn;
}

static void close_connection(amqp_connection_state_t conn, const char *name) {
    check_reply(amqp_channel_close(conn, CHANNEL, AMQP_REPLY_SUCCESS), name);
    check_reply(amqp_connection_close(conn, AMQP_REPLY_SUCCESS), name);
    check_status(amqp_destroy_connection(conn), name);
}

static void *consume(void *argument) {
    struct consumer_state *state = argument;
    const struct settings *settings = state->settings;
    amqp_connection_state_t conn = open_connection(settings, "consumer");

    amqp_basic_qos(conn, CHANNEL, 0, settings->window, 0);
    check_reply(amqp_get_rpc_reply(conn), "consumer basic.qos");
    amqp_basic_consume(conn, CHANNEL, amqp_cstring_bytes(QUEUE_NAME), amqp_empty_bytes, 0, 0, 0,
                       amqp_empty_table);
    check_reply(amqp_get_rpc_reply(conn), "consumer basic.consume");

    pthread_mutex_lock(&state->lock);
    state->ready = 1;
    pthread_cond_signal(&state->ready_changed);
    pthread_mutex_unlock(&state->lock);

    uint64_t received = 0;
    while (received < settings->messages) {
        amqp_envelope_t envelope;
        amqp_maybe_release_buffers(conn);
        amqp_rpc_reply_t reply = amqp_consume_message(conn, &envelope, NULL, 0);
        if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            amqp_frame_t frame;
            check_status(amqp_simple_wait_frame(conn, &frame), "consumer wait frame");
            check_close_frame(&frame, "consumer");
            continue;
        }
        check_reply(reply, "consumer basic.deliver");
        if (envelope.message.body.len != settings->body_bytes) {
            die("consumer: body of %zu bytes, expected %zu", envelope.message.body.len, settings->body_bytes);
        }
        check_status(amqp_basic_ack(conn, CHANNEL, envelope.delivery_tag, 0), "consumer basic.ack");
        amqp_destroy_envelope(&envelope);
        received += 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &state->finished);
    close_connection(conn, "consumer");
    return NULL;
}

/* Tracks publisher confirms; tags run 1..messages and an ack may cover all tags up to its own. */
struct confirms {
    unsigned char *done;
    uint64_t lowest_open;
    uint64_t count;
};

static void confirm_tag(struct confirms *confirms, uint64_t tag) {
    if (!confirms->done[tag]) {
        confirms->done[tag] = 1;
        confirms->count += 1;
    }
}

static void read_publisher_frame(amqp_connection_state_t conn, struct confirms *confirms, uint64_t published) {
    amqp_frame_t frame;
    amqp_maybe_release_buffers(conn);
    check_status(amqp_simple_wait_frame(conn, &frame), "publisher wait frame");
    if (frame.frame_type != AMQP_FRAME_METHOD) {
        die("publisher: unexpected frame type %d", frame.frame_type);
    }
    check_close_frame(&frame, "publisher");
    switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
        amqp_basic_ack_t *ack = frame.payload.method.decoded;
        if (ack->delivery_tag > published) {
            die("publisher: confirm for unknown tag %llu", (unsigned long long)ack->delivery_tag);
        }
        if (ack->multiple) {
            for (uint64_t tag = confirms->lowest_open; tag <= ack->delivery_tag; tag++) {
                confirm_tag(confirms, tag);
            }
        } else {
            confirm_tag(confirms, ack->delivery_tag);
        }
        while (confirms->lowest_open <= published && confirms->done[confirms->lowest_open]) {
            confirms->lowest_open += 1;
        }
        return;
    }
    case AMQP_BASIC_NACK_METHOD: {
        amqp_basic_nack_t *nack = frame.payload.method.decoded;
        die("publisher: broker nacked tag %llu (multiple=%d)", (unsigned long long)nack->delivery_tag,
            nack->multiple);
    }
    case AMQP_BASIC_RETURN_METHOD: {
        amqp_basic_return_t *returned = frame.payload.method.decoded;
        die("publisher: message returned: %u %.*s", (unsigned)returned->reply_code,
            (int)returned->reply_text.len, (const char *)returned->reply_text.bytes);
    }
    default:
        die("publisher: unexpected method 0x%08x", frame.payload.method.id);
    }
}

static uint64_t parse_count(const char *text, const char *name, uint64_t minimum, uint64_t maximum) {
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < minimum || value > maximum) {
        die("%s must be a number in %llu...%llu, got '%s'", name, (unsigned long long)minimum,
            (unsigned long long)maximum, text);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s <host> <port> <user> <pass> <messages> <window> <body_bytes>\n", argv[0]);
        return 2;
    }
    struct settings settings = {
        .host = argv[1],
        .port = (int)parse_count(argv[2], "port", 1, 65535),
        .user = argv[3],
        .pass = argv[4],
        .messages = parse_count(argv[5], "messages", 1, 100000000),
        .window = (uint16_t)parse_count(argv[6], "window", 1, 65535),
        .body_bytes = parse_count(argv[7], "body_bytes", 0, 64 * 1024 * 1024),
    };

    amqp_connection_state_t conn = open_connection(&settings, "publisher");
    amqp_queue_declare(conn, CHANNEL, amqp_cstring_bytes(QUEUE_NAME), 0, 1, 0, 0, amqp_empty_table);
    check_reply(amqp_get_rpc_reply(conn), "queue.declare " QUEUE_NAME);
    amqp_queue_purge(conn, CHANNEL, amqp_cstring_bytes(QUEUE_NAME));
    check_reply(amqp_get_rpc_reply(conn), "queue.purge " QUEUE_NAME);
    amqp_confirm_select(conn, CHANNEL);
    check_reply(amqp_get_rpc_reply(conn), "confirm.select");

    struct consumer_state consumer = {.settings = &settings, .ready = 0};
    pthread_mutex_init(&consumer.lock, NULL);
    pthread_cond_init(&consumer.ready_changed, NULL);
    pthread_t consumer_thread;
    if (pthread_create(&consumer_thread, NULL, consume, &consumer) != 0) {
        die("cannot start the consumer thread");
    }
    pthread_mutex_lock(&consumer.lock);
    while (!consumer.ready) {
        pthread_cond_wait(&consumer.ready_changed, &consumer.lock);
    }
    pthread_mutex_unlock(&consumer.lock);

    char *body = malloc(settings.body_bytes > 0 ? settings.body_bytes : 1);
    struct confirms confirms = {.done = calloc(settings.messages + 2, 1), .lowest_open = 1, .count = 0};
    if (body == NULL || confirms.done == NULL) {
        die("out of memory");
    }
    memset(body, 'x', settings.body_bytes);
    amqp_bytes_t payload = {.len = settings.body_bytes, .bytes = body};
    amqp_basic_properties_t properties = {
        ._flags = AMQP_BASIC_DELIVERY_MODE_FLAG,
        .delivery_mode = AMQP_DELIVERY_PERSISTENT,
    };

    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    uint64_t published = 0;
    while (published < settings.messages) {
        while (published - confirms.count >= settings.window) {
            read_publisher_frame(conn, &confirms, published);
        }
        check_status(amqp_basic_publish(conn, CHANNEL, amqp_empty_bytes, amqp_cstring_bytes(QUEUE_NAME), 1, 0,
                                        &properties, payload),
                     "basic.publish");
        published += 1;
    }
    while (confirms.count < settings.messages) {
        read_publisher_frame(conn, &confirms, published);
    }

    if (pthread_join(consumer_thread, NULL) != 0) {
        die("cannot join the consumer thread");
    }
    double seconds = seconds_between(started, consumer.finished);
    close_connection(conn, "publisher");
    free(body);
    free(confirms.done);

    printf("bus c messages=%llu seconds=%.3f msgs_per_sec=%.1f\n", (unsigned long long)settings.messages, seconds,
           (double)settings.messages / seconds);
    return 0;
}
