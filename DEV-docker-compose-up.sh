#!/usr/bin/env bash
# Development mode: build every image from the local Dockerfiles (tagged GLS_TAG=dev, so a local
# build never passes for a release), then start the stack with .env's development values.
# Profiles: COMPOSE_PROFILES=celery for Celery workers.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=python-packages/green_light_platform/docker/compose-up.sh
source python-packages/green_light_platform/docker/compose-up.sh
export GLS_TAG=dev

require_docker

offer_image_prune

DOCKER_BUILDKIT=1 docker compose build
DOCKER_BUILDKIT=1 docker compose up -d
announce_stack "(local build)"
