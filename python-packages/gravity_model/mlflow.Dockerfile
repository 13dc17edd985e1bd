# syntax=docker/dockerfile:1
# mlflow: the MLflow tracking server and registry of the gravity model, with the PostgreSQL
# driver the official image lacks; versions pinned by the lock, the same the training uses.
# Built from the repository root: docker build -f python-packages/gravity_model/mlflow.Dockerfile .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 UV_LINK_MODE=copy
RUN pip install uv==0.13.8 && python -m venv /opt/venv
WORKDIR /src
COPY requirements.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    grep -v '^-e ' requirements.lock > constraints.txt \
    && uv pip install --python /opt/venv/bin/python -c constraints.txt mlflow "psycopg[binary]"

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 gls && useradd --system --uid 10001 --gid gls --create-home --home-dir /mlflow gls
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
WORKDIR /mlflow
USER gls
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/health', timeout=4)"]
CMD ["mlflow", "server", "--host", "0.0.0.0", "--port", "5000", "--backend-store-uri", "sqlite:////mlflow/mlflow.db", "--artifacts-destination", "/mlflow/artifacts"]
