{{/*
Names, labels and the shared building blocks of every service: its ConfigMap and Deployment.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "agentry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release-qualified name every resource name starts with. */}}
{{- define "agentry.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "agentry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select every pod of the release. */}}
{{- define "agentry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agentry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every resource of the release. */}}
{{- define "agentry.labels" -}}
helm.sh/chart: {{ include "agentry.chart" . }}
{{ include "agentry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: agentry
{{- end }}

{{/* <fullname>-<component>; argument: dict "root" $ "component" "director". */}}
{{- define "agentry.componentName" -}}
{{- printf "%s-%s" (include "agentry.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select one service's pods; argument as for agentry.componentName. */}}
{{- define "agentry.componentSelectorLabels" -}}
{{ include "agentry.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of one service's resources; argument as for agentry.componentName. */}}
{{- define "agentry.componentLabels" -}}
{{ include "agentry.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The pods' service account. */}}
{{- define "agentry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "agentry.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image of a variant (runtime, code-worker, browser-worker); argument: dict "root" $ "variant" "runtime". */}}
{{- define "agentry.image" -}}
{{- $image := .root.Values.image }}
{{- $repository := $image.repository }}
{{- if eq .variant "code-worker" }}
{{- $repository = $image.codeWorkerRepository }}
{{- else if eq .variant "browser-worker" }}
{{- $repository = $image.browserWorkerRepository }}
{{- end }}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $image.tag) }}
{{- end }}

{{/* The secret holding the broker URL, as a secretFiles entry. */}}
{{- define "agentry.brokerSecretFile" -}}
{{- dict "env" "AGENTRY_AMQP_URL" "existingSecret" (required "broker.existingSecret is required" .Values.broker.existingSecret) "key" .Values.broker.urlKey | toJson }}
{{- end }}

{{/* The secret holding the database URL, as a secretFiles entry. */}}
{{- define "agentry.databaseSecretFile" -}}
{{- dict "env" "AGENTRY_DATABASE_URL" "existingSecret" (required "database.existingSecret is required" .Values.database.existingSecret) "key" .Values.database.urlKey | toJson }}
{{- end }}

{{/* The channel credentials of the comm worker and the notifier that are set, as secretFiles entries. */}}
{{- define "agentry.channelSecretFiles" -}}
{{- $files := list }}
{{- with .Values.channels.slackBotToken }}
{{- if .existingSecret }}
{{- $files = append $files (dict "env" "AGENTRY_SLACK_BOT_TOKEN" "existingSecret" .existingSecret "key" .key) }}
{{- end }}
{{- end }}
{{- with .Values.channels.smtpPassword }}
{{- if .existingSecret }}
{{- $files = append $files (dict "env" "AGENTRY_SMTP_PASSWORD" "existingSecret" .existingSecret "key" .key) }}
{{- end }}
{{- end }}
{{- with .Values.channels.jiraApiToken }}
{{- if .existingSecret }}
{{- $files = append $files (dict "env" "AGENTRY_JIRA_API_TOKEN" "existingSecret" .existingSecret "key" .key) }}
{{- end }}
{{- end }}
{{- $files | toJson }}
{{- end }}

{{/* The non-secret channel settings of the comm worker and the notifier. */}}
{{- define "agentry.channelSettings" -}}
{{- with .Values.channels }}
{{- dict "AGENTRY_SLACK_API_URL" .slackApiUrl "AGENTRY_SMTP_URL" .smtpUrl "AGENTRY_SMTP_STARTTLS" .smtpStarttls "AGENTRY_SMTP_FROM" .smtpFrom "AGENTRY_SMTP_USERNAME" .smtpUsername "AGENTRY_JIRA_BASE_URL" .jiraBaseUrl "AGENTRY_JIRA_USER" .jiraUser "AGENTRY_CHANNEL_TIMEOUT_SECONDS" .timeoutSeconds | toJson }}
{{- end }}
{{- end }}

{{/*
The environment of one service, as a map: the shared settings, the service's own settings, then
config.extraEnv and the service's env (later ones win). Argument: the service arguments (see
agentry.service).
*/}}
{{- define "agentry.environment" -}}
{{- $root := .root }}
{{- $environment := dict "AGENTRY_HTTP_HOST" "0.0.0.0" "AGENTRY_HTTP_PORT" .values.opsPort "AGENTRY_LOG_LEVEL" $root.Values.config.logLevel "AGENTRY_LOG_FORMAT" $root.Values.config.logFormat "AGENTRY_SHUTDOWN_GRACE_SECONDS" $root.Values.config.shutdownGraceSeconds }}
{{- if .values.prefetch }}
{{- $_ := set $environment "AGENTRY_PREFETCH" .values.prefetch }}
{{- end }}
{{- range $name, $value := .settings }}
{{- $_ := set $environment $name $value }}
{{- end }}
{{- range $name, $value := $root.Values.config.extraEnv }}
{{- $_ := set $environment $name $value }}
{{- end }}
{{- range $name, $value := .values.env }}
{{- $_ := set $environment $name $value }}
{{- end }}
{{- $environment | toJson }}
{{- end }}

{{/*
Everything one service consists of: its ConfigMap and its Deployment. Argument:
  dict "root" $                    the chart's context
       "component" "code-worker"   name suffix and app.kubernetes.io/component
       "values" .Values.codeWorker the service's values
       "executable" "agentry-code-worker"
       "variant" "code-worker"     which image (runtime, code-worker, browser-worker)
       "settings" (dict ...)       the service's own AGENTRY_* settings
       "secretFiles" (list ...)    [{env, existingSecret, key}], read through <env>_FILE
       "apiPort" 8080              optional second container port, named api
       "autoscaled" true           KEDA owns the replica count when keda.enabled
*/}}
{{- define "agentry.service" -}}
{{- $root := .root }}
{{- $values := .values }}
{{- $names := dict "root" $root "component" .component }}
{{- $environment := include "agentry.environment" . | fromJson }}
{{- $secretFiles := concat .secretFiles (default (list) $values.secretFiles) }}
{{- $preStop := int (default 0 $values.preStopSleepSeconds) }}
{{- if le (int $root.Values.terminationGracePeriodSeconds) (add (int $root.Values.config.shutdownGraceSeconds) $preStop) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed config.shutdownGraceSeconds (%v) plus %s.preStopSleepSeconds (%v)" $root.Values.terminationGracePeriodSeconds $root.Values.config.shutdownGraceSeconds .component $preStop) }}
{{- end }}
{{- $autoscaled := and $root.Values.keda.enabled .autoscaled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "agentry.componentName" $names }}
  labels:
    {{- include "agentry.componentLabels" $names | nindent 4 }}
data:
  {{- range $name, $value := $environment }}
  {{ $name }}: {{ toString $value | quote }}
  {{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "agentry.componentName" $names }}
  labels:
    {{- include "agentry.componentLabels" $names | nindent 4 }}
spec:
  {{- if not $autoscaled }}
  replicas: {{ $values.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "agentry.componentSelectorLabels" $names | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "agentry.componentSelectorLabels" $names | nindent 8 }}
      annotations:
        checksum/config: {{ $environment | toJson | sha256sum }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $values.opsPort | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "agentry.serviceAccountName" $root }}
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- $podSecurityContext := deepCopy $root.Values.podSecurityContext }}
        {{- with $values.seccompProfile }}
        {{- $_ := set $podSecurityContext "seccompProfile" . }}
        {{- end }}
        {{- toYaml $podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "agentry.image" (dict "root" $root "variant" .variant) | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            - {{ .executable }}
          ports:
            - name: ops
              containerPort: {{ $values.opsPort }}
              protocol: TCP
            {{- with .apiPort }}
            - name: api
              containerPort: {{ . }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "agentry.componentName" $names }}
          {{- if $secretFiles }}
          env:
            {{- range $secretFiles }}
            - name: {{ printf "%s_FILE" .env }}
              value: {{ printf "/var/run/secrets/agentry/%s" .env | quote }}
            {{- end }}
          {{- end }}
          startupProbe:
            httpGet:
              path: /healthz
              port: ops
            periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.startup.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: ops
            periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: ops
            periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
          {{- if gt $preStop 0 }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", {{ $preStop | quote }}]
          {{- end }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $secretFiles }}
            - name: secrets
              mountPath: /var/run/secrets/agentry
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ default "256Mi" $values.tmpSizeLimit }}
        {{- if $secretFiles }}
        - name: secrets
          projected:
            defaultMode: 0440
            sources:
              {{- range $secretFiles }}
              - secret:
                  name: {{ required (printf "%s: a secretFiles entry for %s has no existingSecret" $.component .env) .existingSecret }}
                  items:
                    - key: {{ required (printf "%s: a secretFiles entry for %s has no key" $.component .env) .key }}
                      path: {{ .env }}
              {{- end }}
        {{- end }}
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- if and $root.Values.podDisruptionBudget.enabled (or $autoscaled (gt (int $values.replicas) 1)) }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "agentry.componentName" $names }}
  labels:
    {{- include "agentry.componentLabels" $names | nindent 4 }}
spec:
  maxUnavailable: {{ $root.Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "agentry.componentSelectorLabels" $names | nindent 6 }}
{{- end }}
{{- end }}
