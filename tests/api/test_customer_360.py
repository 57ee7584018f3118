"""The 360° view over REST: interactions resolved through merges and splits, the service
indicators against hand-computed values, the timeline, `include=`, relationships and the
data-quality flags."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mdmhub.domain.actors import Role
from mdmhub.services import customer_views
from mdmhub.settings import Settings
from tests.api.conftest import ClientAs, upsert
from tests.factories import (
    LOOKALIKE,
    address,
    interaction,
    link,
    organisation,
    people,
    person,
    product,
)

BASE_KEYS = {"id", "requested_id", "status", "version"}
SECTIONS = {
    "golden": "attributes",
    "sources": "sources",
    "quality": "quality",
    "addresses": "addresses",
    "products": "products",
    "related": "related",
    "interactions": "interactions",
    "indicators": "indicators",
}
"""`include=` value -> the key it adds to the body."""


@pytest.fixture(params=["built live", "kept ready"])
def client(
    request: pytest.FixtureRequest, client: TestClient, api_settings: Settings
) -> TestClient:
    """Every test runs twice: reads built live, and reads answered from the views kept
    ready, refreshed just before each read. Refreshing only rebuilds what the store marked
    stale, so a write that forgot to mark a view would be read back old, and fail."""
    if request.param == "kept ready":
        client.event_hooks["request"].append(
            lambda sent: (
                customer_views.refresh_all(api_settings.database_url)
                if sent.url.path.endswith("/360")
                else None
            )
        )
    return client


def send(client: TestClient, *interactions: dict[str, Any]) -> None:
    response = client.post("/v1/interactions", json={"interactions": list(interactions)})
    response.raise_for_status()
    assert response.json()["refused"] == 0, response.json()


def view(client: TestClient, golden_id: str, params: Any = None) -> dict[str, Any]:
    response = client.get(f"/v1/customers/{golden_id}/360", params=params)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def timeline_ids(body: dict[str, Any]) -> list[str]:
    return [item["interaction_id"] for item in body["interactions"]["items"]]


def merge(client: TestClient, entity: str, survivor: str, retired: str) -> None:
    response = client.post(f"/v1/{entity}/golden/{survivor}/merge", json={"other": retired})
    assert response.status_code == 204, response.text


def at(day: int, hour: int = 10, minute: int = 0) -> str:
    """A moment in March 2025, in UTC."""
    return f"2025-03-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- interactions follow their records through merges and splits --------------------------


def test_an_interaction_of_a_record_shows_in_its_golden_records_360(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    send(client, interaction("1", interaction_id="call-1"))

    body = view(client, golden_id)

    assert timeline_ids(body) == ["call-1"]


def test_an_interaction_sent_before_its_customer_shows_once_the_customer_arrives(
    client: TestClient,
) -> None:
    send(client, interaction("1", interaction_id="early"))

    golden_id = upsert(client, "crm", "1", person())

    assert timeline_ids(view(client, golden_id)) == ["early"]


def test_an_interaction_naming_another_sources_record_shows_in_that_customers_360(
    client: TestClient,
) -> None:
    golden_id = upsert(client, "crm", "1", person())
    send(client, interaction("1", "shop", customer_source="crm", interaction_id="order-1"))

    body = view(client, golden_id)

    assert [(i["source"], i["interaction_id"]) for i in body["interactions"]["items"]] == [
        ("shop", "order-1")
    ]


def test_another_customers_interactions_do_not_show(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    upsert(client, "crm", "2", people(1)[0])
    send(client, interaction("1", interaction_id="mine"), interaction("2", interaction_id="theirs"))

    assert timeline_ids(view(client, golden_id)) == ["mine"]


def test_after_a_merge_the_survivor_shows_the_interactions_of_both_records(
    client: TestClient,
) -> None:
    survivor = upsert(client, "crm", "1", person())
    retired = upsert(client, "shop", "2", LOOKALIKE)
    assert survivor != retired
    send(
        client,
        interaction("1", "crm", interaction_id="crm-call", occurred_at=at(1)),
        interaction("2", "shop", interaction_id="shop-order", occurred_at=at(2)),
    )

    merge(client, "customers", survivor, retired)

    assert timeline_ids(view(client, survivor)) == ["shop-order", "crm-call"]


def test_the_360_of_a_merged_away_id_answers_with_the_survivor(client: TestClient) -> None:
    survivor = upsert(client, "crm", "1", person())
    retired = upsert(client, "shop", "2", LOOKALIKE)
    send(client, interaction("2", "shop", interaction_id="shop-order"))
    merge(client, "customers", survivor, retired)

    body = view(client, retired)

    assert body["id"] == survivor
    assert body["requested_id"] == retired
    assert timeline_ids(body) == ["shop-order"]


def test_after_a_split_each_interaction_follows_its_record(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    assert upsert(client, "shop", "2", person()) == golden_id
    send(
        client,
        interaction("1", "crm", interaction_id="crm-call"),
        interaction("2", "shop", interaction_id="shop-order"),
    )

    response = client.post(
        f"/v1/customers/golden/{golden_id}/split",
        json={"records": [{"source": "shop", "source_id": "2"}]},
    )
    assert response.status_code == 201
    new_id = response.json()["new_golden_id"]

    assert timeline_ids(view(client, golden_id)) == ["crm-call"]
    assert timeline_ids(view(client, new_id)) == ["shop-order"]


def test_after_a_split_the_indicators_follow_the_records(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    assert upsert(client, "shop", "2", person()) == golden_id
    send(
        client,
        interaction("1", "crm", type="complaint", status="open"),
        interaction("2", "shop", type="purchase", amount="10.00", currency="EUR"),
    )

    new_id = client.post(
        f"/v1/customers/golden/{golden_id}/split",
        json={"records": [{"source": "shop", "source_id": "2"}]},
    ).json()["new_golden_id"]

    kept = view(client, golden_id, {"include": "indicators"})["indicators"]
    moved = view(client, new_id, {"include": "indicators"})["indicators"]
    assert (kept["open_complaints"], kept["purchase_count"]) == (1, 0)
    assert (moved["open_complaints"], moved["purchase_count"]) == (0, 1)


# --- indicators against hand-computed values ------------------------------------------------


@pytest.fixture
def served(client: TestClient) -> str:
    """A customer (crm:1) with a hand-made service history in March 2025; every expected
    indicator below is computed by hand from this list. Sent out of order on purpose."""
    golden_id = upsert(client, "crm", "1", person())
    in_a_month = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    send(
        client,
        # A call is not a service case, whatever its status and due date: the last contact.
        interaction(interaction_id="call1", type="call", channel="phone",
                    occurred_at=at(11, 15, 30), status="open", due_at=at(1)),
        # Open complaint, due in the past: open and overdue.
        interaction(interaction_id="c1", type="complaint", channel="phone",
                    occurred_at=at(2, 8), status="open", due_at=at(9)),
        # Purchases: 19.99 + 5.01 EUR and 30.00 USD (that one from the shop).
        interaction(interaction_id="p1", type="purchase", channel="web",
                    occurred_at=at(1), amount="19.99", currency="EUR"),
        interaction(interaction_id="p3", source="shop", customer_source="crm", type="purchase",
                    channel="web", occurred_at=at(10, 9), amount="30.00", currency="USD"),
        # Open claim without a status, due in a month: open, not overdue.
        interaction(interaction_id="c2", type="claim", channel="email",
                    occurred_at=at(3, 8), due_at=in_a_month),
        # Resolved complaint: 12 hours.
        interaction(interaction_id="c3", type="complaint", channel="phone",
                    occurred_at=at(4, 8), status="resolved", resolved_at=at(4, 20)),
        interaction(interaction_id="p2", type="purchase", channel="store",
                    occurred_at=at(5, 12), amount="5.01", currency="EUR"),
        # Closed complaint without a resolution time, past its due date: neither open,
        # overdue nor in the average.
        interaction(interaction_id="c4", type="complaint", channel="web",
                    occurred_at=at(6, 0), status="closed", due_at=at(7)),
        # Open request past its due date: open and overdue.
        interaction(interaction_id="r1", type="request", channel="web",
                    occurred_at=at(7), status="in_progress", due_at=at(8)),
        # Enquiry with a resolution time and no status: resolved in 30 hours.
        interaction(interaction_id="e1", type="enquiry", channel="chat",
                    occurred_at=at(8), resolved_at=at(9, 16)),
        # Open enquiry, no due date: open, not overdue.
        interaction(interaction_id="e2", type="enquiry", channel="chat",
                    occurred_at=at(9), status="pending"),
        # A return carries an amount but is no purchase; a suggestion is no case.
        interaction(interaction_id="ret", type="return", channel="store",
                    occurred_at=at(10, 12), amount="19.99", currency="EUR"),
        interaction(interaction_id="s1", type="suggestion", channel="web",
                    occurred_at=at(10, 13), status="open"),
        # Another customer's open complaint and purchase count for them only.
        interaction("2", interaction_id="other-c", type="complaint", channel="web",
                    occurred_at=at(12), status="open", due_at=at(12, 11)),
        interaction("2", interaction_id="other-p", type="purchase", channel="web",
                    occurred_at=at(12), amount="100.00", currency="EUR"),
    )  # fmt: skip
    return golden_id


NEWEST_FIRST = ["call1", "s1", "ret", "p3", "e2", "e1", "r1", "c4", "p2", "c3", "c2", "c1", "p1"]


def indicators(client: TestClient, golden_id: str, params: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = view(client, golden_id, params or {"include": "indicators"})[
        "indicators"
    ]
    return found


def test_open_complaints_count_complaints_and_claims_not_resolved_or_closed(
    client: TestClient, served: str
) -> None:
    assert indicators(client, served)["open_complaints"] == 2  # c1, c2


def test_open_requests_count_requests_and_enquiries_not_resolved(
    client: TestClient, served: str
) -> None:
    assert indicators(client, served)["open_requests"] == 2  # r1, e2


def test_overdue_cases_are_open_service_cases_past_their_due_date(
    client: TestClient, served: str
) -> None:
    assert indicators(client, served)["overdue_cases"] == 2  # c1, r1


def test_average_resolution_hours_is_over_the_resolved_service_cases(
    client: TestClient, served: str
) -> None:
    assert indicators(client, served)["average_resolution_hours"] == pytest.approx(
        (12 + 30) / 2  # c3, e1
    )


def test_last_contact_is_the_latest_interaction_of_any_type(
    client: TestClient, served: str
) -> None:
    assert utc(indicators(client, served)["last_contact"]) == utc(at(11, 15, 30))  # call1


def test_purchase_count_counts_purchases_only(client: TestClient, served: str) -> None:
    assert indicators(client, served)["purchase_count"] == 3  # p1, p2, p3


def test_total_spent_sums_purchase_amounts_per_currency(client: TestClient, served: str) -> None:
    spent = indicators(client, served)["total_spent"]

    assert {currency: Decimal(total) for currency, total in spent.items()} == {
        "EUR": Decimal("19.99") + Decimal("5.01"),
        "USD": Decimal("30.00"),
    }


def test_first_seen_is_the_earliest_interaction_when_it_predates_the_records(
    client: TestClient, served: str
) -> None:
    assert utc(indicators(client, served)["first_seen"]) == utc(at(1))  # p1


def test_last_seen_is_the_latest_record_change_when_it_follows_every_interaction(
    client: TestClient, served: str
) -> None:
    body = view(client, served, [("include", "indicators"), ("include", "sources")])

    [record] = body["sources"]
    assert utc(body["indicators"]["last_seen"]) == utc(record["updated_at"])


def test_first_and_last_seen_come_from_the_records_without_interactions(
    client: TestClient,
) -> None:
    golden_id = upsert(client, "crm", "1", person())
    upsert(client, "shop", "2", person())
    upsert(client, "crm", "1", person(phone="+34 600 000 001"))

    body = view(client, golden_id, [("include", "indicators"), ("include", "sources")])

    created = [utc(r["created_at"]) for r in body["sources"]]
    updated = [utc(r["updated_at"]) for r in body["sources"]]
    assert utc(body["indicators"]["first_seen"]) == min(created)
    assert utc(body["indicators"]["last_seen"]) == max(updated)


def test_last_seen_is_a_later_interaction_than_any_record_change(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    later = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    send(client, interaction("1", occurred_at=later.isoformat()))

    assert utc(indicators(client, golden_id)["last_seen"]) == later


def test_a_customer_without_interactions_has_zero_indicators(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())

    found = indicators(client, golden_id)

    assert (found["open_complaints"], found["open_requests"], found["overdue_cases"]) == (0, 0, 0)
    assert (found["purchase_count"], found["total_spent"]) == (0, {})
    assert found.get("average_resolution_hours") is None
    assert found.get("last_contact") is None


def test_a_closing_status_in_capitals_closes_the_case(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    send(client, interaction("1", type="complaint", status="RESOLVED"),
         interaction("1", type="request", status="Cancelled"))  # fmt: skip

    found = indicators(client, golden_id)

    assert (found["open_complaints"], found["open_requests"]) == (0, 0)


def test_indicators_ignore_the_timeline_filters_and_paging(client: TestClient, served: str) -> None:
    everything = indicators(client, served)

    filtered = indicators(
        client,
        served,
        {"include": "indicators", "interaction_type": "call", "channel": "phone", "limit": 1},
    )

    assert filtered == everything


# --- the timeline ---------------------------------------------------------------------------


def test_the_timeline_is_newest_first(client: TestClient, served: str) -> None:
    body = view(client, served, {"include": "interactions", "limit": 50})

    assert timeline_ids(body) == NEWEST_FIRST
    assert body["interactions"]["total"] == len(NEWEST_FIRST)


def test_the_timeline_pages_with_offset_and_limit(client: TestClient, served: str) -> None:
    body = view(client, served, {"include": "interactions", "offset": 5, "limit": 5})

    assert timeline_ids(body) == NEWEST_FIRST[5:10]
    assert body["interactions"]["total"] == len(NEWEST_FIRST)
    assert body["interactions"]["offset"] == 5


def test_the_timeline_page_size_is_twenty_by_default(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    send(client, *(interaction("1", occurred_at=at(1 + n % 28, n % 24)) for n in range(25)))

    body = view(client, golden_id, {"include": "interactions"})

    assert len(body["interactions"]["items"]) == 20
    assert body["interactions"]["total"] == 25


def test_a_page_past_the_end_is_empty_with_the_total(client: TestClient, served: str) -> None:
    body = view(client, served, {"include": "interactions", "offset": 100})

    assert timeline_ids(body) == []
    assert body["interactions"]["total"] == len(NEWEST_FIRST)


def test_the_timeline_filters_on_repeated_interaction_types(
    client: TestClient, served: str
) -> None:
    body = view(
        client,
        served,
        [("include", "interactions"), ("interaction_type", "complaint"),
         ("interaction_type", "claim")],
    )  # fmt: skip

    assert timeline_ids(body) == ["c4", "c3", "c2", "c1"]
    assert body["interactions"]["total"] == 4


def test_the_timeline_filters_on_repeated_channels(client: TestClient, served: str) -> None:
    body = view(
        client, served, [("include", "interactions"), ("channel", "web"), ("channel", "store")]
    )

    assert timeline_ids(body) == ["s1", "ret", "p3", "r1", "c4", "p2", "p1"]
    assert body["interactions"]["total"] == 7


def test_type_and_channel_filters_combine(client: TestClient, served: str) -> None:
    body = view(
        client,
        served,
        {"include": "interactions", "interaction_type": "purchase", "channel": "web"},
    )

    assert timeline_ids(body) == ["p3", "p1"]


def test_an_unknown_interaction_type_filter_is_a_422(client: TestClient, served: str) -> None:
    response = client.get(f"/v1/customers/{served}/360", params={"interaction_type": "gossip"})

    assert response.status_code == 422


def test_a_timeline_item_carries_the_interaction(client: TestClient, served: str) -> None:
    body = view(client, served, {"include": "interactions", "interaction_type": "request"})

    [item] = body["interactions"]["items"]
    assert (item["source"], item["interaction_id"], item["type"]) == ("crm", "r1", "request")
    assert (item["channel"], item["status"]) == ("web", "in_progress")
    assert utc(item["due_at"]) == utc(at(8))


# --- include= -------------------------------------------------------------------------------


def test_every_section_is_returned_by_default(client: TestClient, served: str) -> None:
    assert set(view(client, served)) == BASE_KEYS | set(SECTIONS.values())


def test_include_indicators_returns_only_the_indicators(client: TestClient, served: str) -> None:
    assert set(view(client, served, {"include": "indicators"})) == BASE_KEYS | {"indicators"}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_include_one_section_returns_that_section_only(
    client: TestClient, served: str, section: str
) -> None:
    assert set(view(client, served, {"include": section})) == BASE_KEYS | {SECTIONS[section]}


def test_a_repeated_include_returns_each_chosen_section(client: TestClient, served: str) -> None:
    body = view(client, served, [("include", "golden"), ("include", "interactions")])

    assert set(body) == BASE_KEYS | {"attributes", "interactions"}


def test_a_comma_separated_include_returns_each_chosen_section(
    client: TestClient, served: str
) -> None:
    response = client.get(f"/v1/customers/{served}/360", params={"include": "golden,indicators"})

    assert response.status_code == 200
    assert set(response.json()) == BASE_KEYS | {"attributes", "indicators"}


def test_an_unknown_section_is_a_422(client: TestClient, served: str) -> None:
    response = client.get(f"/v1/customers/{served}/360", params={"include": "gossip"})

    assert response.status_code == 422


# --- relationships ----------------------------------------------------------------------------


def test_addresses_show_with_their_roles_resolved_to_golden_addresses(
    client: TestClient,
) -> None:
    billing = upsert(client, "crm", "A-1", address(), entity="addresses")
    shipping = upsert(client, "crm", "A-2", address(address_line1="Gran Vía", house_number="28"),
                      entity="addresses")  # fmt: skip
    golden_id = upsert(
        client, "crm", "1", person(),
        [link("address", "billing", "A-1"), link("address", "shipping", "A-2")],
    )  # fmt: skip

    found = view(client, golden_id, {"include": "addresses"})["addresses"]

    assert [(a["role"], a["golden_id"], a["source_id"]) for a in found] == [
        ("billing", billing, "A-1"),
        ("shipping", shipping, "A-2"),
    ]
    assert found[1]["attributes"]["address_line1"] == "Gran Vía"


def test_an_address_follows_a_merge_of_golden_addresses(client: TestClient) -> None:
    retired = upsert(client, "crm", "A-1", address(), entity="addresses")
    survivor = upsert(client, "shop", "B-7", address(address_line1="Gran Vía", house_number="28"),
                      entity="addresses")  # fmt: skip
    assert retired != survivor
    golden_id = upsert(client, "crm", "1", person(), [link("address", "billing", "A-1")])

    merge(client, "addresses", survivor, retired)

    [billing] = view(client, golden_id, {"include": "addresses"})["addresses"]
    assert (billing["role"], billing["golden_id"]) == ("billing", survivor)


def test_two_links_to_one_golden_address_in_one_role_show_once(client: TestClient) -> None:
    golden_address = upsert(client, "crm", "A-1", address(), entity="addresses")
    assert upsert(client, "shop", "B-7", address(), entity="addresses") == golden_address
    golden_id = upsert(
        client, "crm", "1", person(),
        [link("address", "home", "A-1"), link("address", "home", "B-7", "shop")],
    )  # fmt: skip

    found = view(client, golden_id, {"include": "addresses"})["addresses"]

    assert [(a["role"], a["golden_id"]) for a in found] == [("home", golden_address)]


def test_products_held_show_from_links(client: TestClient) -> None:
    held = upsert(client, "crm", "P-1", product(), entity="products")
    golden_id = upsert(client, "crm", "1", person(), [link("product", "holds", "P-1")])

    found = view(client, golden_id, {"include": "products"})["products"]

    assert [(p["role"], p["golden_id"], p["source_id"]) for p in found] == [("holds", held, "P-1")]
    assert found[0]["attributes"]["name"] == "Cafetera Express 2000"


def test_products_bought_show_from_purchases(client: TestClient) -> None:
    bought = upsert(client, "shop", "P-2", product(), entity="products")
    golden_id = upsert(client, "crm", "1", person())
    send(client, interaction("1", "shop", customer_source="crm", type="purchase",
                             amount="89.90", currency="EUR", product_source_id="P-2"))  # fmt: skip

    found = view(client, golden_id, {"include": "products"})["products"]

    assert [(p["role"], p["golden_id"], p["source"], p["source_id"]) for p in found] == [
        ("bought", bought, "shop", "P-2")
    ]


def test_a_product_named_by_a_non_purchase_is_not_shown_as_bought(client: TestClient) -> None:
    upsert(client, "shop", "P-2", product(), entity="products")
    golden_id = upsert(client, "crm", "1", person())
    send(client, interaction("1", "shop", customer_source="crm", type="complaint",
                             product_source_id="P-2"))  # fmt: skip

    assert view(client, golden_id, {"include": "products"})["products"] == []


def test_a_person_shows_the_organisation_they_work_for_as_employer(client: TestClient) -> None:
    employer = upsert(client, "crm", "ORG-1", organisation())
    golden_id = upsert(client, "crm", "1", person(), [link("customer", "employer", "ORG-1")])

    [related] = view(client, golden_id, {"include": "related"})["related"]

    assert (related["role"], related["golden_id"]) == ("employer", employer)
    assert related["attributes"]["organization_name"] == "Construcciones Ebro SL"


def test_the_organisation_shows_the_person_as_employee(client: TestClient) -> None:
    employer = upsert(client, "crm", "ORG-1", organisation())
    employee = upsert(client, "crm", "1", person(), [link("customer", "employer", "ORG-1")])

    [related] = view(client, employer, {"include": "related"})["related"]

    assert (related["role"], related["golden_id"]) == ("employee", employee)
    assert related["attributes"]["given_name"] == "José"


def test_household_members_show_each_other(client: TestClient) -> None:
    jose = upsert(client, "crm", "1", person())
    partner = upsert(client, "crm", "2", people(1)[0], [link("customer", "household", "1")])

    [of_partner] = view(client, partner, {"include": "related"})["related"]
    [of_jose] = view(client, jose, {"include": "related"})["related"]

    assert (of_partner["role"], of_partner["golden_id"]) == ("household", jose)
    assert (of_jose["role"], of_jose["golden_id"]) == ("household", partner)


def test_a_link_between_two_records_of_one_customer_is_not_a_relation(
    client: TestClient,
) -> None:
    golden_id = upsert(client, "crm", "1", person())
    assert upsert(client, "shop", "2", person(), [link("customer", "household", "1", "crm")]) == (
        golden_id
    )

    assert view(client, golden_id, {"include": "related"})["related"] == []


def test_a_link_to_a_record_not_yet_loaded_shows_unresolved(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person(), [link("customer", "employer", "ORG-9")])

    [related] = view(client, golden_id, {"include": "related"})["related"]

    assert (related["role"], related["source"], related["source_id"]) == (
        "employer",
        "crm",
        "ORG-9",
    )
    assert related.get("golden_id") is None
    assert related["attributes"] == {}


def test_a_link_resolves_once_its_target_is_loaded(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person(), [link("customer", "employer", "ORG-9")])

    employer = upsert(client, "crm", "ORG-9", organisation())

    [related] = view(client, golden_id, {"include": "related"})["related"]
    assert (related["role"], related["golden_id"]) == ("employer", employer)


def test_an_unresolved_link_answers_golden_id_null(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person(), [link("address", "billing", "A-404")])

    [billing] = view(client, golden_id, {"include": "addresses"})["addresses"]

    assert "golden_id" in billing
    assert billing["golden_id"] is None


# --- data-quality flags -----------------------------------------------------------------------


def quality(client: TestClient, golden_id: str) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = view(client, golden_id, {"include": "quality"})["quality"]
    return flags


def test_a_complete_consistent_customer_has_no_quality_flags(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())

    assert quality(client, golden_id) == []


def test_a_missing_email_is_flagged(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person(email=""))

    assert quality(client, golden_id) == [
        {"attribute": "email", "problem": "missing", "values": []}
    ]


def test_a_missing_phone_is_flagged(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person(phone=""))

    assert quality(client, golden_id) == [
        {"attribute": "phone", "problem": "missing", "values": []}
    ]


def test_an_email_the_standardiser_rejects_is_flagged_invalid_with_its_raw_value(
    client: TestClient,
) -> None:
    golden_id = upsert(client, "crm", "1", person(email="jose.garcia@"))

    assert quality(client, golden_id) == [
        {
            "attribute": "email",
            "problem": "invalid",
            "values": [{"value": "jose.garcia@", "source": "crm", "source_id": "1"}],
        }
    ]


def test_a_phone_the_standardiser_rejects_is_flagged_invalid_with_its_raw_value(
    client: TestClient,
) -> None:
    golden_id = upsert(client, "crm", "1", person(phone="12"))

    assert quality(client, golden_id) == [
        {
            "attribute": "phone",
            "problem": "invalid",
            "values": [{"value": "12", "source": "crm", "source_id": "1"}],
        }
    ]


def test_two_sources_with_different_emails_are_flagged_conflicting(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    assert upsert(client, "shop", "2", person(email="Pepe@Example.com")) == golden_id

    assert quality(client, golden_id) == [
        {
            "attribute": "email",
            "problem": "conflicting",
            "values": [
                {"value": "jose.garcia@example.com", "source": "crm", "source_id": "1"},
                {"value": "Pepe@Example.com", "source": "shop", "source_id": "2"},
            ],
        }
    ]


def test_the_same_email_written_differently_is_no_conflict(client: TestClient) -> None:
    golden_id = upsert(client, "crm", "1", person())
    assert upsert(client, "shop", "2", person(email="JOSE.Garcia@example.com")) == golden_id

    assert quality(client, golden_id) == []


# --- access and unknown ids ---------------------------------------------------------------


def test_an_agent_may_read_the_360(client: TestClient, client_as: ClientAs) -> None:
    golden_id = upsert(client, "crm", "1", person())

    response = client_as(Role.AGENT).get(f"/v1/customers/{golden_id}/360")

    assert response.status_code == 200


def test_a_source_key_may_not_read_the_360(client: TestClient, client_as: ClientAs) -> None:
    golden_id = upsert(client, "crm", "1", person())

    response = client_as(Role.SOURCE, "crm").get(f"/v1/customers/{golden_id}/360")

    assert response.status_code == 403


def test_the_360_of_an_unknown_id_is_a_404(client: TestClient) -> None:
    assert client.get("/v1/customers/cus_nope/360").status_code == 404


def test_the_360_of_a_product_golden_id_is_a_404(client: TestClient) -> None:
    product_id = upsert(client, "crm", "P-1", product(), entity="products")

    assert client.get(f"/v1/customers/{product_id}/360").status_code == 404
