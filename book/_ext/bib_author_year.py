"""One citation style in the text and on the references page: "[Chollet, 2021]".

The chapters cite author-year (`bibtex_reference_style: author_year`), but sphinxcontrib-bibtex
labels the bibliography with pybtex's alpha labels ("[Cho21]"). This registers a pybtex label
style that writes the same "Author, year" / "A and B, year" / "A et al., year" labels, and a
formatting style ``author_year`` (unsrt entries, sorted by author, year and title) that uses it:
``bibtex_default_style: author_year`` in _config.yml.
"""
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _last_name(person) -> str:
    """"LeCun", "van der Maaten": the von and last parts, braces resolved."""
    return " ".join(name.render_as("text") for name in person.rich_prelast_names + person.rich_last_names)


def label(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in persons]
    if not names:
        who = entry.fields.get("organization") or entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        seen: dict[str, int] = {}
        for entry in sorted_entries:
            text = label(entry)
            seen[text] = seen.get(text, 0) + 1
            # two works by the same authors in one year: "…, 2016a", "…, 2016b"
            yield text if seen[text] == 1 else text + "abcdefghij"[seen[text] - 1]


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "author_year"
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.labels", "author_year", AuthorYearLabels)
register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
