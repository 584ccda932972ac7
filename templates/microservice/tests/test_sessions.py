from flask import Flask, session


def test_a_request_without_cookies_gets_no_session_cookie(client) -> None:
    response = client.get("/api/v1/info")
    assert "Set-Cookie" not in response.headers


def test_views_that_use_the_session_still_get_flask_sessions(app: Flask) -> None:
    def count_visits() -> str:
        session["visits"] = session.get("visits", 0) + 1
        return str(session["visits"])

    app.add_url_rule("/visits", view_func=count_visits)
    client = app.test_client()
    first = client.get("/visits")  # no cookie sent yet
    assert first.get_data(as_text=True) == "1"
    assert "Set-Cookie" in first.headers
    assert client.get("/visits").get_data(as_text=True) == "2"  # read back from the cookie
