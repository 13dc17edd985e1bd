"""Green Light Services model_api: the FastAPI service serving the champion gravity model."""
