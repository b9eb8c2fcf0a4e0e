"""`flask create-user`: creditor users and operators, and clear refusals."""

from __future__ import annotations

from flask import Flask

from tests.portal.conftest import PASSWORD, Portal, Team


def test_create_an_owner_and_sign_in(portal_app: Flask, team_a: Team) -> None:
    runner = portal_app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "cli-owner@example.com", "--creditor", team_a.creditor.id, "--role", "owner"],
        env={"INKASSO_NEW_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    assert "cli-owner@example.com (owner of cred_" in result.output and "/portal/login" in result.output
    assert PASSWORD not in result.output
    assert Portal(portal_app).login("cli-owner@example.com").status_code == 302


def test_create_an_operator_with_the_password_typed_twice(portal_app: Flask) -> None:
    runner = portal_app.test_cli_runner()
    result = runner.invoke(args=["create-user", "ops@example.com", "--operator"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "(operator)" in result.output


def test_refusals_name_the_problem(portal_app: Flask, team_a: Team) -> None:
    runner = portal_app.test_cli_runner()
    env = {"INKASSO_NEW_PASSWORD": PASSWORD}
    both = runner.invoke(args=["create-user", "x@example.com", "--operator", "--creditor", team_a.creditor.id], env=env)
    assert both.exit_code == 2 and "either --creditor ID or --operator" in both.output
    unknown = runner.invoke(args=["create-user", "y@example.com", "--creditor", "cred_nope"], env=env)
    assert unknown.exit_code == 1 and "No such creditor" in unknown.output
    weak = runner.invoke(
        args=["create-user", "z@example.com", "--creditor", team_a.creditor.id], env={"INKASSO_NEW_PASSWORD": "short"}
    )
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output
    taken = runner.invoke(args=["create-user", team_a.users["agent"], "--creditor", team_a.creditor.id], env=env)
    assert taken.exit_code == 1 and "exists already" in taken.output
    bad_role = runner.invoke(args=["create-user", "r@example.com", "--creditor", team_a.creditor.id, "--role", "boss"])
    assert bad_role.exit_code == 2 and "boss" in bad_role.output
