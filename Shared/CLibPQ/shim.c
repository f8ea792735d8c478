#include "CLibPQ.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>

static void cpq_ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

void cpq_silence_notices(PGconn *conn) {
    if (conn == NULL) return;
    PQsetNoticeProcessor(conn, cpq_ignore_notice, NULL);
}

int cpq_probe(PGconn *conn) {
    if (conn == NULL) return 0;
    /* A server that ends a session sends an error and then closes the socket; libpq reports the
       error as a notice and notices the close only on a later read, so keep reading while the
       socket has something to say. An idle connection is normally sent nothing, so the first poll
       does not wait; once the server has spoken unasked (typically that error), give the close that
       follows it up to 100 ms to arrive rather than hand out a connection that is about to drop. */
    int spoke = 0;
    for (int round = 0; round < 8; round++) {
        if (PQstatus(conn) != CONNECTION_OK) return 0;
        struct pollfd descriptor = { .fd = PQsocket(conn), .events = POLLIN, .revents = 0 };
        int ready = poll(&descriptor, 1, spoke ? 100 : 0);
        if (ready == 0) break;
        if (ready < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        if (PQconsumeInput(conn) == 0) return 0;
        spoke = 1;
    }
    return PQstatus(conn) == CONNECTION_OK && !PQisBusy(conn);
}
