#!/usr/bin/env bash
# Development mode: build every image from the local Dockerfiles (tagged GLS_TAG=dev, so a local
# build never passes for a release), then start the stack with .env's development values.
# Profiles: COMPOSE_PROFILES=celery for Celery workers.
set -euo pipefail
cd "$(dirname "$0")"
export GLS_TAG=dev

command -v docker >/dev/null || { echo "DEV-docker-compose-up.sh: docker is not installed" >&2; exit 1; }

answer=""
read -r -p "Remove all unused local Docker images first (docker image prune -a)? [y/N] " answer || true
case "$answer" in
    [yY]*) docker image prune -a -f ;;
esac

DOCKER_BUILDKIT=1 docker compose build
DOCKER_BUILDKIT=1 docker compose up -d
echo "Green Light Services (local build) is starting: UI http://localhost:8501, Airflow http://localhost:8080,"
echo "MLflow http://localhost:5000, model_api http://localhost:8001/docs, pgAdmin http://localhost:8888"
