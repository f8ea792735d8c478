/// The OpenAPI 3.1 description of the public API, served at `GET /openapi.yaml`. Kept in the
/// binary (no resource files to ship); `IngestOpenAPITests` checks that it lists exactly the
/// routes ``IngestRoutes`` serves.
enum OpenAPIDocument {
    /// The answers of every API route to a missing or refused key and to a tenant over its rate.
    private static let authErrors = #"""
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "429":
          description: The tenant is over its request rate.
          headers:
            Retry-After: {schema: {type: integer}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
"""#

    /// The answers of cancel, pause and resume.
    private static let controlResponses = #"""
        "202":
          description: The broker has the run.control envelope.
          content:
            application/json:
              schema:
                type: object
                properties:
                  runId: {type: string, format: uuid}
                  action: {type: string, enum: [cancel, pause, resume]}
                  status: {$ref: "#/components/schemas/RunStatus"}
                required: [runId, action, status]
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
\#(authErrors)
"""#

    /// The error answers every webhook shares.
    private static let webhookErrors = #"""
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
"""#

    static let yaml = #"""
openapi: 3.1.0
info:
  title: Agentry API
  version: "1"
  description: |
    Runs, approvals and the audit trail of Agentry, and the signed webhooks that start runs.
    Bodies are JSON unless stated; answers are JSON with camelCase fields, lowercase UUIDs and
    RFC 3339 times in UTC. Errors are {"error": {"code", "message"}}.
servers:
  - url: http://127.0.0.1:8080
security:
  - bearerKey: []
  - headerKey: []
paths:
  /v1/runs:
    post:
      summary: Request a run
      operationId: submitRun
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/RunRequest"}
      responses:
\#(authErrors)
        "202":
          description: The broker has the run.requested envelope.
          headers:
            Location: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/RunAccepted"}
        "400": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
    get:
      summary: List runs, newest first
      operationId: listRuns
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 500}}
        - {name: status, in: query, schema: {$ref: "#/components/schemas/RunStatus"}}
        - {name: tenant, in: query, schema: {type: string}}
        - {name: source, in: query, schema: {$ref: "#/components/schemas/RunSource"}}
        - {name: since, in: query, schema: {type: string, format: date-time}}
        - {name: until, in: query, schema: {type: string, format: date-time}}
        - name: thread
          in: query
          description: Only this run and the runs that continue its conversation (email replies).
          schema: {type: string, format: uuid}
        - {name: cursor, in: query, schema: {type: string}}
      responses:
\#(authErrors)
        "200":
          description: A page of runs; `next` is the cursor of the following page.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/RunList"}
        "400": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /v1/runs/{id}:
    parameters:
      - {$ref: "#/components/parameters/RunId"}
    get:
      summary: A run with its steps, approvals, deliveries and outputs
      operationId: getRun
      responses:
\#(authErrors)
        "200":
          description: The run.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/RunDetail"}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /v1/runs/{id}/events:
    parameters:
      - {$ref: "#/components/parameters/RunId"}
    get:
      summary: The run's audit entries as live server-sent events
      operationId: streamRunEvents
      parameters:
        - {name: Last-Event-ID, in: header, schema: {type: string}}
        - {name: after, in: query, schema: {type: integer, minimum: 0}}
      responses:
\#(authErrors)
        "200":
          description: "An event per audit entry (id: sequence, event: action, data: the entry), then an end event."
          content:
            text/event-stream:
              schema:
                type: object
                description: "One server-sent event: data is an audit entry as JSON, or {\"status\"} for end."
                properties:
                  event: {type: string}
                  data: {type: string}
                  id: {type: string}
                  retry: {type: integer}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /v1/runs/{id}/audit:
    parameters:
      - {$ref: "#/components/parameters/RunId"}
    get:
      summary: The run's audit entries in chain order
      operationId: getRunAudit
      parameters:
        - {name: after, in: query, schema: {type: integer, minimum: 0}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 5000}}
      responses:
\#(authErrors)
        "200":
          description: A page of entries.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/AuditTrail"}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /v1/runs/{id}/cancel:
    parameters:
      - {$ref: "#/components/parameters/RunId"}
    post:
      summary: Cancel a run
      operationId: cancelRun
      requestBody: {$ref: "#/components/requestBodies/RunControl"}
      responses:
\#(controlResponses)
  /v1/runs/{id}/pause:
    parameters:
      - {$ref: "#/components/parameters/RunId"}
    post:
      summary: Pause a run
      operationId: pauseRun
      requestBody: {$ref: "#/components/requestBodies/RunControl"}
      responses:
