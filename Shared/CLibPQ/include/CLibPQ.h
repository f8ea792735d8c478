#ifndef CLIBPQ_H
#define CLIBPQ_H

// libpq, as packaged by Debian (libpq-dev installs the header under postgresql/).
#include <postgresql/libpq-fe.h>

/// Installs a notice processor that drops server notices (e.g. "relation already exists,
/// skipping"), so libpq does not print them to stderr. Returns nothing; `conn` may be NULL.
void cpq_silence_notices(PGconn *conn);

/// Returns 1 when `conn` is usable right now: reads whatever the server sent while the connection
/// was idle, without blocking (poll with a zero timeout, then PQconsumeInput), and returns 0 if that
/// revealed a closed or broken connection (for example the server restarted) or a busy one.
int cpq_probe(PGconn *conn);

#endif
