"""The match engine alone on the historical 50k: no database, nothing stored.

    python bench/engine_alone.py

Reads the file as `mdmhub load` reads it, trains the customer model as `load --train`
does (EM on every record), keys the records with the features training standardised (as
the load's first-load worker takes them), and resolves them all in one call; prints each
step's seconds, the peak memory and the pairwise scores against the truth. Set beside
quality.py's `--train` load of the same file, the difference is what the hub spends
keeping what it matched (records and their versions, blocking keys, golden records with
lineage, events, review tasks, the audit entry), which Splink does not do.
"""

import resource
import time

STARTED = time.perf_counter()


def main() -> None:
    """Imports here, so that their time counts as `mdmhub load`'s start-up does."""
    from mdmhub.domain.entities import EntityType
    from mdmhub.engine.blocking import blocking_keys
    from mdmhub.engine.evaluation import pairwise_scores
    from mdmhub.engine.pipeline import IncomingRecord, resolve
    from mdmhub.engine.training import apply
    from mdmhub.services import match_models, training
    from mdmhub.services.file_records import ColumnMapping, read_records
    from mdmhub.settings import Settings
    from quality import DATA_SETS

    customer = EntityType.CUSTOMER
    [data] = [d for d in DATA_SETS if d.name == "historical_50k"]
    [(source, path)] = data.files.items()
    settings = Settings()
    mapping = ColumnMapping(data.id_column, data.mapping, frozenset(data.skip))
    records = list(read_records(path, source, mapping))
    steps = {"start and read": time.perf_counter() - STARTED}

    began = time.perf_counter()
    rows = [r.attributes for r in records]
    learned = training.learn_em(customer, settings, training.TrainingSet(rows, "file records"))
    model = apply(match_models.configured_model(customer, settings), learned.parameters)
    steps["train (EM)"] = time.perf_counter() - began

    began = time.perf_counter()
    context = match_models.context_for(model, settings)
    features = [context.standardize(customer, row, learned.standardised) for row in rows]
    keys = [blocking_keys(model.blocking_rules, f) for f in features]
    steps["key"] = time.perf_counter() - began

    began = time.perf_counter()
    incoming = [IncomingRecord(f, None, k) for f, k in zip(features, keys, strict=True)]
    resolution = resolve(model, [], incoming, settings.block_size_cap)
    steps["score and cluster"] = time.perf_counter() - began

    for step, seconds in steps.items():
        print(f"{step:<20} {seconds:>6.2f} s")
    print(f"{'total':<20} {time.perf_counter() - STARTED:>6.2f} s")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024:,} MiB")
    truth = {(source, k): v for k, v in data.truth(path).items()}
    predicted = {
        (source, r.source_id): a.cluster
        for r, a in zip(records, resolution.clustering.assignments, strict=True)
    }
    scores = pairwise_scores(truth, predicted)
    print(f"precision {scores.precision:.4f} recall {scores.recall:.4f} F1 {scores.f1:.4f}")


if __name__ == "__main__":
    main()
