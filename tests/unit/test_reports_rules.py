import dataclasses

from scorebot.domain.reports import Report, ReportRequest, ReportState, parse_report


def test_a_report_about_a_member():
    assert parse_report("@eve:x she followed me home") == ReportRequest("she followed me home", subject="@eve:x")


def test_flags_for_anonymity_and_answers():
    request = parse_report("anonymous no-answers @eve:x it keeps happening")
    assert request.anonymous and not request.wants_answers and request.subject == "@eve:x"


def test_a_message_link_is_evidence():
    request = parse_report("https://matrix.to/#/%21room%3Ax/%24event?via=x this one")
    assert (request.room_ref, request.event_id, request.words) == ("!room:x", "$event", "this one")
    element = parse_report("https://app.element.io/#/room/!room:x/$ev2 and this")
    assert (element.room_ref, element.event_id) == ("!room:x", "$ev2")


def test_someone_who_is_not_a_member():
    assert parse_report('"Sam from the coalition" shouted at me') == \
        ReportRequest("shouted at me", subject_name="Sam from the coalition")
    assert parse_report("a man at the tabling event harassed me").words.startswith("a man")
    assert isinstance(parse_report("anonymous"), str)


def test_anonymous_reporters_are_shown_as_a_member():
    report = Report(3, "@ann:x", "@eve:x", None, True, True, "direct chat", None, None, None, "words",
                    ReportState.ASSIGNED, ("@ida:x",), 0)
    assert report.reporter_shown() == "a member (anonymous)"
    assert report.root() == "Report #3 · about @eve:x · taken on by @ida:x"  # an ID alone, never twice
    names = {"@eve:x": "Eve", "@ida:x": "Ida"}.get
    assert report.root(names) == "Report #3 · about Eve (@eve:x) · taken on by Ida"
    resolved = dataclasses.replace(report, state=ReportState.RESOLVED)
    assert resolved.root(names) == "Report #3 · about Eve (@eve:x) · resolved"
