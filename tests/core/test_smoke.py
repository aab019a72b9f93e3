from factories import create_member, create_workspace, login


def test_login_and_start_page(client, db):
    ws = create_workspace(db, "trondelag-t")
    user = create_member(db, ws, "coordinator")
    login(client, user)
    r = client.get("/trondelag-t")
    assert r.status_code == 200, r.text
    assert "Dette venter på deg" in r.text
    r = client.get("/trondelag-t/oversikt")
    assert r.status_code == 200, r.text
    assert "Osen" in r.text
