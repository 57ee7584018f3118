from mdmhub.api.app import create_app
from mdmhub.api.schemas import Customer360Out


def test_the_360_example_in_the_openapi_document_is_a_valid_360_answer() -> None:
    schema = create_app().openapi()["components"]["schemas"]["Customer360Out"]

    [example] = schema["examples"]

    assert Customer360Out.model_validate(example).indicators is not None
