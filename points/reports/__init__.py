"""Reports, exports and the dashboard: the heavy building behind points/views/reports.py.

`access` says who may download what; `annual` and `dashboard` read the data; `xlsx`, `pdf` and
`charts` turn it into files; `imports` loads historical data through django-import-export.
"""
