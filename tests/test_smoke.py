import pytest


@pytest.mark.django_db
def test_demo_profile_renders(client, demo):
    response = client.get("/fr/chercheurs/razvan-pascanu/")
    assert response.status_code == 200
