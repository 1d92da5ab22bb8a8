"""Rich outputs: every object reads well as text in a terminal and renders as HTML in JupyterLab.

Every HTML output goes through `html_output`: one stylesheet for all of them, written with
JupyterLab's `--jp-*` CSS variables so outputs follow the light, dark or any other theme (the
fallbacks serve front ends without them), and a root element MathJax skips, so that text such as
`$HADOOP_CONF_DIR=…, $JAVA_HOME=…` is never typeset as maths. Text goes through `escape`, which
also renders Markdown `code` spans as <code>. The terminal form colours levels with ANSI codes
only when it is written to a terminal (`colour`), never into files, pipes or saved notebooks.
"""

from __future__ import annotations

import html
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

# One stylesheet for every output, sent with each (outputs are rendered independently, saved
# in notebooks and shown without the extension). Every rule is scoped by a sparkconnect class.
# The `div.sparkconnect` prefix and classes on the elements outweigh JupyterLab's own rules for
# rendered HTML (`.jp-ThemedContainer .jp-RenderedHTMLCommon pre`, striped table rows, ...).
STYLESHEET = """
div.sparkconnect{container-type:inline-size;font-family:var(--jp-ui-font-family,sans-serif);
 font-size:var(--jp-ui-font-size1,13px);line-height:1.45;color:var(--jp-content-font-color1,inherit)}
div.sparkconnect code.sparkconnect-inline{font-family:var(--jp-code-font-family,monospace);
 font-size:inherit;background:var(--jp-layout-color2,rgba(128,128,128,.15));color:inherit;
 border-radius:3px;padding:0 3px;white-space:normal;overflow-wrap:anywhere}
div.sparkconnect pre.sparkconnect-pre{margin:4px 0;padding:0;white-space:pre-wrap;overflow:auto;
 word-break:normal;overflow-wrap:anywhere;
 font-family:var(--jp-code-font-family,monospace);font-size:var(--jp-code-font-size,12px);
 line-height:1.4;background:none;color:inherit;border:none}
div.sparkconnect pre.sparkconnect-code{white-space:pre;padding:4px 8px;border-radius:4px;
 background:var(--jp-cell-editor-background,rgba(128,128,128,.1));
 border:1px solid var(--jp-border-color2,rgba(128,128,128,.35))}
div.sparkconnect .sparkconnect-box{display:inline-block;max-width:100%;box-sizing:border-box;
 border:1px solid var(--jp-border-color2,rgba(128,128,128,.35));border-radius:6px;
 padding:6px 10px;margin:2px 0}
div.sparkconnect .sparkconnect-failure{border-color:var(--jp-error-color1,#d32f2f)}
div.sparkconnect .sparkconnect-title{font-weight:600}
div.sparkconnect .sparkconnect-failure .sparkconnect-title{color:var(--jp-error-color1,#d32f2f)}
div.sparkconnect table.sparkconnect-rows{border-collapse:collapse;margin:4px 0;table-layout:auto;
 font-size:inherit;color:inherit}
div.sparkconnect table.sparkconnect-rows tr{background:none}
div.sparkconnect table.sparkconnect-rows th{text-align:left;vertical-align:top;font-weight:600;
 padding:1px 12px 1px 0;white-space:nowrap;line-height:inherit}
div.sparkconnect table.sparkconnect-rows td{text-align:left;vertical-align:top;padding:1px 0;
 white-space:normal;overflow-wrap:anywhere;line-height:inherit}
div.sparkconnect .sparkconnect-note,div.sparkconnect .sparkconnect-info,
div.sparkconnect .sparkconnect-dim{color:var(--jp-content-font-color2,#6e6e6e)}
div.sparkconnect .sparkconnect-warn{color:var(--jp-warn-color0,#b35c00)}
div.sparkconnect .sparkconnect-error{color:var(--jp-error-color1,#d32f2f)}
div.sparkconnect .sparkconnect-success{color:var(--jp-success-color1,#2e7d32)}
div.sparkconnect ul{margin:2px 0;padding-left:20px}
div.sparkconnect details>summary{cursor:pointer;color:var(--jp-content-font-color2,#6e6e6e)}
div.sparkconnect .sparkconnect-log-error,div.sparkconnect .sparkconnect-log-fatal{
 color:var(--jp-error-color1,#d32f2f);font-weight:600}
div.sparkconnect .sparkconnect-log-warn{color:var(--jp-warn-color0,#b35c00)}
div.sparkconnect .sparkconnect-log-debug,div.sparkconnect .sparkconnect-log-trace{
 color:var(--jp-content-font-color3,#8a8a8a)}
div.sparkconnect-progress{font-size:12px}
div.sparkconnect .sparkconnect-progress-row{display:flex;align-items:center;gap:8px;margin:2px 0;
 white-space:nowrap}
div.sparkconnect .sparkconnect-progress-track{flex:0 1 220px;min-width:48px;height:10px;
 border-radius:5px;background:var(--jp-layout-color3,rgba(128,128,128,.3));overflow:hidden}
div.sparkconnect .sparkconnect-progress-fill{height:100%;background:var(--jp-brand-color1,#1976d2);
 transition:width .3s}
div.sparkconnect .sparkconnect-progress-text{flex:0 0 auto;max-width:calc(100% - 56px);
 overflow:hidden;text-overflow:ellipsis}
div.sparkconnect .sparkconnect-scroll{overflow:auto;max-width:100%;max-height:26em}
div.sparkconnect .sparkconnect-scroll table.dataframe{margin:0;table-layout:auto}
div.sparkconnect .sparkconnect-scroll thead th{position:sticky;top:0;z-index:1;
 background:var(--jp-layout-color0,Canvas)}
div.sparkconnect .sparkconnect-scroll td,div.sparkconnect .sparkconnect-scroll th{
 white-space:nowrap}
div.sparkconnect .sparkconnect-scroll td,div.sparkconnect .sparkconnect-scroll th{text-align:left}
div.sparkconnect .sparkconnect-scroll .sparkconnect-number{text-align:right}
.jp-OutputArea:has(div.sparkconnect-error-details) .jp-RenderedText pre{word-break:normal;
 overflow-wrap:anywhere}
div.sparkconnect .sparkconnect-type{font-weight:normal;font-size:11px;
 color:var(--jp-content-font-color2,#6e6e6e)}
@container (max-width:500px){
 div.sparkconnect table.sparkconnect-long tr{display:block;margin-bottom:3px}
 div.sparkconnect table.sparkconnect-long th,div.sparkconnect table.sparkconnect-long td{
  display:block;padding:0}
 div.sparkconnect table.sparkconnect-long td{padding-left:12px}
 div.sparkconnect table.sparkconnect-long th{white-space:normal;overflow-wrap:anywhere}
 div.sparkconnect .sparkconnect-wide{display:none}
}
""".strip()
# The header and values of a column align alike: numbers right, the rest left (JupyterLab's
# own rules align every cell right). And the short form of a Spark error, which JupyterLab shows
# in its own <pre>, breaks lines between words, not anywhere (`sc hema`) as JupyterLab's
# `word-break: break-all` for outputs would: the rule reaches it from the error's details,
# output of the same cell, whose stylesheet this is.
# Skipped by MathJax 3 (JupyterLab 4) and MathJax 2 (JupyterLab 3, classic Notebook).
NO_MATHS = "mathjax_ignore tex2jax_ignore"

