"""A connector spec holds every fact the faces need about its type, each said once."""

from __future__ import annotations

import pytest

from connectors.registry import default_registry
from connectors.results import FailureClass
from connectors.spec import ConnectorSpec, FieldSpec, Role

SPECS = {spec.type: spec for spec in default_registry().specs()}


@pytest.mark.parametrize("type_", sorted(SPECS))
def test_every_type_names_its_dsn_schemes_and_their_form(type_: str) -> None:
    spec = SPECS[type_]

    assert spec.dsn_schemes
    assert spec.dsn_form is not None


def test_no_scheme_names_two_types() -> None:
    schemes = [s for spec in SPECS.values() for s in spec.dsn_schemes]

    assert len(schemes) == len(set(schemes))


@pytest.mark.parametrize("type_", sorted(SPECS))
def test_the_failures_that_blame_a_setting_point_at_fields(type_: str) -> None:
    spec = SPECS[type_]

    blame_a_setting = {
        FailureClass.AUTH_FAILED,
        FailureClass.PERMISSION_DENIED,
        FailureClass.UNREACHABLE,
        FailureClass.TIMEOUT,
        FailureClass.TLS,
        FailureClass.BLOCKED_BY_POLICY,
    }
    assert blame_a_setting <= set(spec.reask)
    assert all(spec.reask[failure] for failure in blame_a_setting)


def test_a_reask_naming_no_field_is_refused() -> None:
    field = FieldSpec(name="host", label="Host", prompt="Which host?")

    with pytest.raises(ValueError, match="unknown fields"):
        ConnectorSpec(
            type="X",
            label="X",
            roles=(Role.INVENTORY_SOURCE,),
            fields=(field,),
            reask={FailureClass.UNREACHABLE: ("hostname",)},
        )
