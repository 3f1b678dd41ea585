# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY app ./app
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt .

FROM python:3.11-slim
RUN useradd --system --create-home --home-dir /home/fundmatch fundmatch \
 && mkdir -p /data && chown fundmatch /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/fundmatch
COPY alembic.ini ./
COPY alembic ./alembic
COPY data ./data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FUNDMATCH_DATA_DIR=/srv/fundmatch/data \
    FUNDMATCH_DATABASE_URL=sqlite:////data/fundmatch.db
USER fundmatch
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["fundmatch", "serve", "--host", "0.0.0.0", "--port", "8000"]
