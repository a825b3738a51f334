# syntax=docker/dockerfile:1.7
# The Ledgerline console: Next.js standalone output on Node.js 22, linux/arm64 (ECS Fargate
# Graviton, infra/lib/constructs/console-service.ts). Built by `cdk deploy` (ContainerImage.fromAsset)
# or `docker build --platform linux/arm64 .`.
#
# The base image is pinned by tag here. Pin it by digest at deploy time as well
# (`node:22.21.1-bookworm-slim@sha256:<digest>`, from `docker buildx imagetools inspect`), so a
# re-pushed tag cannot change what ships; the digest is not resolvable on machines without a registry.
ARG NODE_IMAGE=node:22.21.1-bookworm-slim

# ── dependencies: npm ci with the toolchain better-sqlite3 falls back to when no prebuilt binary
#    for this Node ABI/arch can be downloaded ──────────────────────────────────────────────────
FROM --platform=linux/arm64 ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ── build: next build with output 'standalone' (next.config.js) ─────────────────────────────────
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npx next build \
 && test -f .next/standalone/server.js \
 && test -f .next/standalone/node_modules/better-sqlite3/build/Release/better_sqlite3.node

# ── runtime: only the standalone server, its traced node_modules (better-sqlite3 compiled above
#    for this Node and arch), static assets and public files; owned by root, run as `node` ─────
FROM --platform=linux/arm64 ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    LEDGERLINE_DATA_DIR=/data \
    LEDGERLINE_ADMIN_API=false
WORKDIR /app
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
# The only writable paths (the task runs with a read-only root filesystem and mounts volumes
# here: /tmp, Next's cache, the data dir). Created and handed to the runtime user up front.
RUN mkdir -p /tmp /app/.next/cache /data \
 && chown node:node /app/.next/cache /data \
 && chmod 1777 /tmp
USER node:node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