\#(controlResponses)
  /v1/runs/{id}/resume:
    parameters:
      - {$ref: "#/components/parameters/RunId"}
    post:
      summary: Resume a paused run
      operationId: resumeRun
      requestBody: {$ref: "#/components/requestBodies/RunControl"}
      responses:
\#(controlResponses)
  /v1/approvals:
    get:
      summary: Approvals with their runs, oldest first
      operationId: listApprovals
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [pending, approved, rejected, expired, all]}}
        - {name: tenant, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 500}}
      responses:
\#(authErrors)
        "200":
          description: The approvals.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ApprovalList"}
        "400": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /v1/approvals/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
    post:
      summary: Approve or reject
      operationId: decideApproval
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ApprovalDecision"}
      responses:
\#(authErrors)
        "202":
          description: The broker has the approval.decided envelope.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ApprovalAccepted"}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /v1/webhooks/slack:
    post:
      summary: Slack Events API (signed with the app's signing secret)
      operationId: slackEvents
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object}
      responses:
        "200": {$ref: "#/components/responses/Acknowledged"}
\#(webhookErrors)
  /v1/webhooks/slack/interactivity:
    post:
      summary: Slack interactivity (the notifier's Approve / Reject buttons), signed
      operationId: slackInteractivity
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                payload: {type: string, description: The block_actions JSON document.}
              required: [payload]
      responses:
        "200": {$ref: "#/components/responses/Acknowledged"}
\#(webhookErrors)
  /v1/webhooks/slack/commands:
    post:
      summary: Slack slash commands, signed
      operationId: slackCommands
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                team_id: {type: string}
                channel_id: {type: string}
                user_id: {type: string}
                command: {type: string}
                text: {type: string}
                trigger_id: {type: string}
              required: [team_id, channel_id, user_id, trigger_id]
      responses:
        "200":
          description: An ephemeral message for the person who typed the command.
          content:
            application/json:
              schema:
                type: object
                properties:
                  response_type: {type: string}
                  text: {type: string}
                  runId: {type: string, format: uuid}
                required: [response_type, text]
\#(webhookErrors)
  /v1/webhooks/jira:
    post:
      summary: Jira issue and comment webhooks (X-Hub-Signature HMAC)
      operationId: jiraWebhook
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object}
      responses:
        "200": {$ref: "#/components/responses/Acknowledged"}
\#(webhookErrors)
  /v1/webhooks/email:
    post:
      summary: Inbound email, raw (message/rfc822) or a mail provider's form (SendGrid, Mailgun)
      description: |
        Authenticated by the inbound email token (AGENTRY_EMAIL_TOKEN) in the `token` query parameter,
        `Authorization: Bearer` or `X-Agentry-Token`. An email that answers one of a run's emails
        (In-Reply-To / References) continues that run's thread.
      operationId: inboundEmail
      security: []
      parameters:
        - {name: token, in: query, schema: {type: string}}
      requestBody:
        required: true
        content:
          message/rfc822:
            schema: {type: string}
          multipart/form-data:
            schema: {type: object}
          application/x-www-form-urlencoded:
            schema: {type: object}
      responses:
        "200": {$ref: "#/components/responses/Acknowledged"}
        "413": {$ref: "#/components/responses/Error"}
\#(webhookErrors)
  /v1/webhooks/generic/{name}:
    parameters:
      - {name: name, in: path, required: true, schema: {type: string}}
    post:
      summary: A configured webhook (HMAC of the body in its signature header)
      operationId: genericWebhook
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {}
      responses:
        "202":
          description: The broker has the run.requested envelope.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/RunAccepted"}
\#(webhookErrors)
  /openapi.yaml:
    get:
      summary: This document
      operationId: getOpenAPI
      security: []
      responses:
        "200":
          description: The OpenAPI document.
          content:
            application/yaml:
              schema: {type: string}
