# syntax=docker/dockerfile:1
#
# Agentry container images. One build stage compiles every product once; three runtime images
# share its output and differ only in what the service inside needs at run time:
#
#   target           image (compose)             runs                                   adds
#   runtime          agentry                     agentry, agentry-ingest, -director,    -
#   (the default)                                -model-gateway, -data-worker,
#                                                -comm-worker, -audit-writer, -notifier
#   code-worker      agentry-code-worker         agentry-code-worker                    python3
#   browser-worker   agentry-browser-worker      agentry-browser-worker                 chromium, fonts
#
# Every image holds all ten executables; the command picks one (compose `command:`, Kubernetes
# `args:`), for example `docker run --rm agentry agentry-director`. See deploy/README.md.
#
#   docker build -t agentry .
#   docker build --target code-worker -t agentry-code-worker .
#   docker build --target browser-worker -t agentry-browser-worker .

ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
# Build: every product, release mode, Swift runtime and Foundation linked statically. The C
# libraries (librabbitmq, libpq, libcurl) stay shared and come from Debian in the runtime stage.
FROM ${SWIFT_IMAGE} AS build

RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends librabbitmq-dev libpq-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, so that a source change does not fetch them again. Package.resolved pins
# their versions when it is present.
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve $([ -f Package.resolved ] && echo --force-resolved-versions)

COPY Shared ./Shared
COPY Services ./Services
COPY Tests ./Tests

# Resource bundles (the SQL migrations) are looked up next to the executable, so they are staged
# beside the binaries.
RUN swift build -c release --static-swift-stdlib \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /staging/usr/local/bin \
    && for executable in \
        agentry \
        agentry-ingest \
        agentry-director \
        agentry-model-gateway \
        agentry-code-worker \
        agentry-data-worker \
        agentry-comm-worker \
        agentry-browser-worker \
        agentry-audit-writer \
        agentry-notifier; \
    do \
        install -m 0755 "$bin/$executable" /staging/usr/local/bin/; \
    done \
    && cp -R "$bin"/*.resources /staging/usr/local/bin/

COPY deploy/docker/agentry-probe /staging/usr/local/bin/agentry-probe
RUN chmod 0755 /staging/usr/local/bin/agentry-probe

# ---------------------------------------------------------------------------------------------
# Base of every runtime image: the shared C libraries, CA certificates for TLS, time zones, an
# init process that reaps orphaned children, and an unprivileged user.
FROM ${RUNTIME_IMAGE} AS base

RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
        librabbitmq4 libpq5 libcurl4 ca-certificates tzdata tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 agentry \
    && useradd --system --uid 10001 --gid agentry --home-dir /home/agentry --create-home \
        --shell /usr/sbin/nologin agentry

COPY --from=build /staging/ /

LABEL org.opencontainers.image.title="Agentry" \
      org.opencontainers.image.description="Event-driven agent platform: ingest, director, workers, model gateway, audit writer, notifier"

# Operations servers must be reachable from outside the container (probes, Prometheus).
ENV AGENTRY_HTTP_HOST=0.0.0.0 \
    AGENTRY_LOG_FORMAT=json

USER 10001:10001
WORKDIR /home/agentry

# tini is PID 1: it forwards SIGTERM to the service (which shuts down gracefully) and reaps
# processes orphaned by scripts or by Chromium. No HEALTHCHECK: the image does not know which
# service it runs; compose calls `agentry-probe` and Kubernetes uses HTTP probes instead.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["agentry", "--help"]

# ---------------------------------------------------------------------------------------------
# Code worker: `python.run` needs an interpreter; `shell.run` uses /bin/sh from the base.
FROM base AS code-worker

USER root
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/*
USER 10001:10001

CMD ["agentry-code-worker"]

# ---------------------------------------------------------------------------------------------
# Browser worker: Debian's Chromium, a font so pages lay out, and a launcher that turns off
# Chromium's own sandbox for runtimes that forbid the user namespaces it needs (see
# deploy/README.md, "The browser worker and Chromium's sandbox").
FROM base AS browser-worker

USER root
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
COPY deploy/docker/chromium-no-sandbox /usr/local/libexec/agentry/chromium-no-sandbox
RUN chmod 0755 /usr/local/libexec/agentry/chromium-no-sandbox
USER 10001:10001

# Chromium writes its caches under $HOME; /tmp stays writable when the root file system is
# read-only (compose tmpfs, Kubernetes emptyDir).
ENV HOME=/tmp

CMD ["agentry-browser-worker"]

# ---------------------------------------------------------------------------------------------
# The default target: the base image, for every service but the code and browser workers, and
# for `agentry migrate`.
FROM base AS runtime
