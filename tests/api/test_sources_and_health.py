from fastapi.testclient import TestClient


def test_a_registered_source_is_listed(client: TestClient) -> None:
    response = client.post("/v1/sources", json={"name": "erp", "trust": 0.7})

    assert response.status_code == 201
    assert "erp" in [s["name"] for s in client.get("/v1/sources").json()]


def test_registering_a_source_twice_is_a_409(client: TestClient) -> None:
    response = client.post("/v1/sources", json={"name": "crm", "trust": 0.1})

    assert response.status_code == 409


def test_a_trust_outside_0_to_1_is_a_422(client: TestClient) -> None:
    response = client.post("/v1/sources", json={"name": "erp", "trust": 1.5})

    assert response.status_code == 422
    assert client.get("/v1/sources").json()[0]["name"] == "crm"


def test_health_and_readiness_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_the_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/v1/{entity}/records" in client.get("/openapi.json").json()["paths"]
