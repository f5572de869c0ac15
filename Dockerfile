# The portal's image: the backend bundle with the app's static files, run as a non-root user.
#
#   docker build -t golden-path-portal .
#   docker run -p 7007:7007 --env-file portal.env golden-path-portal
#
# Stages: `skeleton` keeps only the package.json files (so the install layer is cached until a
# dependency changes), `build` installs everything and builds the app and backend bundles,
# `production-dependencies` installs the backend's production dependencies on the same base image
# as the runtime stage (native modules such as better-sqlite3 get the binary for that Node and that
# libc: a prebuild, or a compile with the stage's g++), and the runtime stage copies only the results: no compilers, no dev dependencies.
# The Node version matches NODE_VERSION in scripts/env.sh (checked by packages/backend tests).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS skeleton
WORKDIR /app
COPY package.json yarn.lock .yarnrc.yml backstage.json ./
COPY .yarn/releases .yarn/releases
COPY packages packages
COPY plugins plugins
COPY templates/package.json templates/package.json
COPY worker/package.json worker/package.json
RUN find packages plugins -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

FROM ${NODE_IMAGE} AS build
# node-gyp builds better-sqlite3 during the install.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 g++ make \
    && rm -rf /var/lib/apt/lists/*
USER node
WORKDIR /app
COPY --from=skeleton --chown=node:node /app .
RUN yarn install --immutable
COPY --chown=node:node . .
# The backend build bundles every workspace package it depends on: the app's static files, and the
# Worker's build that the Cloudflare action uploads.
RUN yarn workspace @internal/image-worker build \
    && yarn workspace app build \
    && yarn workspace backend build \
    && mkdir packages/backend/dist/skeleton packages/backend/dist/bundle \
    && tar xzf packages/backend/dist/skeleton.tar.gz -C packages/backend/dist/skeleton \
    && tar xzf packages/backend/dist/bundle.tar.gz -C packages/backend/dist/bundle

FROM ${NODE_IMAGE} AS production-dependencies
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 g++ make \
    && rm -rf /var/lib/apt/lists/*
USER node
WORKDIR /app
COPY --from=build --chown=node:node /app/.yarn/releases .yarn/releases
COPY --from=build --chown=node:node /app/package.json /app/.yarnrc.yml /app/backstage.json /app/yarn.lock ./
COPY --from=build --chown=node:node /app/packages/backend/dist/skeleton/ ./
RUN yarn workspaces focus backend --production \
    && yarn cache clean --all

FROM ${NODE_IMAGE}
ARG NODE_IMAGE
# Where the image came from; the pipeline's Docker task adds the repository and commit.
LABEL org.opencontainers.image.title="golden-path-portal" \
      org.opencontainers.image.description="The golden-path developer portal (Backstage): backend bundle and app" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production
# tini reaps the processes the scaffolder spawns and forwards SIGTERM, so a rolling update lets
# running requests finish.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=production-dependencies --chown=root:root /app ./
COPY --from=build --chown=root:root /app/packages/backend/dist/bundle/ ./
# Catalog files and templates the local catalog location registers (app-config.yaml).
COPY --chown=root:root app-config.yaml app-config.production.yaml app-config.microsoft.yaml catalog-info.yaml ./
COPY --chown=root:root examples examples
COPY --chown=root:root templates templates
# The image's files belong to root and are read-only to the process; it writes only to /tmp
# (scaffolder workspaces), a writable volume in Kubernetes.
USER node
# The backend's working directory, as in development: config paths are relative to it.
WORKDIR /app/packages/backend
EXPOSE 7007
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", ".", "--config", "../../app-config.yaml", "--config", "../../app-config.production.yaml"]
