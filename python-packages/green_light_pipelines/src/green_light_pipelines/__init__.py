"""Green Light Services pipelines: what the Airflow DAGs run, and Airflow within `gls up`."""
