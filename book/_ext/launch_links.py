"""How to open a page, in words, and no launch button that cannot work.

* Every exercise page gets a line under its title: "Open this exercise in Colab · Binder ·
  download the notebook", with the same links as the theme's launch and download buttons.
* The JupyterHub launch button is hidden while `launch_buttons.jupyterhub_url` in _config.yml is
  a placeholder (a host under a reserved example domain, RFC 2606): it would open nothing.
"""
import fnmatch
import html
from urllib.parse import urlparse

EXERCISE_PAGES = "exercises/*/*"
EXAMPLE_DOMAINS = ("example", "example.org", "example.com", "example.net", "invalid", "localhost")


def is_placeholder(url: str | None) -> bool:
    """True for an empty URL or one whose host is a reserved example domain."""
    host = (urlparse(url or "").hostname or "").lower()
    return not host or any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)


def _hide_placeholder_hub(app, config):
    launch = (config.html_theme_options or {}).get("launch_buttons") or {}
    if "jupyterhub_url" in launch and is_placeholder(launch["jupyterhub_url"]):
        launch.pop("jupyterhub_url")


def _launch_urls(header_buttons) -> dict[str, str]:
    urls = {}
    for group in header_buttons or []:
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("type") == "link" and button.get("text") in ("Binder", "Colab", "JupyterHub"):
                urls[button["text"]] = button["url"]
    return urls


def open_line(urls: dict[str, str], download: str | None, source: str, how: str) -> str:
    """The HTML line under an exercise page's title (empty when there is nothing to link)."""
    links = [f'<a class="reference external" href="{html.escape(urls[name])}">{name}</a>'
             for name in ("Colab", "Binder", "JupyterHub") if name in urls]
    if download:
        links.append(f'<a class="reference download" href="{html.escape(download)}" download>'
                     "download the notebook</a>")
    if not links:
        return ""
    return ('<p class="open-exercise"><span class="open-exercise-label">Open this exercise in</span> '
            + " · ".join(links)
            + f' <span class="open-exercise-note">(on your own machine: <code class="literal">'
              f'jupyter lab {html.escape(source)}</code>; see <a href="{html.escape(how)}">'
              "how the exercises work</a>)</span></p>")


def _add_open_line(app, pagename, templatename, context, doctree):
    if not fnmatch.fnmatch(pagename, EXERCISE_PAGES) or "body" not in context:
        return
    source = context.get("sourcename", "")
    download = f"{context['pathto']('_sources', 1)}/{source}" if source.endswith(".ipynb") else None
    how = context["pathto"]("book/how_to_use") + "#how-exercises-work"
    line = open_line(_launch_urls(context.get("header_buttons")), download, pagename + ".ipynb", how)
    if not line:
        return
    body = context["body"]
    end = body.find("</h1>")
    if end == -1:
        context["body"] = line + body
    else:
        end += len("</h1>")
        context["body"] = body[:end] + "\n" + line + body[end:]


def setup(app):
    app.connect("config-inited", _hide_placeholder_hub)
    app.connect("html-page-context", _add_open_line, priority=600)   # after the theme's buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
