"""One answer shape for every endpoint that takes one item or a batch: a single refused item
is a 422 naming its first problem; a batch answers 200 with a result per item."""

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from fastapi.responses import JSONResponse

from mdmhub.api.schemas import ErrorOut, ProblemOut


class ItemResult(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def errors(self) -> list[ProblemOut]: ...


R = TypeVar("R", bound=ItemResult)
B = TypeVar("B")


def one_or_batch(
    results: Sequence[R], batch: bool, batch_out: Callable[[int, int, list[R]], B]
) -> R | B | JSONResponse:
    if batch:
        accepted = sum(r.status == "accepted" for r in results)
        return batch_out(accepted, len(results) - accepted, list(results))
    if results[0].errors:
        problem = results[0].errors[0]
        return JSONResponse(
            status_code=422,
            content=ErrorOut(detail=problem.message, field=problem.field).model_dump(),
        )
    return results[0]
