"""``bench.report``: BENCHMARKS.md keeps its hand-written parts, and growth is reported."""

from bench import report


def parity(small, again, large, same):
    return {"small": small, "small_in_large_db": again, "large": large, "same": same}


def results(pages):
    return {
        "workers": {
            "sqlite": {
                "p2": {
                    "small": {"clients": 100},
                    "large": {"clients": 1000},
                    "parity": pages,
                }
            }
        }
    }


def test_a_page_whose_query_count_changed_is_reported_as_growth():
    lines = report.query_growth(
        results({"home": parity(12, 12, 12, True), "inbox": parity(15, 15, 65, False)})
    )
    assert len(lines) == 1
    assert lines[0].startswith("sqlite inbox: 15 queries at 100 clients")


def test_no_growth_no_report():
    assert report.query_growth(results({"home": parity(12, 12, 12, True)})) == []


def test_rewriting_keeps_what_lies_outside_the_markers(tmp_path, monkeypatch):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(
        f"# Benchmarks\n\nHand-written intro.\n\n{report.BEGIN}\nold\n{report.END}\n\n"
        "## Findings\n\nHand-written findings.\n"
    )
    monkeypatch.setattr(report, "markdown", lambda results: "new figures")
    report.write_markdown({}, path)
    text = path.read_text()
    assert "Hand-written intro." in text and "Hand-written findings." in text
    assert "new figures" in text and "old" not in text


def test_a_missing_file_is_created_with_the_markers(tmp_path, monkeypatch):
    path = tmp_path / "BENCHMARKS.md"
    monkeypatch.setattr(report, "markdown", lambda results: "figures")
    report.write_markdown({}, path)
    assert report.BEGIN in path.read_text() and report.END in path.read_text()


def test_a_page_that_did_not_answer_200_is_reported():
    page = {"status": 302}
    p2 = {"pages_small": {"home": {"status": 200}}, "pages_large": {"home": page}}
    lines = report.not_served({"workers": {"postgresql": {"p2": p2}}})
    assert lines == ["postgresql home (large): HTTP 302"]
