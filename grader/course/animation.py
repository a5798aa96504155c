"""Small offline animations for the book's lessons.

``matplotlib``'s ``FuncAnimation.to_jshtml`` gives a self-contained player (every frame a PNG in the
page), but its HTML fetches Font Awesome from a CDN for the player's buttons and its frame ``<img>``
has no alt text. :func:`jshtml` removes the CDN link (the book's theme ships Font Awesome, whose
``fa`` classes the buttons use) and writes the alt text, so the animation works offline and says
what it shows.

    from grader.course.animation import jshtml
    HTML(jshtml(anim, alt="A 3×3 window slides over a 5×5 image ...", fps=1))
"""
from __future__ import annotations

import html
import re


def jshtml(anim, alt: str, fps: float = 1, default_mode: str = "loop") -> str:
    """The animation as offline HTML: no CDN link, the frame image described by ``alt``."""
    text = anim.to_jshtml(fps=fps, default_mode=default_mode)
    text = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">\s*', "", text)
    return text.replace('<img id="_anim_img', f'<img alt="{html.escape(alt, quote=True)}" id="_anim_img', 1)
