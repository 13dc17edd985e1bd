# Shared by DEV- and PROD-docker-compose-up.sh (sourced, not run): what both scripts do
# around `docker compose`, written once.

# Exits naming the calling script when the docker command is missing.
require_docker() {
    command -v docker >/dev/null || { echo "$(basename "$0"): docker is not installed" >&2; exit 1; }
}

# Offers to free disk space before a build or a pull; anything but y/Y keeps the images.
offer_image_prune() {
    local answer=""
    read -r -p "Remove all unused local Docker images first (docker image prune -a)? [y/N] " answer || true
    case "$answer" in
        [yY]*) docker image prune -a -f ;;
    esac
}

# The addresses of the stack's services, as docker-compose.yml publishes them.
announce_stack() {
    echo "Green Light Services $1 is starting: UI http://localhost:8501, Airflow http://localhost:8080,"
    echo "MLflow http://localhost:5000, model_api http://localhost:8001/docs, pgAdmin http://localhost:8888"
}
