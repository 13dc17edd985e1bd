#!/usr/bin/env bash
# Production mode: pull the released images at GLS_TAG (default latest), then start the stack.
# Refuses to start while any secret of .env's "secrets" block is unset in the environment or still
# has its development value, and names them. Profiles: COMPOSE_PROFILES=celery for Celery workers.
#   GLS_TAG=v0.2.0 ADMIN_PASSWORD=... GLS_JWT_SECRET=... ./PROD-docker-compose-up.sh
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=python-packages/green_light_platform/docker/compose-up.sh
source python-packages/green_light_platform/docker/compose-up.sh
export GLS_TAG="${GLS_TAG:-latest}" GLS_ENVIRONMENT=production

development_secrets() {
    sed -n '/^# >>> secrets/,/^# <<< secrets/p' .env | grep -E '^[A-Za-z_][A-Za-z0-9_]*='
}

unsafe=()
while IFS= read -r line; do
    name="${line%%=*}"
    development_value="${line#*=}"
    value="${!name-}"
    if [ -z "$value" ] || [ "$value" = "$development_value" ]; then
        unsafe+=("$name")
    fi
done < <(development_secrets)
if [ "${#unsafe[@]}" -gt 0 ]; then
    {
        echo "PROD-docker-compose-up.sh: refusing to start: these secrets are unset or still have"
        echo "their development value from .env; set each one in the environment:"
        printf '  %s\n' "${unsafe[@]}"
    } >&2
    exit 1
fi

require_docker

offer_image_prune

echo "pulling the images at GLS_TAG=${GLS_TAG}"
docker compose pull
DOCKER_BUILDKIT=1 docker compose up -d --no-build
announce_stack "${GLS_TAG}"
