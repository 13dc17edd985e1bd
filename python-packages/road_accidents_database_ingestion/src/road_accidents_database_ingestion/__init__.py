"""Green Light Services ingestion: BAAC code list, readers, validation, registry and loader."""
