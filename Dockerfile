# catalog-scorecard-pipe — the Bitbucket Pipe image.
# The base is a Debian-based Node 20 slim image; CI builds it from a local stand-in of the same
# name because its machines cannot pull from Docker Hub (see .ci/docker.sh).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts=false
COPY tsconfig.json ./
COPY scripts ./scripts
COPY schemas ./schemas
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="catalog-scorecard-pipe" \
      org.opencontainers.image.description="Bitbucket Pipe: catalog descriptor validation and scorecard rules on the default branch and the commit" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://bitbucket.org/catalog-scorecard/catalog-scorecard-pipe" \
      org.opencontainers.image.licenses="MIT"
# git reads the clone; the official slim image has none, so install it when missing.
RUN command -v git >/dev/null 2>&1 || (apt-get update \
      && apt-get install -y --no-install-recommends git ca-certificates \
      && rm -rf /var/lib/apt/lists/*)
COPY --from=build /src/dist/pipe.cjs /pipe.cjs
COPY pipe.yml README.md LICENSE /
# Runs as the image's unprivileged "node" user. The clone Pipelines mounts belongs to another
# uid; the pipe passes `-c safe.directory=*` to every git call it makes, and only reads.
USER node
ENTRYPOINT ["node", "/pipe.cjs"]
