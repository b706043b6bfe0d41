# The timeline web app: SQLite in /data by default, or PostgreSQL via TIMELINE_DATABASE_URL.
FROM python:3.11-slim

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    TIMELINE_HOST=0.0.0.0 TIMELINE_PORT=8000 TIMELINE_DATABASE_URL=sqlite:////data/timeline.db \
    TIMELINE_SEEDS_DIR=/app/seeds

WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY seeds ./seeds
RUN pip install --no-cache-dir -U pip && pip install --no-cache-dir -e . \
    && useradd --create-home --uid 10001 timeline && mkdir /data && chown timeline /data

USER timeline
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v1/topics', timeout=4).status == 200 else 1)"
CMD ["sh", "-c", "timeline ingest --if-empty \"$TIMELINE_SEEDS_DIR\" && timeline serve --workers 2"]
