"""`flaskstarter add scaffold`, end to end: two scaffolds (books refer to authors) in a website
with accounts on PostgreSQL, installed fresh; its own tests, ruff and mypy; served by gunicorn,
where a browser's visit (log in, create, show, edit, delete, with CSRF tokens) works; the
migrations go down to nothing and up again."""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskstarter.add import AddRequest, add_to_project
from flaskstarter.smoke import run_smoke
from flaskstarter.smoke.pipeline import ServedProject
from tests.website_served import Client, log_in

pytestmark = pytest.mark.slow

EMAIL = "editor@example.com"
OTHER_EMAIL = "reader@example.com"
PASSWORD = "violet lanterns drift over quiet harbours"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def add_authors_and_books(project: Path) -> None:
    # The smoke run's project is no git repository: --force.
    books = ["title:str:120", "isbn:str:13:unique", "price:decimal", "authors:ref"]
    for name, fields in (
        ("authors", ["name:str:80:unique", "born:date:optional"]),
        ("books", books),
    ):
        add_to_project(AddRequest("scaffold", name, fields, project, force=True))


def scaffolds_work(served: ServedProject) -> None:
    package = served.answers["package_name"]
    made = served.env.run(
        "flask", "--app", package, "create-user", EMAIL, "--password", PASSWORD,
        env=served.run_env,
    )  # fmt: skip
    assert made.ok, made.tail()
    visitor = Client(served.base_url)
    listed = visitor.get("/authors/")
    assert listed.status == 200
    assert '<a href="/books/">Books</a>' in listed.body
    # Writes need a CSRF token, then a login.
    forged = visitor.request("POST", "/authors/new", b"name=Ursula", FORM)
    assert forged.status == 400
    refused = visitor.get("/authors/new")
    assert refused.status == 302
    assert refused.headers["Location"].startswith("/auth/login")

    editor = log_in(served.base_url, EMAIL, PASSWORD)
    created = editor.post_form("/authors/new", {"name": "Ursula"})
    assert created.status == 302, created.body[:500]
    author_id = created.headers["Location"].rsplit("/", 1)[1]
    book = {"title": "The Dispossessed", "isbn": "9780060512750", "price": "9.99"}
    nowhere = editor.post_form("/books/new", {**book, "author_id": "999"})
    assert nowhere.status == 200
    assert "Not a valid choice" in nowhere.body
    created = editor.post_form("/books/new", {**book, "author_id": author_id})
    assert created.status == 302, created.body[:500]
    shown = created.headers["Location"]
    page = editor.get(shown)
    assert page.status == 200
    assert "The Dispossessed" in page.body
    assert f'href="/authors/{author_id}">Ursula</a>' in page.body
    taken = editor.post_form("/books/new", {**book, "author_id": author_id})
    assert taken.status == 200
    assert "Another book has this value." in taken.body

    changed = {**book, "title": "The Word for World", "author_id": author_id}
    assert editor.post_form(f"{shown}/edit", changed).status == 302
    assert "The Word for World" in editor.get(shown).body
    # A visitor is sent to log in; the page hides the buttons from all but its owner.
    assert visitor.post_form(f"{shown}/delete", {}, csrf_from="/auth/login").status == 302
    # The author has a book: PostgreSQL's foreign key keeps it, the page says why.
    kept = editor.post_form(f"/authors/{author_id}/delete", {}, csrf_from=f"/authors/{author_id}")
    assert (kept.status, kept.headers["Location"]) == (302, f"/authors/{author_id}")
    assert editor.post_form(f"{shown}/delete", {}, csrf_from=shown).status == 302
    assert editor.get(shown).status == 404

    # Another member's book refers to the editor's author: deleting the editor's account (and,
    # by its cascade, the author) is refused with a message, not a 500; once the book is gone
    # it succeeds.
    made = served.env.run(
        "flask", "--app", package, "create-user", OTHER_EMAIL, "--password", PASSWORD,
        env=served.run_env,
    )  # fmt: skip
    assert made.ok, made.tail()
    reader = log_in(served.base_url, OTHER_EMAIL, PASSWORD)
    theirs = reader.post_form("/books/new", {**book, "author_id": author_id})
    assert theirs.status == 302, theirs.body[:500]
    leave = {"current_password": PASSWORD}
    kept = editor.post_form("/auth/settings/delete", leave)
    assert (kept.status, kept.headers["Location"]) == (302, "/auth/settings")
    assert "other members&#39; entries refer to yours" in editor.get("/auth/settings").body
    their_book = theirs.headers["Location"]
    assert reader.post_form(f"{their_book}/delete", {}, csrf_from=their_book).status == 302
    gone = editor.post_form("/auth/settings/delete", leave)
    assert (gone.status, gone.headers["Location"]) == (302, "/")
    assert editor.get(f"/authors/{author_id}").status == 404
    assert editor.get("/books/?page=abc").status == 404  # db.paginate: no such page
    assert editor.get("/books/99999999999").status == 404

    for step in (("downgrade", "base"), ("upgrade",)):
        outcome = served.env.run("flask", "--app", package, "db", *step, env=served.run_env)
        assert outcome.ok, outcome.tail()


def test_website_scaffolds_on_postgresql_with_accounts(postgres_url: str) -> None:
    report = run_smoke(
        "website",
        {"database": "postgresql", "auth": True},
        after_render=add_authors_and_books,
        while_serving=scaffolds_work,
    )
    assert report.ok, report.summary()
