"""``formkit web``: the same jobs as the command line, on a page served to this computer only.

The page is for staff who never open a terminal. It calls exactly what the CLI calls —
``load_case``, ``check``, each family's ``plan(case, options)`` and ``output.write`` — and holds
no document logic of its own. ``guard`` keeps it safe on a shared workstation (loopback only, a
token, a session cookie, CSRF, checked uploads, paths kept inside the chosen folder),
``jobs`` turns a form into a family's options, ``runs`` writes a batch in the background with
progress, ``preview`` shows the first document, ``app`` has the views and ``server`` runs it.
"""
