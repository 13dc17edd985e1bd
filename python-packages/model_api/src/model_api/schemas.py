"""What the API accepts and answers.

The prediction record is generated from `gravity_model.features.FEATURES`, the one definition
of the model's inputs: codes become enums (with their labels in the description), numbers get
their bounds, and unknown fields are refused. Every body is strict: `"3"` is not 3 and `true`
is not a code, so what the OpenAPI schema says is exactly what is accepted.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from gravity_model.features import FEATURES, Feature
from model_api.users import Role

STRICT = ConfigDict(extra="forbid", strict=True)

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$"
Username = Annotated[str, Field(min_length=3, max_length=64, pattern=USERNAME_PATTERN)]
NewPassword = Annotated[str, Field(min_length=8, max_length=256)]
# Strict enums only accept enum instances from Python objects; JSON gives strings.
RoleName = Annotated[Role, Field(strict=False)]


def _not_a_boolean(value: object) -> object:
    """JSON `true` equals the code 1 in Python; refuse it as the schema does."""
    if isinstance(value, bool):
        raise ValueError("Input should be one of the codes, not a boolean")
    return value


def _describe(feature: Feature) -> str:
    text = f"{feature.label_en} ({feature.label_fr}). {feature.description}"
    if feature.kind == "numeric" and feature.unit:
        text += f" Unit: {feature.unit}."
    if feature.codes:
        text += " Codes: " + "; ".join(f"{code.value} = {code.en}" for code in feature.codes) + "."
    return text + " null: unknown."


def _record_field(feature: Feature) -> Any:
    """Required (a forgotten field is an error) but nullable (the model knows "unknown")."""
    description = _describe(feature)
    if feature.kind == "categorical":
        codes = tuple(feature.domain)
        annotation: Any = Literal[codes]
        if all(isinstance(code, int) for code in codes):
            annotation = Annotated[annotation, BeforeValidator(_not_a_boolean)]
        return Annotated[annotation | None, Field(description=description)]
    if feature.kind == "numeric":
        low, high = feature.domain
        number = Field(ge=low, le=high, allow_inf_nan=False, description=description)
        return Annotated[float | None, number]
    return Annotated[StrictBool | None, Field(description=description)]


def example_record(features: Sequence[Feature] = FEATURES) -> dict[str, object]:
    """A valid record (first code, middle of each range): docs example and model warm-up."""
    record: dict[str, object] = {}
    for feature in features:
        if feature.kind == "categorical":
            record[feature.name] = next(iter(feature.domain))
        elif feature.kind == "numeric":
            low, high = feature.domain
            record[feature.name] = (low + high) / 2
        else:
            record[feature.name] = False
    return record


def record_type(features: Sequence[Feature]) -> type[dict[str, Any]]:
    """The type of one prediction record.

    A TypedDict rather than a model: pydantic validates the JSON straight into the dict that
    `records_to_frame` takes, which saves building and dumping one object per record (a
    third of the API's own time on a 10,000-record batch).
    """
    fields = {feature.name: _record_field(feature) for feature in features}
    record = TypedDict("AccidentRecord", fields)  # type: ignore[operator]
    record.__pydantic_config__ = ConfigDict(  # type: ignore[attr-defined]
        extra="forbid", strict=True, json_schema_extra={"examples": [example_record(features)]}
    )
    return record


AccidentRecord = record_type(FEATURES)


class ModelRef(BaseModel):
    name: str
    version: str
    alias: str


class BatchItem(BaseModel):
    probability: float = Field(ge=0, le=1)
    predicted_class: Literal[0, 1]


class Prediction(BatchItem):
    prediction: list[Literal[0, 1]] = Field(
        description="`[predicted_class]`: the answer of the 2024 API, kept for its clients."
    )
    threshold: float = Field(description="Probability from which the class is 1 (KSI).")
    model: ModelRef


class BatchPrediction(BaseModel):
    model: ModelRef
    threshold: float
    predictions: list[BatchItem] = Field(description="One per record, in the request's order.")


class Contribution(BaseModel):
    feature: str
    label: str
    value: int | float | str | bool | None
    effect: float = Field(description="Signed push on the KSI probability (positive: up).")


class Explanation(Prediction):
    contributions: list[Contribution] = Field(description="Strongest effects first.")


class ModelDescription(BaseModel):
    name: str
    version: str
    alias: str
    threshold: float
    metrics: dict[str, float]
    data_years: list[int]
    trained_at: datetime | None
    loaded_at: datetime
    fast_path: bool = Field(
        description="Whether records are scored through the verified fast path (gravity_model"
        ".scoring); false means the full scikit-learn model, about 30 ms a call."
    )
    last_refresh_error: str | None = Field(
        description="Why the last refresh failed while this model kept serving; null if it did not."
    )


class Refreshed(BaseModel):
    previous_version: str | None
    model: ModelDescription


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    model: bool
    database: bool
    problems: list[str]


class Message(BaseModel):
    message: str


class Problem(BaseModel):
    detail: str


class Credentials(BaseModel):
    model_config = STRICT
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Signup(BaseModel):
    model_config = STRICT
    username: Username
    password: NewPassword


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, no secret
    expires_in: int = Field(description="Seconds until the token expires.")


class UserOut(BaseModel):
    username: str
    role: Role
    disabled: bool
    created_at: datetime


class UserCreate(BaseModel):
    model_config = STRICT
    username: Username
    password: NewPassword
    role: RoleName = Role.USER


class UserUpdate(BaseModel):
    model_config = STRICT
    role: RoleName | None = None
    disabled: StrictBool | None = None
    password: NewPassword | None = None
