import Testing

/// The tests that run real transfers against in-process servers. They run one at a time so that
/// exactly one client thread exists while the thread census of the concurrency test is taken.
@Suite(.serialized) struct LiveHTTPTests {}
