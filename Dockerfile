# One image, two roles: `api` (HTTP) and `worker` (queue consumers, sandboxes).
# NODE_IMAGE: where no registry is reachable, docker-compose.offline.yml passes one built locally
# from Debian packages (images/compose/node, scripts/compose-offline.sh).
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
COPY scripts/prisma.sh scripts/prisma.sh
COPY prisma prisma
COPY prisma.config.ts tsconfig.json nest-cli.json ./
COPY src/config src/config
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# The worker drives the host's Docker engine; the docker CLI helps operators debug from inside.
RUN apt-get update && apt-get install -y --no-install-recommends docker.io ca-certificates tini \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/prisma prisma
COPY --from=build /app/prisma.config.ts /app/tsconfig.json ./
COPY --from=build /app/scripts scripts
COPY --from=build /app/src/config src/config
COPY --from=build /app/exercises exercises
COPY --from=build /app/public public
COPY --from=build /app/images images
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
# The api's GC setting, as package.json start:api (README, "Benchmarks": intake latency).
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
