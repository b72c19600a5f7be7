"""How Snowflake errors are classified, built as the connector raises them.

No real Snowflake can run here, so the errors Snowflake's login service and SQL engine
return are constructed with the connector's own exception classes and error numbers.
"""

from __future__ import annotations

import pytest
from snowflake.connector import errors as sf_errors

from connectors.results import FailureClass
from connectors.snowflake.errors import ConnectTarget, classify
from connectors.sql.session import TableRef

TARGET = ConnectTarget(
    host="acme.snowflakecomputing.com",
    port=443,
    account="acme",
    database="ANALYTICS",
    warehouse="COMPUTE_WH",
    role="REPORTER",
    username="etl",
    timeout=5.0,
)


@pytest.mark.parametrize(
    ("error", "failure", "field"),
    [
        (
            sf_errors.DatabaseError(
                msg="Incorrect username or password was specified.", errno=390100
            ),
            "auth_failed",
            "password",
        ),
        (
            sf_errors.DatabaseError(msg="User temporarily locked.", errno=390102),
            "auth_failed",
            "password",
        ),
        (
            sf_errors.DatabaseError(
                msg="Role 'X' specified in the connect string does not exist or not authorized.",
                errno=390189,
            ),
            "permission_denied",
            "role",
        ),
        (
            sf_errors.DatabaseError(
                msg="The requested database does not exist or not authorized.", errno=390201
            ),
            "not_found",
            "database",
        ),
        (
            sf_errors.DatabaseError(
                msg="The requested warehouse does not exist or not authorized.", errno=390201
            ),
            "not_found",
            "warehouse",
        ),
        (
            sf_errors.DatabaseError(
                msg="The requested schema does not exist or not authorized.", errno=390202
            ),
            "not_found",
            "schema",
        ),
        (
            sf_errors.ProgrammingError(
                msg="No active warehouse selected in the current session.", errno=606
            ),
            "not_found",
            "warehouse",
        ),
        (
            sf_errors.ProgrammingError(msg="Object does not exist or not authorized.", errno=2003),
            "not_found",
            "streams",
        ),
        (
            sf_errors.ProgrammingError(
                msg="SQL access control error: Insufficient privileges", errno=3001
            ),
            "permission_denied",
            "username",
        ),
        (
            sf_errors.ProgrammingError(msg="Statement reached its statement timeout", errno=630),
            "timeout",
            "host",
        ),
        (
            sf_errors.OperationalError(
                msg="Failed to connect to DB: acme.snowflakecomputing.com:443", errno=250001
            ),
            "unreachable",
            "host",
        ),
        (
            sf_errors.OperationalError(msg="certificate verify failed", errno=250001),
            "tls",
            "host",
        ),
        (
            sf_errors.OperationalError(msg="Login request timed out", errno=251011),
            "timeout",
            "host",
        ),
        (sf_errors.ProgrammingError(msg="syntax error", errno=1003), "unknown", None),
    ],
    ids=[
        "390100-wrong-password",
        "390102-locked",
        "390189-role",
        "390201-database",
        "390201-warehouse",
        "390202-schema",
        "000606-no-warehouse",
        "002003-no-table",
        "003001-no-privilege",
        "000630-statement-timeout",
        "250001-unreachable",
        "250001-certificate",
        "251011-login-timeout",
        "unclassified",
    ],
)
def test_snowflake_errors_built_as_the_connector_raises_them_are_classified(
    error: BaseException, failure: str, field: str | None
) -> None:
    classified = classify(error, TARGET, table=TableRef("SALES", "ORDERS"))

    assert (classified.failure, classified.field) == (FailureClass(failure), field)
