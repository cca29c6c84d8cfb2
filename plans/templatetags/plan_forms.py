"""Render a form field with its label, help, errors and notes tied to the input for screen readers."""

from django import forms, template

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
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
