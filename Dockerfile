FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# DejaVu Sans: move documents (PDF) write customers' names in any script (domain/documents/render.py)
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md ./
COPY app.py config.py logging_setup.py ./
COPY db ./db
COPY domain ./domain
COPY integrations ./integrations
COPY api ./api
COPY pages ./pages
COPY components ./components
COPY demo_data ./demo_data
RUN pip install --no-cache-dir --no-deps . && useradd --create-home ccrm && mkdir -p /app/var && chown ccrm /app/var
USER ccrm
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/health').status != 200)"
CMD ["python", "app.py"]
