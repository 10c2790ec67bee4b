from crawlers.frontier import Frontier, url_shape


def test_url_shape_folds_numbers_and_query_values():
    assert url_shape("http://m.onion/agenda/2031/7") == url_shape("http://m.onion/agenda/1999/12")
    assert url_shape("http://m.onion/c/x?page=2") == url_shape("http://m.onion/c/x?page=9")
    assert url_shape("http://m.onion/product/1") != url_shape("http://m.onion/vendor/1")


def test_frontier_deduplicates_and_survives_reopen(tmp_path):
    path = tmp_path / "f.sqlite"
    frontier = Frontier(path)
    assert frontier.begin_run() is False
    assert frontier.add("http://a/1", depth=0)
    assert not frontier.add("http://a/1", depth=3)
    frontier.add("http://a/2", depth=1)
    frontier.checkpoint()
    frontier.mark(["http://a/1"], "done")
    # no checkpoint after the mark: a crash now must leave http://a/1 pending
    frontier._db.close()

    reopened = Frontier(path)
    assert [e.url for e in reopened.pending()] == ["http://a/1", "http://a/2"]
    assert reopened.begin_run() is True  # interrupted run: resume
    reopened.mark(["http://a/1", "http://a/2"], "done")
    reopened.close()

    again = Frontier(path)
    assert again.counts() == {"done": 2}
    assert again.begin_run() is False  # finished run: a new run starts over
    assert [e.url for e in again.pending()] == ["http://a/1"]
    again.close()