_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def escape(text: str) -> str:
    """Text as HTML: escaped, with Markdown `code` spans as <code>."""
    return _CODE_SPAN.sub(r"<code class='sparkconnect-inline'>\1</code>", html.escape(text))


def html_output(kind: str, body: str, attrs: str = "") -> str:
    """The root of one HTML output: the stylesheet, and a container that MathJax skips.
    `kind` names it in the CSS class sparkconnect-<kind>, for styling and tests."""
    return (
        f"<style>{STYLESHEET}</style>"
        f"<div class='sparkconnect sparkconnect-{kind} {NO_MATHS}'{attrs}>{body}</div>"
    )


# Terminal form --------------------------------------------------------------------------------
_ANSI = {"error": "31", "warn": "33", "success": "32", "dim": "2", "bold": "1"}


def colour_enabled(stream: TextIO | None = None) -> bool:
    """ANSI colours when writing to a terminal, as command-line tools do (NO_COLOR and
    TERM=dumb turn them off); never into a file, a pipe or a Jupyter output."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def colour(text: str, style: str | None, enabled: bool | None = None) -> str:
    """`text` in the terminal colour of `style` (error, warn, success, dim, bold)."""
    code = _ANSI.get(style or "")
    if not code or not text or not (colour_enabled() if enabled is None else enabled):
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


# Secrets ------------------------------------------------------------------------------------
# Conf keys and environment variables whose values are secrets (storage keys, passwords):
# notebooks get saved and shared, so their values never reach an output.
_SECRET_NAME = re.compile(r"secret|password|passwd|token|credential|(^|[._])key$", re.IGNORECASE)


def shown_value(name: str, value: str) -> str:
    return "•••" if _SECRET_NAME.search(name) else value


# Cards --------------------------------------------------------------------------------------
LONG_LABEL = 20
"""Characters past which a card's labels go above their values in a narrow pane."""


