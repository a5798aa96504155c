"""Drop repeated <script>/<link> entries from each page.

With Jupyter Book 1.0.4 and Sphinx 7.4, sphinx-thebe's and sphinx-togglebutton's inline
scripts reach every page twice; the second `const THEBE_JS_URL` is a SyntaxError in the
browser console. Keeping the first copy of each asset fixes it without touching the packages.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not assets:
            continue
        seen, unique = set(), []
        for asset in assets:
            ident = (getattr(asset, "filename", asset) or "", tuple(sorted(getattr(asset, "attributes", {}).items())))
            if ident not in seen:
                seen.add(ident)
                unique.append(asset)
        context[key] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
