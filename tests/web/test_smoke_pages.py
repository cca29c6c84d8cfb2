from django.urls import reverse


def test_dashboard_renders(alice_client, plan):
    response = alice_client.get(reverse("home"))
    assert response.status_code == 200, response.content.decode()[:3000]


def test_detail_edit_submit_render(alice_client, plan):
    for name in ("plan-detail-page", "plan-edit", "plan-submit", "plan-versions"):
        response = alice_client.get(reverse(name, args=[plan.pk]))
        assert response.status_code == 200, (name, response.content.decode()[:3000])
