from django.core.management import call_command


def test_table_counts_lists_every_table_with_its_rows(db, capsys):
    call_command("table_counts")
    lines = capsys.readouterr().out.splitlines()
    counts = dict(line.split(" ") for line in lines)
    assert lines == sorted(lines)
    assert (counts["members_member"], counts["plans_planversion"]) == ("32", "0")
    assert "django_migrations" in counts
