# The hosted service: gunicorn serving paypage.create_app(); the same image runs the worker and migrations.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY sdk ./sdk
COPY paypage ./paypage
COPY locales ./locales
COPY gunicorn.conf.py ./
# The wheel does not carry locales/ yet (see docs/operations.md): put the catalogs where paypage.i18n looks.
RUN pip install '.[server]' \
    && cp -r locales "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/paypage/locales" \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin inkasso \
    && mkdir -p /data && chown inkasso /data

USER inkasso
ENV INKASSO_ENV=production \
    INKASSO_BIND=0.0.0.0:8000 \
    INKASSO_DATA_DIR=/data \
    INKASSO_LOG_FORMAT=json
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "paypage:create_app()"]
