# syntax=docker/dockerfile:1
# ai-modeler: one binary, one port. Multi-stage: a Rust builder, then a slim
# Debian runtime holding only the binary, running as a non-root user.
#
#   docker build -t ai-modeler .
#   docker run -p 3000:3000 ai-modeler          # http://localhost:3000
#
# Configuration is environment variables (see README); PORT is honoured, so
# platforms that inject it (Fly, Railway, Render) work unchanged.

FROM rust:1-slim-bookworm AS builder
WORKDIR /build
COPY . .
# Cache mounts keep the registry and target between builds; the binary is copied
# out because the target mount does not persist into the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked --bin ai-modeler \
 && install -D -m 0755 target/release/ai-modeler /out/ai-modeler

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /app /data/exports \
 && chown -R app:app /app /data
COPY --from=builder /out/ai-modeler /usr/local/bin/ai-modeler
# Defaults are embedded in the binary; this copy lets AIM_ENV=production find its file.
COPY config/ /app/config/
WORKDIR /app
USER app:app
ENV HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    DATABASE_URL=sqlite:///data/ai-modeler.db \
    AIM_ENV=production
EXPOSE 3000
# The binary probes its own /health on $PORT: no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["ai-modeler", "healthcheck"]
ENTRYPOINT ["ai-modeler"]
CMD ["serve"]
