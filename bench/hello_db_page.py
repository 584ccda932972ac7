"""The baseline of database-bound JSON routes: one page of rows, as JSON.

Plain Flask-SQLAlchemy on SQLite with no middleware, doing the least a list route does (one
LIMIT query through the ORM, rows to dicts), so the ratio shows what the generated project
adds around that query (extra queries included), not the cost of reaching a database at all.
"""

from contextlib import suppress
from pathlib import Path

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Item(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


def init_db_page(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    database = Path(app.instance_path) / "bench.sqlite3"
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    db.init_app(app)
    # Another worker may create the table first.
    with app.app_context(), suppress(OperationalError):
        db.create_all()

    @app.get("/items")
    def items() -> dict[str, object]:
        page = db.session.scalars(select(Item).order_by(Item.id).limit(20))
        return {"items": [{"id": item.id, "name": item.name} for item in page]}
