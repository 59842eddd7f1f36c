# A small image around the single executable. Build: docker build -t pharos .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npx bun build.ts

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/pharos pharos && mkdir -p /var/lib/pharos /etc/pharos \
    && chown pharos /var/lib/pharos
COPY --from=build /src/dist/pharos /usr/local/bin/pharos
COPY docker/pharos.json /etc/pharos/pharos.json
USER pharos
WORKDIR /var/lib/pharos
EXPOSE 8042 4242
VOLUME /var/lib/pharos
ENTRYPOINT ["/usr/local/bin/pharos"]
CMD ["/etc/pharos/pharos.json"]
