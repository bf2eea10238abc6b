# The participation ledger as an image (docs/deploy.md). Three stages:
#   build  — every dependency, then `npm run build` (swc for the server, Vite for the dashboard) into dist/;
#   deps   — production dependencies only, better-sqlite3's native addon compiled here where python3/make/g++ are;
#   runtime — node:20-bookworm-slim with dist/ and those node_modules, run as the unprivileged `node` user.
# The runtime stage never runs npm: `npm start` builds first and needs the dev dependencies the image leaves out.

FROM node:20-bookworm-slim AS toolchain
# better-sqlite3 downloads a prebuilt addon when one matches, and compiles it with these when none does.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json vite.config.mjs ./
COPY scripts ./scripts
COPY src ./src
COPY projections ./projections
RUN npm run build

FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEDGER_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The data directory, the key store and the journal's volume belong to `node` with mode 0700 (S6): a named volume
# mounted on one starts as a copy of it.
RUN mkdir -p /data /keys /journal \
 && chown node:node /data /keys /journal \
 && chmod 0700 /data /keys /journal
USER node
VOLUME ["/data"]
EXPOSE 3000
# Ready, not just alive: the store open, the views caught up, the audit trail whole (GET /readyz answers 503 else).
# Node's own fetch, since the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/src/cli/ledger.js", "serve"]
