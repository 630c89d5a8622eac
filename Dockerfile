# Tunewise: the same two steps as `make run` (migrate, then serve), on a /data volume.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    TUNEWISE_DATABASE_URL=sqlite:////data/tunewise.db TUNEWISE_HOST=0.0.0.0 TUNEWISE_PORT=8000
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . \
 && useradd --create-home --uid 10001 tunewise && mkdir -p /data && chown tunewise /data
USER tunewise
VOLUME ["/data"]
EXPOSE 8000
# Liveness: the process answers, without touching the database (a database outage is not cured by a restart).
# Readiness (/readyz: database reachable, schema at the newest migration) is for load balancers: compose.yaml's
# app servers and Caddy check it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["sh", "-c", "tunewise migrate && exec tunewise serve"]
