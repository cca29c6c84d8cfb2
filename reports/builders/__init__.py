"""The report's files: everything they show comes from `ReportData`, gathered once per build."""
