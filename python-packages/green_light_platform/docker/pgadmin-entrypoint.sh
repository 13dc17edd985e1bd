#!/bin/sh
# pgAdmin of the compose stack. servers.json (written by green_light_platform.pgadmin.servers_json)
# registers RoadAccidents; its user and database are set here from the environment, and the
# passfile it names ("/pgpass", relative to the admin's storage folder) is written with the
# password. Then the image's own entrypoint runs.
set -eu
folder="/var/lib/pgadmin/storage/$(printf '%s' "$PGADMIN_DEFAULT_EMAIL" | sed 's/@/_/g')"
mkdir -p "$folder"
umask 077
printf '%s:%s:*:%s:%s\n' postgres 5432 "$GLS_PGADMIN_DB_USER" "$GLS_PGADMIN_DB_PASSWORD" > "$folder/pgpass"
python3 - <<'PY'
import json
import os

with open("/gls/servers.json") as template:
    servers = json.load(template)
for server in servers["Servers"].values():
    server["Username"] = os.environ["GLS_PGADMIN_DB_USER"]
    server["MaintenanceDB"] = os.environ["GLS_PGADMIN_DB_NAME"]
with open(os.environ["PGADMIN_SERVER_JSON_FILE"], "w") as out:
    json.dump(servers, out, indent=2)
PY
exec /entrypoint.sh "$@"
