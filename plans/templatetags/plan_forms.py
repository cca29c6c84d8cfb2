"""Render a form field with its label, help, errors and notes tied to the input for screen readers."""

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
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
# A grid of 200 lines has some 2,600 cells: each is written here in one pass rather than through
# a widget template and an inclusion tag per cell, and the <option> list of each choice is built
# once per page and reused by every row (only "selected" differs).


def _options(context, bound_field) -> str:
    cache = context.render_context.setdefault("grid_options", {})
    choices = list(bound_field.field.choices)
    key = (bound_field.name, tuple(choices))
    if key not in cache:
        cache[key] = "".join(
            format_html('<option value="{}">{}</option>', "" if value is None else value, label)
            for value, label in choices
        )
    return cache[key]


def _selected(options: str, values) -> str:
    for value in values:
        if value in (None, ""):
            continue
        needle = format_html('<option value="{}">', value)
        options = options.replace(needle, needle[:-1] + " selected>", 1)
    return options


@register.simple_tag(takes_context=True)
def grid_cell(context, bound_field, row_label_id: str, column_id: str):
    """One cell of a grid row: the control labelled by its column and row headers, its errors and notes."""
    field, widget = bound_field.field, bound_field.field.widget
    auto_id = bound_field.auto_id
    notes = getattr(bound_field.form, "notes", {}).get(bound_field.name, [])
    errors = bound_field.errors
    described = [f"{auto_id}_errors"] * bool(errors) + [f"{auto_id}_notes"] * bool(notes)
    attrs = {"id": auto_id, "name": bound_field.html_name, "aria-labelledby": f"{column_id} {row_label_id}"}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if errors:
        attrs["aria-invalid"] = "true"
    value = bound_field.value()
    if isinstance(widget, forms.HiddenInput):
        return format_html(
            '<input type="hidden" name="{}" id="{}" value="{}">', bound_field.html_name, auto_id, value or ""
        )
    list_id = context.get("datalists", {}).get(bound_field.name)
    if list_id:
        attrs["list"] = list_id
    if isinstance(widget, forms.SelectMultiple):
        attrs.update({"multiple": True, "size": "4", "data-searchable": True})
        control = format_html(
            "<select{}>{}</select>", flatatt(attrs), mark_safe(_selected(_options(context, bound_field), value or []))
        )
    elif isinstance(widget, forms.Select):
        control = format_html(
            "<select{}>{}</select>", flatatt(attrs), mark_safe(_selected(_options(context, bound_field), [value]))
        )
    elif isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            attrs["checked"] = ""
        control = format_html('<input type="checkbox"{}>', flatatt(attrs))
    elif isinstance(widget, forms.Textarea):
        text = widget.format_value(value) or ""
        control = format_html(
            '<details{}><summary>{}</summary><textarea{} rows="3">\n{}</textarea></details>',
            mark_safe(" open") if (text or errors) else "",
            bound_field.label,
            flatatt(attrs),
            text,
        )
    else:
        attrs.update({key: val for key, val in widget.attrs.items() if key in ("inputmode", "autocomplete")})
        if getattr(field, "max_length", None):
            attrs["maxlength"] = str(field.max_length)
        shown = widget.format_value(value)
        if shown is not None:
            attrs["value"] = shown
        control = format_html('<input type="{}"{}>', "text", flatatt(attrs))
    parts = [control]
    if errors:
        parts.append(
            format_html(
                '<ul class="errorlist" id="{}_errors">{}</ul>',
                auto_id,
                format_html_join("", "<li>{} {}</li>", ((_("Error:"), error) for error in errors)),
            )
        )
    if notes:
        parts.append(
            format_html(
                '<ul class="notes" id="{}_notes">{}</ul>',
                auto_id,
                format_html_join(
                    "",
                    '<li class="note note--{}">{} {}</li>',
                    (
                        (
                            note.severity,
                            _("Needed before submitting:") if note.severity == "error" else _("Warning:"),
                            note.message,
                        )
                        for note in notes
                    ),
                ),
            )
        )
    return mark_safe("".join(str(part) for part in parts))
