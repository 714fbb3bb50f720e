"""Pages of the quarterly workflow (clause 四, issue 4 §2-§6): thin views over points.services.workflow.

Each view parses a form, calls one service and redirects with a message; a refused step shows the
service's Chinese message and changes nothing. Lookups: outside the user's scope 404, in scope but not
permitted 403 (`branches.access.get_object_for_user`).
"""
