"""The web pages: views, forms, template tags and URLs, above every domain app.

One package per domain app it shows (``web.casework``, ``web.audit``, ``web.community``,
``web.notifications``, ``web.workflows`` for Viewflow's own pages): each reads through that
app's selectors and writes through its services, and may combine several apps on one page (the
case page shows the flow's task, the audit trail's review and the community events attended).
No domain app imports anything from here.
"""
