extension Plan {
    /// Checks that the plan can run: it has steps, ids are well-formed and unique, every
    /// dependency names a step, the dependencies form no cycle, and the limits are possible.
    ///
    /// - Returns: every problem found, in a stable order; empty when the plan is valid.
    public func validate() -> [PlanValidationError] {
        guard !steps.isEmpty else { return [.empty] }
        var errors: [PlanValidationError] = []
        var seen: Set<String> = []
        var reported: Set<String> = []
        for step in steps {
            if !Self.isValidStepId(step.id) { errors.append(.invalidStepId(step.id)) }
            if !seen.insert(step.id).inserted, reported.insert(step.id).inserted {
                errors.append(.duplicateStepId(step.id))
            }
        }
        for step in steps {
            for dependency in step.dependsOn where !seen.contains(dependency) {
                errors.append(.unknownDependency(stepId: step.id, dependency: dependency))
            }
        }
        for step in steps {
            if let reason = Self.limitsProblem(step.limits) {
                errors.append(.invalidLimits(stepId: step.id, reason: reason))
            }
        }
        errors += cycles().map(PlanValidationError.cycle)
        return errors
    }

    /// True when ``validate()`` finds no problem.
    public var isValid: Bool { validate().isEmpty }

    /// The step ids in an order where every step comes after its dependencies (ties keep plan
    /// order), or `nil` when the plan is not valid.
    public func topologicalOrder() -> [String]? {
        guard isValid else { return nil }
        var remaining = steps
        var done: Set<String> = []
        var order: [String] = []
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.dependsOn.allSatisfy(done.contains) }) else {
                return nil
            }
            let step = remaining.remove(at: next)
            done.insert(step.id)
            order.append(step.id)
        }
        return order
    }

    /// Every cycle found by a depth-first walk in plan order, each as a path `a -> b -> ... -> a`.
    private func cycles() -> [[String]] {
        var dependencies: [String: [String]] = [:]
        for step in steps where dependencies[step.id] == nil {
            dependencies[step.id] = step.dependsOn
        }
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []
        var found: [[String]] = []

        func visit(_ id: String) {
            marks[id] = .visiting
            stack.append(id)
            for dependency in dependencies[id] ?? [] where dependencies[dependency] != nil {
                switch marks[dependency] {
                case .visiting:
                    if let start = stack.lastIndex(of: dependency) {
                        found.append(Array(stack[start...]) + [dependency])
                    }
                case .done:
                    continue
                case nil:
                    visit(dependency)
                }
            }
            stack.removeLast()
            marks[id] = .done
        }

        for step in steps where marks[step.id] == nil {
            visit(step.id)
        }
        return found
    }

    private static func isValidStepId(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    private static func limitsProblem(_ limits: StepLimits) -> String? {
        if limits.timeoutSeconds < 1 { return "timeoutSeconds must be at least 1" }
        if limits.maxAttempts < 1 { return "maxAttempts must be at least 1" }
        if let bytes = limits.maxOutputBytes, bytes < 0 { return "maxOutputBytes must not be negative" }
        return nil
    }
}
