"""Model settings, importable without Spark or pandas (the CLI reads its defaults here)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from recwh.errors import RecwhError

FEEDBACKS = ("implicit", "explicit")
# How an interaction's confidence enters implicit ALS: the event-weighted confidence of
# fct_interactions, or 1 for every interaction (only whether the user watched counts).
CONFIDENCE_WEIGHTINGS = ("weighted", "binary")
# (regParam, alpha) pairs: what of the two is not given is chosen on the run's holdout among these
# (the first where there is no holdout). The best differs by data set: MovieLens-100k 0.1 / 1,
# half of its ratings 1 / 5, short demo histories 3 / 5 (the grids: bench/README.md).
HOLDOUT_CHOICES = ((0.1, 1.0), (1.0, 5.0), (3.0, 5.0))
# Explicit feedback fits ratings, where regParam 1 and 3 underfit (validation RMSE 1.38 at 1 on
# MovieLens-100k): its regParam is chosen by holdout RMSE among these instead; alpha does not apply.
EXPLICIT_REG_PARAMS = (0.15, 0.1, 0.3)
SPARK_DEFAULT_ALPHA = 1.0


@dataclass(frozen=True)
class AlsParams:
    feedback: str = "implicit"  # or "explicit": fit the ratings themselves
    rank: int = 24
    max_iter: int = 15
    reg_param: float | None = None  # None: chosen on the holdout, see holdout_choices
    alpha: float | None = None  # implicit feedback's confidence scale; None: as reg_param
    confidence: str = "weighted"
    seed: int = 42
    candidates: int = 100  # ALS candidates kept per user for the hybrid mart
    holdout_fraction: float = 0.2  # per-user share held out to measure the model; 0 skips it

    def __post_init__(self) -> None:
        if self.feedback not in FEEDBACKS:
            raise RecwhError(f"feedback must be one of {FEEDBACKS}, not {self.feedback!r}")
        if self.confidence not in CONFIDENCE_WEIGHTINGS:
            raise RecwhError(f"confidence must be one of {CONFIDENCE_WEIGHTINGS}, not {self.confidence!r}")
        if self.rank < 1 or self.max_iter < 1 or self.candidates < 1:
            raise RecwhError("rank, max_iter and candidates must be positive")
        if any(value is not None and value < 0 for value in (self.reg_param, self.alpha)):
            raise RecwhError("reg_param and alpha must not be negative")
        if not 0 <= self.holdout_fraction < 1:
            raise RecwhError("holdout_fraction must be in [0, 1)")

    @property
    def holdout_choices(self) -> list[AlsParams]:
        """These params completed by each choice of their feedback (HOLDOUT_CHOICES, or for explicit
        feedback EXPLICIT_REG_PARAMS): regParam and alpha where not given."""
        choices = HOLDOUT_CHOICES if self.feedback == "implicit" else \
            [(reg_param, SPARK_DEFAULT_ALPHA) for reg_param in EXPLICIT_REG_PARAMS]
        pairs = [(self.reg_param if self.reg_param is not None else reg_param,
                  self.alpha if self.alpha is not None else alpha) for reg_param, alpha in choices]
        return [replace(self, reg_param=reg_param, alpha=alpha) for reg_param, alpha in dict.fromkeys(pairs)]

    def resolved(self) -> AlsParams:
        """These params with regParam and alpha fixed: as given, else from the first choice."""
        return self.holdout_choices[0]

    @classmethod
    def from_dict(cls, values: dict) -> AlsParams:
        """From a saved dict (model_runs, tuning runs): unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})


DEFAULT_ALS = AlsParams()


@dataclass(frozen=True)
class Settings:
    """What a pipeline run uses: ALS params and the dbt vars that override dbt_project.yml's."""

    als: AlsParams = DEFAULT_ALS
    dbt_vars: dict = field(default_factory=dict)  # e.g. tuned blend weights
    tuning_run_id: str | None = None  # the `recwh tune` run they come from, if any

    def with_als(self, **changes) -> Settings:
        return replace(self, als=replace(self.als, **changes))
