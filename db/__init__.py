"""The database: engine, typed models and migrations."""
