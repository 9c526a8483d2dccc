# Periskop server + UI.
#   docker build --tag periskop .
#   docker run -v path/to/config.yaml:/etc/periskop/periskop.yaml -p 8080:8080 periskop
# The image reads /etc/periskop/periskop.yaml (CONFIG_FILE), listens on 8080 and keeps its data
# (the embedded event log, a SQLite read model: relative `data/…` paths in the config) under the
# working directory /var/lib/periskop, a volume.

# ---- build: server (tsc), client library, Angular UI; better-sqlite3 compiled from source ----
FROM node:22-bookworm-slim AS build
# .prebuild-installrc says build-from-source: node-gyp needs a compiler and python, and finds
# the Node headers that ship in the image (no download).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    NG_CLI_ANALYTICS=false
WORKDIR /src
# Manifests first, so the dependency layer is cached while only sources change.
# The root postinstall runs `npm ci --prefix client` for the UI.
COPY package.json package-lock.json .prebuild-installrc ./
COPY packages/periskop-client/package.json packages/periskop-client/
COPY client/package.json client/package-lock.json client/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: only what `node dist/main.js` loads ----
FROM node:22-bookworm-slim
# GLIBC_TUNABLES: src/server-node-flags.ts (large blocks given back to the system when freed).
ENV NODE_ENV=production \
    CONFIG_FILE=/etc/periskop/periskop.yaml \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
WORKDIR /app
# The same layout as the repository: dist/app.js serves ../client/dist/browser, dist/version.ts
# reads ../package.json, node_modules/@periskop/client links to ../../packages/periskop-client.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/packages/periskop-client/package.json packages/periskop-client/
COPY --from=build /src/packages/periskop-client/dist packages/periskop-client/dist
COPY --from=build /src/client/dist client/dist
# A working default (memory read model, embedded log, scrapes itself); mount yours over it.
COPY config/periskop.yaml /etc/periskop/periskop.yaml
# The official image's unprivileged user `node`, by number so Kubernetes' runAsNonRoot can check it.
RUN mkdir -p /var/lib/periskop && chown 1000:1000 /var/lib/periskop
USER 1000:1000
WORKDIR /var/lib/periskop
VOLUME ["/var/lib/periskop"]
EXPOSE 8080
# The slim image has no curl: Node's fetch does the probe. 503 (database or log down) is unhealthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/-/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The V8 flags of src/server-node-flags.ts: a heap sized by what lives, not by a scrape round's garbage.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=25", "/app/dist/main.js"]
CMD ["serve"]
