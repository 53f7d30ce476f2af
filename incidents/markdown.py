"""Markdown to sanitised HTML: the only way user-written Markdown reaches a page."""

from __future__ import annotations

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "input", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "input": {"checked"},  # type and disabled are forced below
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Render Markdown and sanitise the HTML: no scripts, handlers, styles or javascript: links survive."""
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = html.replace("<li>[ ] ", '<li><input type="checkbox" disabled> ').replace(
        "<li>[x] ", '<li><input type="checkbox" checked disabled> '
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        # Only our task-list checkboxes: a hand-written <input> cannot become a text or password field.
        set_tag_attribute_values={"input": {"type": "checkbox", "disabled": "disabled"}},
    )
