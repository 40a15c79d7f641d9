"""``catalog-table``: a table of every system of the catalog, built from the declarations.

One table per kind (flows, delay equations, maps): name, dimension, tags and description, so that
the page lists exactly what ``chaoszoo.names()`` returns at build time.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import Directive, directives

_KIND_TITLES = {"flow": "Flows (ordinary differential equations)", "delay": "Delay differential equations",
                "map": "Maps"}


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...], widths: tuple[int, ...]) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)

    def row(cells: tuple[str, ...], literal_first: bool) -> nodes.row:
        out = nodes.row()
        for i, text in enumerate(cells):
            entry = nodes.entry()
            para = nodes.paragraph()
            para += nodes.literal(text=text) if (literal_first and i == 0) else nodes.Text(text)
            entry += para
            out += entry
        return out

    head = nodes.thead()
    head += row(header, literal_first=False)
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += row(cells, literal_first=True)
    group += body
    return table


class CatalogTable(Directive):
    """Render the catalog; ``:kind:`` (flow, delay or map) limits it to one kind."""

    has_content = False
    option_spec = {"kind": directives.unchanged}

    def run(self):
        from chaoszoo.catalog import declarations

        decls = declarations()
        wanted = self.options.get("kind")
        out: list[nodes.Node] = []
        for kind, title in _KIND_TITLES.items():
            if wanted and kind != wanted:
                continue
            rows = [(d.name, str(d.dimension), ", ".join(d.tags), d.description)
                    for d in sorted(decls.values(), key=lambda d: d.name.lower()) if d.kind == kind]
            if not rows:
                continue
            para = nodes.paragraph()
            para += nodes.strong(text=f"{title}: {len(rows)}")
            out.append(para)
            out.append(_table(rows, ("name", "dim", "tags", "description"), (18, 4, 18, 60)))
        return out


def setup(app):
    app.add_directive("catalog-table", CatalogTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
