"""`flaskstarter add`, end to end, one fresh project per kind (per framework for the REST API)
installed once: two resources (one refers to the other) or two pages; the project's own tests,
ruff, mypy, migrations up and down, served by gunicorn with the new routes answering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flaskstarter.add import AddRequest, add_to_project
from flaskstarter.smoke import run_smoke
from flaskstarter.smoke.pipeline import ServedProject
from tests.microservice_served import send

pytestmark = pytest.mark.slow

# Every field type and modifier, and a reference.
AUTHORS = ["name:str:80:unique", "born:date:optional"]
BOOKS = [
    "title:str:120",
    "isbn:str:13:unique",
    "summary:text:optional",
    "pages:int",
    "price:decimal",
    "rating:float:optional",
    "published:bool",
    "released_at:datetime",
    "authors:ref",
]


def add_authors_and_books(project: Path) -> None:
    """And covers: a unique, optional reference (one cover a book at most)."""
    # The smoke run's project is no git repository: --force.
    covers = ["books:ref:unique:optional", "url:str:2000"]
    for name, fields in (("authors", AUTHORS), ("books", BOOKS), ("covers", covers)):
        add_to_project(AddRequest("resource", name, fields, project, force=True))


def migrations_go_down_and_up(served: ServedProject) -> None:
    package = served.answers["package_name"]
    for step in (("downgrade", "base"), ("upgrade",)):
        outcome = served.env.run("flask", "--app", package, "db", *step, env=served.run_env)
        assert outcome.ok, outcome.tail()


def rest_api_routes_work(served: ServedProject) -> None:
    """Writes are open (api_auth none): create an author, a book of theirs, list the books."""
    url = f"{served.base_url}/api"
    author = send(f"{url}/authors", {"name": "Ursula", "born": "1929-10-21"})
    assert author.status == 201, author.body
    book = {
        "title": "The Dispossessed",
        "isbn": "9780060512750",
        "pages": 387,
        "price": "9.99",
        "published": True,
        "released_at": "1974-05-01T00:00:00+00:00",
        "author_id": json.loads(author.body)["id"],
    }
    created = send(f"{url}/books", book)
    assert created.status == 201, created.body
    assert json.loads(created.body)["price"] == "9.99"
    nowhere = send(f"{url}/books", {**book, "author_id": 999})
    assert nowhere.status == 422, nowhere.body
    listed = send(f"{url}/books?title=dispossessed")
    assert [one["title"] for one in json.loads(listed.body)["data"]] == ["The Dispossessed"]
    document = json.loads(send(f"{served.base_url}/openapi.json").body)
    assert {"/api/authors", "/api/books/{book_id}", "/api/covers"} <= set(document["paths"])
    migrations_go_down_and_up(served)


def microservice_routes_work(served: ServedProject) -> None:
    """Reads are public, writes need an API key (none is configured here)."""
    for name in ("authors", "books"):
        listed = send(f"{served.base_url}/api/v1/{name}")
        assert listed.status == 200, listed.body
        assert json.loads(listed.body)["data"] == []
        refused = send(f"{served.base_url}/api/v1/{name}", {"name": "x"})
        assert refused.status == 401, refused.body
    document = json.loads(send(f"{served.base_url}/api/v1/openapi.json").body)
    assert {"/api/v1/authors", "/api/v1/books/{book_id}"} <= set(document["paths"])
    migrations_go_down_and_up(served)


def test_rest_api_resources_on_postgresql(postgres_url: str) -> None:
    report = run_smoke(
        "rest_api",
        {"database": "postgresql"},
        after_render=add_authors_and_books,
        while_serving=rest_api_routes_work,
    )
    assert report.ok, report.summary()


def test_flask_restful_resources_on_sqlite() -> None:
    """The other framework on the other database; writes open, as above (the smoke run's
    production settings hold no credentials a check could send)."""
    report = run_smoke(
        "rest_api",
        {"api_framework": "flask-restful"},
        after_render=add_authors_and_books,
        while_serving=rest_api_routes_work,
    )
    assert report.ok, report.summary()


def test_microservice_resources_on_sqlite() -> None:
    report = run_smoke(
        "microservice",
        {"database": "sqlite"},
        after_render=add_authors_and_books,
        while_serving=microservice_routes_work,
    )
    assert report.ok, report.summary()


def add_two_pages(project: Path) -> None:
    for name in ("our_team", "pricing"):
        add_to_project(AddRequest("page", name, [], project, force=True))


def pages_are_served_and_linked(served: ServedProject) -> None:
    page = send(f"{served.base_url}/our-team")
    assert page.status == 200, page.body
    assert "<h1>Our team</h1>" in page.body
    assert '<a href="/pricing">Pricing</a>' in page.body


def test_website_pages() -> None:
    report = run_smoke(
        "website",
        {"database": "none"},
        after_render=add_two_pages,
        while_serving=pages_are_served_and_linked,
    )
    assert report.ok, report.summary()