@dataclass
class Row:
    label: str
    text: str
    html: str | None = None
    """Value as HTML (a link, say); the escaped text when None."""


@dataclass
class Card:
    """A titled list of label/value rows, an optional preformatted block, and notes."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(level, text) pairs; level is info, warn or error."""
    kind: str = "card"
    """Names the output in its CSS class (sparkconnect-<kind>), for styling and tests."""
    code: str | None = None
    """Preformatted text (an example file, say) shown in a monospaced block after the notes."""

    def note(self, text: str, level: str = "info") -> Card:
        self.notes.append((level, text))
        return self

    def __repr__(self) -> str:
        lines = [colour(self.title, "bold")]
        width = max((len(r.label) for r in self.rows), default=0)
        lines += [f"  {r.label.ljust(width)}  {r.text}" for r in self.rows]
        lines += [
            colour(f"  {'!' if level != 'info' else '-'} {text}", level)
            for level, text in self.notes
        ]
        if self.code:
            lines += [f"      {line}" if line else "" for line in self.code.splitlines()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{escape(r.label)}</th>"
            f"<td>{r.html if r.html is not None else escape(r.text)}</td></tr>"
            for r in self.rows
        )
        # Long labels (conf keys) would leave the values a sliver of a narrow pane: such rows
        # put the value under its label there (the stylesheet's container query).
        long = max((len(r.label) for r in self.rows), default=0) > LONG_LABEL
        table = (
            f"<table class='sparkconnect-rows{' sparkconnect-long' if long else ''}'>{rows}</table>"
            if rows
            else ""
        )
        notes = "".join(
            f"<div class='sparkconnect-note sparkconnect-{level}'>{escape(text)}</div>"
            for level, text in self.notes
        )
        code = (
            f"<pre class='sparkconnect-pre sparkconnect-code'>{html.escape(self.code)}</pre>"
            if self.code
            else ""
        )
        body = (
            f"<div class='sparkconnect-box'><div class='sparkconnect-title'>"
            f"{escape(self.title)}</div>{table}{notes}{code}</div>"
        )
        return html_output(self.kind, body)


def show(value: object) -> None:
    """Display `value` in the current cell's output (typed wrapper of IPython's display)."""
    from IPython.display import display

    display(value)  # type: ignore[no-untyped-call]


def publish(bundle: dict[str, str]) -> Any:
    """Display a mime bundle that can be updated in place; returns its DisplayHandle."""
    from IPython.display import display

    return display(bundle, raw=True, display_id=True)  # type: ignore[no-untyped-call]


def link(url: str, text: str | None = None) -> str:
    return f"<a href='{html.escape(url)}' target='_blank'>{html.escape(text or url)}</a>"


@dataclass
class Link:
    """A URL that is a link in JupyterLab and just the URL in a terminal."""

    url: str
    label: str
    text: str | None = None
    """The URL as text shows it, when it differs (absolute where the page's link is relative)."""

    def __repr__(self) -> str:
        return self.text or self.url

    def _repr_html_(self) -> str:
        return html_output("link", f"{escape(self.label)}: {link(self.url)}")


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
