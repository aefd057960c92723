"""The JSON API: researchers with a token (or a logged-in supporter) get the results of their
projects in the documented shape; everyone else gets 401 or 404 and no numbers."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from spindel.extensions import db
from spindel.models import RoundState
from spindel.services.accounts import create_api_token


@pytest.fixture
def project_with_answers(make_project, add_answer):
    """Round 1 (closed): bvc 5 answers, bmm 2 (hidden), open_preschool 6; round 2 empty."""
    project = make_project(rounds=2, min_group_size=5, state=RoundState.CLOSED)
    round_ = project.rounds[0]
    for value in (4, 5, 6, 7, 8):
        add_answer(round_, profession="bvc", value=value)
    for _ in range(2):
        add_answer(round_, profession="bmm", value=1)
    for _ in range(6):
        add_answer(round_, profession="open_preschool", district="south", value=9)
    return project


@pytest.fixture
def token_for(make_user):
    def factory(*projects, admin=False):
        user = make_user(projects=projects, admin=admin)
        token = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return factory


def url(project, query=""):
    return f"/api/v1/projects/{project.slug}/results{query}"


def test_a_researcher_with_a_token_gets_the_results(client, project_with_answers, token_for):
    response = client.get(url(project_with_answers, "?by=role&round=1&lang=en"),
                          headers=token_for(project_with_answers))
    assert response.status_code == 200
    data = response.get_json()
    groups = {g["key"]: g for g in data["groups"]}
    assert groups["open_preschool"]["responses"] == 6
    assert groups["open_preschool"]["items"]["rules"]["mean"] == 9
    assert groups["open_preschool"]["dimensions"]["views"] == 9
    # bmm has 2 answers; bvc (5, the smallest other) is hidden too, so bmm can't be derived.
    for key, reason in (("bmm", "small"), ("bvc", "complement")):
        assert groups[key] == {"key": key, "label": groups[key]["label"], "suppressed": True,
                               "reason": reason, "responses": None, "items": {},
                               "dimensions": {}}
    assert groups["other"]["suppressed"] is True  # empty
    assert data["min_group_size"] == 5
    assert data["instrument"]["items"][0] == {"key": "rules", "dimension": "rules",
                                              "label": data["instrument"]["items"][0]["label"]}


def test_filters_and_breakdowns(client, project_with_answers, token_for):
    headers = token_for(project_with_answers)
    by_round = client.get(url(project_with_answers, "?round=1&round=2"), headers=headers)
    assert [(g["key"], g["responses"]) for g in by_round.get_json()["groups"]] == \
        [(1, 13), (2, None)]
    area = client.get(url(project_with_answers, "?by=area&round=1"), headers=headers).get_json()
    assert [(g["key"], g["responses"]) for g in area["groups"]] == [("north", 7), ("south", 6)]
    none = client.get(url(project_with_answers, "?by=none&round=1&area=north"), headers=headers)
    assert none.get_json()["groups"][0]["responses"] == 7
    # n = 7 < 2k: no median or quartiles, which would pin down single answers
    assert none.get_json()["groups"][0]["items"]["rules"]["median"] is None
    assert none.get_json()["groups"][0]["items"]["rules"]["mean"] == (4 + 5 + 6 + 7 + 8 + 2) / 7
    role = client.get(url(project_with_answers, "?round=1&round=2&role=open_preschool"),
                      headers=headers).get_json()
    assert [(g["key"], g["responses"]) for g in role["groups"]] == [(1, 6), (2, None)]


@pytest.mark.parametrize("query", ["?by=role", "?by=none&round=1&round=2", "?by=none",
                                   "?round=1&role=bvc&area=north", "?role=bvc&role=bmm",
                                   "?by=area&round=1&role=bvc", "?area=north&area=south",
                                   "?round=1&round=1"])
def test_requests_that_pool_unite_or_cross_groups_are_400(client, project_with_answers,
                                                         token_for, query):
    response = client.get(url(project_with_answers, query + ("&" if "?" in query else "?")
                              + "lang=en"),
                          headers=token_for(project_with_answers))
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert any(word in message for word in ("round", "role", "area")), message


def test_a_logged_in_supporter_may_use_the_api(client, auth, make_user, project_with_answers):
    auth.login(make_user(projects=[project_with_answers]))
    reply = client.get(url(project_with_answers))
    assert reply.status_code == 200 and reply.get_json()["groups"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer spd_nonsense"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_without_a_valid_token_there_is_401_and_no_numbers(client, project_with_answers,
                                                           headers):
    response = client.get(url(project_with_answers, "?by=none&round=1"), headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401
    assert "groups" not in response.get_data(as_text=True)


def test_projects_of_others_are_404(client, project_with_answers, make_project, token_for):
    stranger = token_for(make_project())
    assert client.get(url(project_with_answers), headers=stranger).status_code == 404
    assert client.get("/api/v1/projects/nope/results", headers=stranger).status_code == 404
    admin = token_for(admin=True)
    assert client.get(url(project_with_answers), headers=admin).status_code == 200


@pytest.mark.parametrize("query", ["?by=colour", "?round=x", "?round=9", "?role=nurse",
                                   "?area=east", "?round=" + "9" * 5000])
def test_bad_parameters_are_400_with_a_message(client, project_with_answers, token_for, query):
    response = client.get(url(project_with_answers, query),
                          headers=token_for(project_with_answers))
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.0")
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            path = path.replace("{int:", "{").replace("{string:", "{")
            assert path in documented, path


# --- schemathesis: generated requests, responses checked against the document -----------------

def test_api_responses_match_the_document(app, project_with_answers, token_for):
    headers = token_for(project_with_answers)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert "GET /api/v1/projects/{slug}/results" in [op.label for op in operations]

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def check(case):
            if case.path_parameters and "slug" in case.path_parameters:
                case.path_parameters["slug"] = project_with_answers.slug  # mostly real data
            # A round, role or area that does not exist is schema-valid but still a 400.
            case.call_and_validate(headers=headers,
                                   excluded_checks=[checks.positive_data_acceptance])

        check()
