"""Validation of submissions and of the whole graph against the SHACL shapes: the intake
of a submission, the shapes and their targets, the checks, the findings and the report formats."""
