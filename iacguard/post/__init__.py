"""The steps after the checks: suppressions (`suppressions`, `source_comments`), the baseline
(`baseline`), changed-files filtering (`changed_files`) and redaction of secrets (`redact`, also
used by the parse stage for the values it reports)."""
