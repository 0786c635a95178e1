# PRIMAS container: migrations, then the server. Kept in step with the Makefile (uv sync --frozen,
# primas migrate, primas serve). Configure with PRIMAS_DATABASE_URL and PRIMAS_SECRET_KEY.

FROM python:3.11-slim AS build
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /srv/primas
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY alembic.ini ./
COPY app app
COPY templates templates
COPY migrations migrations
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /home/primas primas
WORKDIR /srv/primas
COPY --from=build /srv/primas /srv/primas
RUN mkdir -p var && chown primas:primas var
ENV PATH=/srv/primas/.venv/bin:$PATH PRIMAS_ENV=production PORT=8000
USER primas
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["sh", "-c", "primas migrate && exec primas serve --host 0.0.0.0 --port \"$PORT\""]
