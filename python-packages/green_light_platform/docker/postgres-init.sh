#!/usr/bin/env bash
# First start of the compose stack's PostgreSQL (docker-entrypoint-initdb.d): besides RoadAccidents
# (POSTGRES_DB, owned by the Green Light admin), the databases of Airflow and MLflow, and the UI's
# read-only role, which may read every table the admin creates in RoadAccidents (the migrations).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v admin="$POSTGRES_USER" -v road="$POSTGRES_DB" \
    -v ui_user="$GLS_UI_DATABASE_USER" -v ui_password="$GLS_UI_DATABASE_PASSWORD" <<'SQL'
CREATE DATABASE airflow OWNER :"admin";
CREATE DATABASE mlflow OWNER :"admin";
CREATE ROLE :"ui_user" WITH LOGIN PASSWORD :'ui_password';
ALTER ROLE :"ui_user" SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE :"road" TO :"ui_user";
GRANT USAGE ON SCHEMA public TO :"ui_user";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"ui_user";
ALTER DEFAULT PRIVILEGES FOR ROLE :"admin" IN SCHEMA public GRANT SELECT ON TABLES TO :"ui_user";
SQL