components:
  securitySchemes:
    bearerKey: {type: http, scheme: bearer, description: "An API key from agentry keys create."}
    headerKey: {type: apiKey, in: header, name: X-API-Key}
  parameters:
    RunId: {name: id, in: path, required: true, schema: {type: string, format: uuid}}
  requestBodies:
    RunControl:
      required: false
      content:
        application/json:
          schema:
            type: object
            properties:
              reason: {type: string, maxLength: 2000}
              requestedBy: {type: string}
  responses:
    Error:
      description: A JSON error.
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
    Acknowledged:
      description: The webhook was taken; a run was requested (an email continuing a thread names its first run) or the event ignored.
      content:
        application/json:
          schema:
            type: object
            properties:
              ok: {type: boolean}
              runId: {type: string, format: uuid}
              threadRunId: {type: string, format: uuid}
              ignored: {type: string}
              challenge: {type: string}
              approvalId: {type: string, format: uuid}
              decision: {type: string}
              error: {type: string}
  schemas:
    Error:
      type: object
      properties:
        error:
          type: object
          properties:
            code: {type: string}
            message: {type: string}
          required: [code, message]
      required: [error]
    RunStatus:
      type: string
      enum: [pending, planning, running, waiting_for_approval, paused, completed, failed, cancelled, rejected]
    RunSource:
      type: string
      enum: [slack, jira, email, webhook, api, cli, schedule]
    RunRequest:
      type: object
      properties:
        request: {type: string, minLength: 1, maxLength: 10000}
        tenant: {type: string}
        source: {type: string, enum: [api, cli, jira, email, webhook]}
        sourceReference: {type: object}
        externalEventId: {type: string, maxLength: 512}
        requestedBy: {type: string}
      required: [request]
    RunAccepted:
      type: object
      properties:
        runId: {type: string, format: uuid}
      required: [runId]
    RunSummary:
      type: object
      properties:
        id: {type: string, format: uuid}
        tenant: {type: string}
        source: {type: string}
        status: {$ref: "#/components/schemas/RunStatus"}
        request: {type: string}
        error: {type: string}
        costUSD: {type: number}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
        threadRunId: {type: string, format: uuid}
      required: [id, tenant, source, status, request, costUSD, createdAt, updatedAt]
    RunList:
      type: object
      properties:
        runs: {type: array, items: {$ref: "#/components/schemas/RunSummary"}}
        next: {type: string}
      required: [runs]
    RunDetail:
      type: object
      properties:
        id: {type: string, format: uuid}
        tenant: {type: string}
        status: {$ref: "#/components/schemas/RunStatus"}
        request: {type: string}
        steps: {type: array, items: {type: object}}
        approvals: {type: array, items: {type: object}}
        deliveries: {type: array, items: {type: object}}
        outputs: {type: object}
        threadRunId: {type: string, format: uuid}
      required: [id, tenant, status, request, steps, approvals, deliveries, outputs]
    AuditEntry:
      type: object
      properties:
        sequence: {type: integer}
        envelopeId: {type: string, format: uuid}
        occurredAt: {type: string, format: date-time}
        actor: {type: string}
        action: {type: string}
        payload: {}
        hash: {type: string}
        previousHash: {type: string}
      required: [sequence, envelopeId, occurredAt, actor, action, payload, hash]
    AuditTrail:
      type: object
      properties:
        runId: {type: string, format: uuid}
        entries: {type: array, items: {$ref: "#/components/schemas/AuditEntry"}}
        next: {type: integer}
      required: [runId, entries]
    ApprovalSummary:
      type: object
      properties:
        id: {type: string, format: uuid}
        runId: {type: string, format: uuid}
        tenant: {type: string}
        request: {type: string}
        stepId: {type: string}
        kind: {type: string, enum: [step, plan]}
        status: {type: string, enum: [pending, approved, rejected, expired]}
        approverRoles: {type: array, items: {type: string}}
        decidedBy: {type: string}
        deadline: {type: string, format: date-time}
        createdAt: {type: string, format: date-time}
        decidedAt: {type: string, format: date-time}
      required: [id, runId, tenant, request, kind, status, approverRoles, createdAt]
    ApprovalList:
      type: object
      properties:
        approvals: {type: array, items: {$ref: "#/components/schemas/ApprovalSummary"}}
      required: [approvals]
    ApprovalDecision:
      type: object
      properties:
        decision: {type: string, enum: [approved, rejected]}
        decidedBy: {type: string, minLength: 1, maxLength: 256}
        comment: {type: string, maxLength: 4000}
        editedPlan:
          description: >-
            With "approved": the plan to continue with. Steps that have started must stay as they are
            (409 plan_conflict otherwise); the others may change, go or be added.
          type: object
          properties:
            steps:
              type: array
              items:
                type: object
                properties:
                  id: {type: string}
                  specialist: {type: string, enum: [code, data, comm, browser]}
                  tool: {type: string}
                  input: {type: object}
                  dependsOn: {type: array, items: {type: string}}
                  risk: {type: string, enum: [low, medium, high]}
                  description: {type: string}
                required: [id, specialist, tool]
          required: [steps]
      required: [decision, decidedBy]
    ApprovalAccepted:
      type: object
      properties:
        approvalId: {type: string, format: uuid}
        runId: {type: string, format: uuid}
        decision: {type: string}
      required: [approvalId, runId, decision]
"""#
}
