"""The catalogue document (`fundmatch-catalogue/1`): validation, import/export and the bundled data."""
