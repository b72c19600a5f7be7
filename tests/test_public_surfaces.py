"""Each package says what others may use of it, and every failure has a status and advice."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import agent
import connections
from agent.advice import advice_for
from api.errors import CONNECTOR_STATUS, SERVICE_STATUS, status_for
from connections.errors import ConnectorFailedError, ServiceError
from connectors.errors import ConnectorError
from connectors.results import FailureClass

PACKAGES = {"agent": agent, "connections": connections}
_GENERIC_ADVICE = advice_for("no_such_failure", [], [])


def _modules(package: ModuleType) -> list[ModuleType]:
    names = [package.__name__]
    names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    return [importlib.import_module(name) for name in names]


def _error_classes(package: ModuleType) -> set[type[BaseException]]:
    """Public exception classes defined anywhere in ``package``."""
    found: set[type[BaseException]] = set()
    for module in _modules(package):
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.add(value)
    return found


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_every_exported_name_resolves(name: str) -> None:
    package = PACKAGES[name]

    for exported in package.__all__:
        assert getattr(package, exported) is not None


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_every_error_class_is_exported(name: str) -> None:
    package = PACKAGES[name]
    exported = {getattr(package, n) for n in package.__all__}

    missing = {e.__qualname__ for e in _error_classes(package) if e not in exported}

    assert not missing, f"{name}/__init__.py does not export {sorted(missing)}"


@pytest.mark.parametrize("failure", list(FailureClass), ids=str)
def test_every_failure_class_has_an_http_status(failure: FailureClass) -> None:
    assert failure in CONNECTOR_STATUS
    assert status_for(ConnectorError("x", failure=failure)) == (CONNECTOR_STATUS[failure], failure)


@pytest.mark.parametrize("failure", list(FailureClass), ids=str)
def test_every_failure_class_has_advice(failure: FailureClass) -> None:
    advice = advice_for(failure, [], [])

    assert advice
    # Only an unclassified failure gets the generic advice.
    assert (advice == _GENERIC_ADVICE) == (failure is FailureClass.UNKNOWN)


def test_every_service_error_has_an_http_status() -> None:
    errors = {e for e in _error_classes(connections) if issubclass(e, ServiceError)}
    # A connector's failure takes the status of its failure class (checked just above).
    by_failure = {ServiceError, ConnectorFailedError}

    missing = {e.__qualname__ for e in errors - by_failure if e not in SERVICE_STATUS}

    assert not missing


@pytest.mark.parametrize("failure", list(FailureClass), ids=lambda f: f.value)
def test_a_connector_failure_through_the_client_keeps_its_status(failure: FailureClass) -> None:
    error = ConnectorFailedError("It failed.", failure=failure)

    assert status_for(error) == (CONNECTOR_STATUS.get(failure, 500), failure.value)
