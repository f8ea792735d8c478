import AgentryContracts

/// Step results the test's queue received.
actor BrowserResults {
    private var envelopes: [Envelope] = []

    func append(_ envelope: Envelope) { envelopes.append(envelope) }

    func envelope(stepId: String) -> Envelope? { envelopes.first { $0.stepId == stepId } }
}
