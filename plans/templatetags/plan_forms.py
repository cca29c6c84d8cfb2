"""Render a form field with its label, help, errors and notes tied to the input for screen readers."""

from html import escape

from django import forms, template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("plans/_field.html")
def field(bound_field, css_class=""):
    auto_id = bound_field.auto_id
    notes = getattr(bound_field.form, "notes", {}).get(bound_field.name, [])
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{auto_id}_helptext")
    if bound_field.errors:
        described_by.append(f"{auto_id}_errors")
    if notes:
        described_by.append(f"{auto_id}_notes")
    attrs = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    widget = bound_field.field.widget
    return {
        "field": bound_field,
        "widget_html": bound_field.as_widget(attrs=attrs),
        "notes": notes,
        "is_group": isinstance(widget, forms.CheckboxSelectMultiple),
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
        "css_class": css_class,
    }


@register.filter
def bound(form, name):
    """`form|bound:name`: the form's bound field of that name."""
    return form[name]


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# The grid editor -------------------------------------------------------------------------------
#
# A grid of 200 lines has some 2,800 cells: each row is written here in one pass with the
# standard library's escaping, rather than through a widget template and a tag per cell, and the
# <option> list of each choice is built once per page and reused by every row (only "selected"
# differs). What each control says to a screen reader: its column header and its row header.


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {key}" if value is True else f' {key}="{escape(str(value), quote=True)}"'
        for key, value in attrs.items()
        if value is not None and value is not False
    )


def _option_tags(choices) -> str:
    # A choice whose label is a list is a group (the catalogue's items under their category).
    html = ""
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            html += f'<optgroup label="{escape(str(value), quote=True)}">{_option_tags(label)}</optgroup>'
        else:
            code = escape("" if value is None else str(value), quote=True)
            html += f'<option value="{code}">{escape(str(label))}</option>'
    return html


def _options(cache: dict, bound_field) -> str:
    # Every row of a formset offers the same choices for a field: built on its first row.
    key = (type(bound_field.form), bound_field.name)
    if key not in cache:
        cache[key] = _option_tags(bound_field.field.choices)
    return cache[key]


def _selected(options: str, values) -> str:
    for value in values:
        if value in (None, ""):
            continue
        needle = f'<option value="{escape(str(value), quote=True)}">'
        options = options.replace(needle, needle[:-1] + " selected>", 1)
    return options


def _messages(auto_id: str, errors, notes) -> str:
    html = ""
    if errors:
        items = "".join(f"<li>{escape(_('Error:'))} {escape(str(error))}</li>" for error in errors)
        html += f'<ul class="errorlist" id="{auto_id}_errors">{items}</ul>'
    if notes:
        items = "".join(
            f'<li class="note note--{note.severity}">'
            f"{escape(_('Needed before submitting:') if note.severity == 'error' else _('Warning:'))} "
            f"{escape(str(note.message))}</li>"
            for note in notes
        )
        html += f'<ul class="notes" id="{auto_id}_notes">{items}</ul>'
    return html


def _control(cache: dict, bound_field, labelled_by: str, list_id: str | None) -> str:
    field, widget = bound_field.field, bound_field.field.widget
    auto_id = bound_field.auto_id
    value = bound_field.value()
    if isinstance(widget, forms.HiddenInput):
        return f'<input type="hidden"{_attrs({"name": bound_field.html_name, "id": auto_id, "value": value or ""})}>'
    notes = getattr(bound_field.form, "notes", {}).get(bound_field.name, [])
    errors = bound_field.form.errors.get(bound_field.name) if bound_field.form.is_bound else None
    described = [f"{auto_id}_errors"] * bool(errors) + [f"{auto_id}_notes"] * bool(notes)
    attrs: dict = {"id": auto_id, "name": bound_field.html_name, "aria-labelledby": labelled_by}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if errors:
        attrs["aria-invalid"] = "true"
    if isinstance(widget, forms.SelectMultiple):
        attrs.update({"multiple": True, "size": "4", "data-searchable": True})
        control = f"<select{_attrs(attrs)}>{_selected(_options(cache, bound_field), value or [])}</select>"
    elif isinstance(widget, forms.Select):
        control = f"<select{_attrs(attrs)}>{_selected(_options(cache, bound_field), [value])}</select>"
    elif isinstance(widget, forms.CheckboxInput):
        attrs["checked"] = widget.check_test(value)
        control = f'<input type="checkbox"{_attrs(attrs)}>'
    elif isinstance(widget, forms.Textarea):
        text = widget.format_value(value) or ""
        opened = " open" if (text or errors) else ""
        control = (
            f"<details{opened}><summary>{escape(str(bound_field.label))}</summary>"
            f'<textarea{_attrs(attrs)} rows="3">\n{escape(text)}</textarea></details>'
        )
    else:
        attrs.update({key: val for key, val in widget.attrs.items() if key in ("inputmode", "autocomplete")})
        attrs["list"] = list_id
        attrs["maxlength"] = getattr(field, "max_length", None)
        attrs["value"] = widget.format_value(value)
        control = f'<input type="text"{_attrs(attrs)}>'
    return control + _messages(auto_id, errors, notes)


@register.simple_tag(takes_context=True)
def grid_row(context, form, prefix: str, columns, number=""):
    """One row of the grid: a row header (the row's number), a cell a column, and "Delete"."""
    cache = context.render_context.setdefault("grid_options", {})
    lists = context.get("datalists", {})
    row_id = escape(f"{form.prefix}-row", quote=True)
    hidden = "".join(_control(cache, field, "", None) for field in form.hidden_fields())
    cells = []
    for name, _label in [*columns, ("DELETE", "")]:
        bound_field = form[name]
        error = " cell--error" if form.is_bound and form.errors.get(name) else ""
        labelled_by = f"{prefix}-col-{name} {row_id}"
        cells.append(
            f'<td class="cell cell--{"remove" if name == "DELETE" else name}{error}">'
            f"{_control(cache, bound_field, labelled_by, lists.get(name))}</td>"
        )
    # Every value in this row went through escape() (attributes, options, labels, texts): safe.
    return mark_safe(  # nosec B308 B703
        f'<tr data-row><th scope="row" id="{row_id}">{escape(str(number))}{hidden}</th>{"".join(cells)}</tr>'
    )
